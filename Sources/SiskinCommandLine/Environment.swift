import ArgumentParser
import SiskinExposition

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `SISKIN_*` environment variables as option defaults: every flag can come
/// from a Kubernetes manifest's `env:` as well.
public enum Environment {
    public static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let value = String(cString: raw)
        return value.isEmpty ? nil : value
    }

    public static func flag(_ name: String) -> Bool {
        guard let value = value(name)?.lowercased() else { return false }
        return ["1", "true", "yes", "on"].contains(value)
    }
}

/// A duration given as `5s`, `500ms`, `2m` or plain seconds.
public struct Seconds: ExpressibleByArgument, Sendable, CustomStringConvertible {
    public var value: Double

    public init(_ value: Double) { self.value = value }

    public init?(argument: String) {
        let text = argument.trimmingScalars(in: " ")
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let number = Double(text.dropLast(suffix.count)), number >= 0 else { return nil }
            value = number * scale
            return
        }
        guard let number = Double(text), number >= 0 else { return nil }
        value = number
    }

    public var description: String {
        value == value.rounded() ? "\(Int(value))s" : "\(value)s"
    }
}
