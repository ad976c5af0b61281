import Foundation
import SiskinCanary
import SiskinQuery

/// What a judge call asks for, from string key/value pairs: a Flagger
/// webhook's `metadata` or the query of `GET /api/v1/siskin/canary/judge`.
/// Both take the same keys (docs/canary-judge.md, "Flagger webhook").
struct CanaryParameters: Sendable {
    var window: CanaryWindow
    var configuration: JudgeConfiguration
    /// The canary's traffic weight (percent) when the call was made: not
    /// judged, only recorded in the history. Flagger's webhook payload does
    /// not carry it; `siskin demo` and other callers that know it send it.
    var canaryWeight: Int? = nil

    struct Invalid: Error, Sendable {
        var reason: String
    }

    /// Keys that choose what is judged.
    static let selectionKeys = ["namespace", "canary", "primary", "window", "time", "reporter"]
    /// Keys that change the judge's configuration, applied in this order
    /// (`config` first, so the single settings override it).
    static let configurationKeys = [
        "config", "maxErrorPercent", "maxP99Milliseconds", "minimumRequests", "errorAllowedIncrease",
        "latencyAllowedIncrease", "latencyEffectSize", "alpha",
    ]
    /// Keys recorded with the call in the history, ignored by the judge.
    static let recordedKeys = ["canaryWeight"]
    static let knownKeys = Set(selectionKeys + configurationKeys + recordedKeys)

    /// Parses `values`. `namespace` and `canary` fall back to the given
    /// defaults (the Canary's namespace and name for Flagger); `primary` to
    /// `<canary>-primary`, Flagger's name for the primary Deployment.
    static func parse(_ values: [String: String], defaultNamespace: String? = nil, defaultCanary: String? = nil,
                      now: Int64) -> Result<CanaryParameters, Invalid> {
        let unknown = values.keys.filter { !knownKeys.contains($0) }.sorted()
        guard unknown.isEmpty else {
            return .failure(Invalid(reason: "unknown key\(unknown.count == 1 ? "" : "s") "
                + unknown.map { "'\($0)'" }.joined(separator: ", ") + " (known: "
                + (selectionKeys + configurationKeys + recordedKeys).joined(separator: ", ") + ")"))
        }
        func text(_ key: String) -> String? {
            guard let value = values[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        guard let namespace = text("namespace") ?? defaultNamespace, !namespace.isEmpty else {
            return .failure(Invalid(reason: "missing 'namespace'"))
        }
        guard let canary = text("canary") ?? defaultCanary, !canary.isEmpty else {
            return .failure(Invalid(reason: "missing 'canary' (the canary workload)"))
        }
        let primary = text("primary") ?? canary + "-primary"
        var windowMs: Int64 = 60_000
        if let window = text("window") {
            guard let ms = DurationText.milliseconds(window), ms > 0 else {
                return .failure(Invalid(reason: "invalid 'window': \(window) (use e.g. 30s, 1m, 5m)"))
            }
            windowMs = ms
        }
        var at = now
        if let time = text("time") {
            guard let seconds = Double(time), seconds.isFinite, abs(seconds) < 1e11 else {
                return .failure(Invalid(reason: "invalid 'time': \(time) (Unix seconds)"))
            }
            at = Int64((seconds * 1000).rounded())
        }
        let reporter = text("reporter") ?? "destination"
        guard reporter == "destination" || reporter == "source" else {
            return .failure(Invalid(reason: "invalid 'reporter': \(reporter) (destination or source)"))
        }

        var canaryWeight: Int?
        if let weight = text("canaryWeight") {
            guard let percent = Int(weight), (0...100).contains(percent) else {
                return .failure(Invalid(reason: "invalid 'canaryWeight': \(weight) (a whole percent, 0…100)"))
            }
            canaryWeight = percent
        }

        var configuration = JudgeConfiguration()
        if let json = text("config") {
            do {
                configuration = try JSONDecoder().decode(JudgeConfiguration.self, from: Data(json.utf8))
            } catch {
                return .failure(Invalid(reason: "invalid 'config': not a judge configuration: \(Self.describe(error))"))
            }
        }
        do throws(Invalid) {
            if let limit = try gate(values, "maxErrorPercent") { configuration.slo.maxErrorPercent = limit }
            if let limit = try gate(values, "maxP99Milliseconds") { configuration.slo.maxP99Milliseconds = limit }
            if let minimum = try number(values, "minimumRequests") {
                configuration.errors.minimumRequests = minimum
                configuration.latency.minimumRequests = minimum
            }
            if let allowed = try number(values, "errorAllowedIncrease") { configuration.errors.allowedIncrease = allowed }
            if let allowed = try number(values, "latencyAllowedIncrease") { configuration.latency.allowedIncrease = allowed }
            if let effect = try gate(values, "latencyEffectSize") { configuration.latency.effectSize = effect }
            if let alpha = try number(values, "alpha") {
                configuration.errors.alpha = alpha
                configuration.latency.alpha = alpha
            }
        } catch {
            return .failure(error)
        }
        let problems = configuration.problems
        guard problems.isEmpty else {
            return .failure(Invalid(reason: "invalid judge configuration: " + problems.joined(separator: "; ")))
        }
        return .success(CanaryParameters(
            window: CanaryWindow(namespace: namespace, canary: canary, primary: primary, reporter: reporter,
                                 windowMilliseconds: windowMs, at: at),
            configuration: configuration, canaryWeight: canaryWeight))
    }

    /// A finite number, or nil when the key is absent.
    private static func number(_ values: [String: String], _ key: String) throws(Invalid) -> Double? {
        guard let raw = values[key] else { return nil }
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard let value = Double(text), value.isFinite else {
            throw Invalid(reason: "invalid '\(key)': \(raw) (a number)")
        }
        return value
    }

    /// A limit that can be turned off: `.some(nil)` for `off`, `none` or `null`.
    private static func gate(_ values: [String: String], _ key: String) throws(Invalid) -> Double?? {
        guard let raw = values[key] else { return nil }
        let text = raw.trimmingCharacters(in: .whitespaces).lowercased()
        if ["off", "none", "null"].contains(text) { return .some(nil) }
        guard let value = Double(text), value.isFinite else {
            throw Invalid(reason: "invalid '\(key)': \(raw) (a number, or off)")
        }
        return .some(value)
    }

    /// A decoding error in one line: what is wrong and where.
    static func describe(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.isEmpty ? "" : " at " + keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return context.debugDescription + path(context.codingPath)
        case .keyNotFound(let key, let context):
            return "missing '\(key.stringValue)'" + path(context.codingPath)
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return (underlying ?? context.debugDescription) + path(context.codingPath)
        @unknown default:
            return "\(error)"
        }
    }
}
