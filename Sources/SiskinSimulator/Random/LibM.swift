// The handful of libm functions the simulator needs, without pulling in Foundation:
// the library has no dependencies so that the agent's test graph stays small.
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Namespace for the math functions used by the distributions.
enum LibM {
    @inline(__always) static func log(_ x: Double) -> Double { logOf(x) }
    @inline(__always) static func exp(_ x: Double) -> Double { expOf(x) }
    @inline(__always) static func cos(_ x: Double) -> Double { cosOf(x) }
    @inline(__always) static func erfc(_ x: Double) -> Double { erfcOf(x) }
}

@inline(__always) private func logOf(_ x: Double) -> Double { log(x) }
@inline(__always) private func expOf(_ x: Double) -> Double { exp(x) }
@inline(__always) private func cosOf(_ x: Double) -> Double { cos(x) }
@inline(__always) private func erfcOf(_ x: Double) -> Double { erfc(x) }
