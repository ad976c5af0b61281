import ArgumentParser
import Foundation
import SiskinAgent
import SiskinCommandLine
import SiskinExposition
import SiskinQuery

/// `siskin query`: asks a running `siskin serve` and prints readable tables
/// (or the JSON as served, with `--json`).
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Ask a running aggregator about workloads and pods.",
        subcommands: [Workloads.self, Workload.self]
    )

    struct ServerOptions: ParsableArguments {
        @Option(help: "Aggregator base URL. [env: SISKIN_SERVER]")
        var server: String = Environment.value("SISKIN_SERVER") ?? "http://127.0.0.1:9090"

        @Flag(help: "Print the JSON as served.")
        var json = false

        @Option(help: "File holding the read token to present, when the server has --read-token-file. [env: SISKIN_READ_TOKEN_FILE]")
        var readTokenFile: String?

        @Option(help: "PEM CA bundle an https:// --server's certificate must chain to; the system's CAs when absent. [env: SISKIN_CA_FILE]")
        var caFile: String?

        func get(_ path: String, query: [(String, String?)] = []) throws -> [UInt8] {
            var url = server.hasSuffix("/") ? String(server.dropLast()) : server
            url += path
            let parts = query.compactMap { name, value in value.map { "\(name)=\(Self.escape($0))" } }
            if !parts.isEmpty { url += "?" + parts.joined(separator: "&") }
            var headers: [(String, String)] = []
            if let file = readTokenFile ?? Environment.value("SISKIN_READ_TOKEN_FILE") {
                let token = String(decoding: try BodyReader.readAll(file, limit: 64 << 10), as: UTF8.self).trimmingScalars(in: " \t\r\n")
                headers.append(("Authorization", "Bearer " + token))
            }
            let curl = try CurlEasy()
            let request = HTTPRequest(method: .get, url: url, headers: headers, timeoutSeconds: 10,
                                      caFile: caFile ?? Environment.value("SISKIN_CA_FILE"))
            return try curl.perform(request) { response, body in
                let bytes = Array(body)
                guard response.status == 200 else {
                    throw ValidationError("\(url): HTTP \(response.status): \(String(decoding: bytes, as: UTF8.self))")
                }
                return bytes
            }
        }

        static func escape(_ s: String) -> String {
            var out = ""
            for byte in s.utf8 {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                     UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                    out.unicodeScalars.append(Unicode.Scalar(byte))
                default:
                    out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
                }
            }
            return out
        }

        static func decoder() -> JSONDecoder {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
            return decoder
        }
    }

    struct Workloads: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Workloads, revisions and pods seen, with agent freshness.")

        @OptionGroup var options: ServerOptions

        @Flag(help: "List every pod, not only workloads.")
        var pods = false

        func run() throws {
            let bytes = try options.get("/api/v1/siskin/workloads")
            if options.json {
                print(String(decoding: bytes, as: UTF8.self))
                return
            }
            let inventory = try ServerOptions.decoder().decode(Inventory.self, from: Data(bytes))
            print(TextTable.render(
                header: ["NAMESPACE", "WORKLOAD", "REVISIONS", "PODS", "FRESH"],
                rows: inventory.workloads.map {
                    [$0.namespace, $0.workload, $0.revisions.joined(separator: ","), "\($0.pods)", "\($0.freshPods)"]
                }))
            if pods {
                print("")
                print(TextTable.render(
                    header: ["NAMESPACE", "POD", "WORKLOAD", "REVISION", "SERIES", "LAST PUSH", "INTERVAL", "AGENT"],
                    rows: inventory.pods.map {
                        [$0.namespace, $0.pod, $0.workload, $0.revision, "\($0.series)",
                         Format.seconds($0.lastPushAgeSeconds) + " ago" + ($0.fresh ? "" : " (STALE)"),
                         Format.seconds($0.pushIntervalSeconds), $0.agentVersion ?? "?"]
                    }))
            }
        }
    }

    struct Workload: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Request rate, success rate, latency quantiles and per-pod rates of one workload.")

        @OptionGroup var options: ServerOptions

        @Option(help: "Namespace of the workload.")
        var namespace: String

        @Option(help: "Workload (destination_workload, e.g. podinfo-primary).")
        var workload: String

        @Option(help: "Only this revision (destination_canonical_revision).")
        var revision: String?

        @Option(help: "destination (server side) or source (client side).")
        var reporter: String = "destination"

        @Option(help: "Window, e.g. 30s, 1m, 5m.")
        var window: String = "1m"

        func run() throws {
            let bytes = try options.get("/api/v1/siskin/workload", query: [
                ("namespace", namespace), ("workload", workload), ("revision", revision),
                ("reporter", reporter), ("window", window),
            ])
            if options.json {
                print(String(decoding: bytes, as: UTF8.self))
                return
            }
            let r = try ServerOptions.decoder().decode(WorkloadReport.self, from: Data(bytes))
            var rows: [[String]] = [
                ["workload", "\(r.namespace)/\(r.workload)" + (r.revision.map { " revision \($0)" } ?? "")],
                ["reporter", r.reporter],
                ["window", Format.seconds(r.windowSeconds)],
                ["request rate", Format.number(r.requestRate) + " req/s"],
                ["requests", Format.number(r.requests)],
                ["success rate", r.successRate.map { Format.number($0 * 100) + " %" } ?? "no requests"],
            ]
            if let l = r.latencyMilliseconds {
                rows.append(["latency p50 / p90 / p95 / p99",
                             [l.p50, l.p90, l.p95, l.p99].map { Format.number($0) }.joined(separator: " / ") + " ms"])
            } else {
                rows.append(["latency", "no observations"])
            }
            if r.coveredFrom == nil { rows.append(["note", "no data in this window"]) }
            print(TextTable.render(header: nil, rows: rows))
            if !r.pods.isEmpty {
                print("")
                print(TextTable.render(header: ["POD", "REQ/S", "ERRORS"], rows: r.pods.map {
                    [$0.pod, Format.number($0.requestRate), $0.errorRate.map { Format.number($0 * 100) + " %" } ?? "-"]
                }))
            }
        }
    }
}

/// Aligned plain-text columns.
enum TextTable {
    static func render(header: [String]?, rows: [[String]]) -> String {
        let all = (header.map { [$0] } ?? []) + rows
        guard let columns = all.map(\.count).max(), columns > 0 else { return "" }
        var widths = [Int](repeating: 0, count: columns)
        for row in all { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return all.map { row in
            row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

enum Format {
    static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if abs(v) >= 100 { return String(format: "%.1f", v) }
        return String(format: "%.3g", v)
    }

    static func seconds(_ v: Double) -> String {
        v >= 120 ? String(format: "%.1fm", v / 60) : String(format: "%.1fs", v)
    }
}

extension String {
    func leftPadded(to n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
