#if canImport(Glibc)
import Glibc
#endif

/// Takes the agent's own code and constants out of its resident set, so the
/// pages only start-up ran stop counting against the pod.
///
/// Start-up runs code that never runs again (argument parsing, logging set-up,
/// the runtime's first-use work), and the kernel maps up to 64 KB of file
/// around every page fault. Unmapping the read-only segments once the loop is
/// warm (`MADV_DONTNEED`) drops them all from RSS; the next cycle faults back
/// in, from the page cache, the pages it runs (packed at the front of the code
/// by the link's symbol order, `Sources/siskin-agent/Link`). Writable segments
/// are never touched: their copied-on-write pages would be lost. README,
/// Performance, has what it saves.
public enum CodePages {
    /// Advises away the executable's read-only `PT_LOAD` segments; returns the
    /// bytes advised (0 where unsupported).
    @discardableResult
    public static func releaseResident() -> Int {
        #if canImport(Glibc)
        guard let (headers, count) = programHeaders() else { return 0 }
        var phdrAddress: UInt?
        for index in 0..<count where headers[index].p_type == UInt32(PT_PHDR) { phdrAddress = UInt(headers[index].p_vaddr) }
        // The load base: where the headers are, minus where the file says they are.
        guard let phdrAddress else { return 0 }
        let base = UInt(bitPattern: headers) &- phdrAddress
        // Text relocations would have made code pages private copies: leave them.
        if hasTextRelocations(headers, count, base: base) { return 0 }
        let pageSize = UInt(sysconf(Int32(_SC_PAGESIZE)))
        var advised = 0
        for index in 0..<count {
            let header = headers[index]
            guard header.p_type == UInt32(PT_LOAD), header.p_flags & UInt32(PF_W) == 0 else { continue }
            // Whole pages inside the segment only: a neighbour's page stays.
            let segment = base &+ UInt(header.p_vaddr)
            let start = (segment + pageSize - 1) / pageSize * pageSize
            let end = (segment + UInt(header.p_memsz)) / pageSize * pageSize
            guard end > start, let address = UnsafeMutableRawPointer(bitPattern: start) else { continue }
            if madvise(address, Int(end - start), MADV_DONTNEED) == 0 { advised += Int(end - start) }
        }
        return advised
        #else
        return 0
        #endif
    }

    #if canImport(Glibc)
    /// The executable's program headers, from the auxiliary vector the kernel
    /// handed the process (`AT_PHDR`, `AT_PHNUM` in `/proc/self/auxv`).
    private static func programHeaders() -> (UnsafePointer<Elf64_Phdr>, Int)? {
        let fd = open("/proc/self/auxv", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var words = [UInt64](repeating: 0, count: 128)
        let got = words.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard got > 0 else { return nil }
        var phdr: UInt64 = 0, phnum: UInt64 = 0
        var index = 0
        while index + 1 < got / 8 {
            switch words[index] {
            case UInt64(AT_PHDR): phdr = words[index + 1]
            case UInt64(AT_PHNUM): phnum = words[index + 1]
            default: break
            }
            index += 2
        }
        guard phnum > 0, phnum < 256, let headers = UnsafePointer<Elf64_Phdr>(bitPattern: UInt(phdr)) else { return nil }
        return (headers, Int(phnum))
    }

    /// `DT_TEXTREL`, or `DF_TEXTREL` in `DT_FLAGS`, in the executable's dynamic section.
    private static func hasTextRelocations(_ headers: UnsafePointer<Elf64_Phdr>, _ count: Int, base: UInt) -> Bool {
        for index in 0..<count where headers[index].p_type == UInt32(PT_DYNAMIC) {
            guard var entry = UnsafePointer<Elf64_Dyn>(bitPattern: base &+ UInt(headers[index].p_vaddr)) else { return false }
            while entry.pointee.d_tag != Int64(DT_NULL) {
                if entry.pointee.d_tag == Int64(DT_TEXTREL) { return true }
                if entry.pointee.d_tag == Int64(DT_FLAGS), entry.pointee.d_un.d_val & UInt64(DF_TEXTREL) != 0 { return true }
                entry += 1
            }
        }
        return false
    }
    #endif
}
