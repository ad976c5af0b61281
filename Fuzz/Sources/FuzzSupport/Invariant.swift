#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks a property the harness expects of every input. A broken invariant
/// prints what broke and aborts, which libFuzzer (with ASan) reports as a
/// crash and saves the input that caused it, exactly like a memory error.
///
/// `precondition` would do the same in a debug build but is compiled out
/// under `-Ounchecked`; this one never is.
@inline(never)
public func invariant(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    guard !condition() else { return }
    let text = "fuzz invariant broken at \(file):\(line): \(message())\n"
    _ = text.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    abort()
}

/// The bytes as a buffer over libFuzzer's input (no copy). `data` may be a
/// dangling non-nil pointer when `size` is 0, so it is not read then.
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> UnsafeRawBufferPointer {
    guard let data, size > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
    return UnsafeRawBufferPointer(start: data, count: size)
}
