import SiskinExposition
import SiskinIngest
import SiskinSync
import Synchronization

/// Who may push and who may read on `siskin serve`'s main port
/// (docs/aggregator.md, "Credentials"; docs/threat-model.md).
///
/// Two separate sets of bearer tokens: push tokens (`--token-file`, what
/// agents present) and read tokens (`--read-token-file`, what Flagger's
/// MetricTemplates, Grafana or prometheus-adapter present). A push token
/// cannot read and a read token cannot push; the same token in both files is
/// refused. An empty set means open: no push tokens, anyone may push; no read
/// tokens, anyone may read (Flagger's builtin checks send no credentials, so
/// demanding them by default would break the main use).
///
/// Token files are re-read when they change (`reloadIfChanged`); a file that
/// becomes unreadable or invalid leaves the previous tokens in force.
public final class AccessControl: Sendable {
    public let pushFile: String?
    public let readFile: String?

    private struct Loaded: Sendable {
        var push: BearerTokens
        var read: BearerTokens
        var pushBytes: [UInt8]?
        var readBytes: [UInt8]?
    }

    private let current: Mutex<Loaded>

    /// Fixed tokens, never reloaded (tests, `siskin demo`).
    public init(push: BearerTokens = .open, read: BearerTokens = .open) {
        pushFile = nil
        readFile = nil
        current = Mutex(Loaded(push: push, read: read, pushBytes: nil, readBytes: nil))
    }

    /// Reads the token files; throws (naming the file and line, never a
    /// token) when one is unreadable, holds no token, or shares a token with
    /// the other.
    public init(pushFile: String?, readFile: String?) throws(AccessControlError) {
        self.pushFile = pushFile
        self.readFile = readFile
        current = Mutex(try Self.load(pushFile: pushFile, readFile: readFile))
    }

    public var push: BearerTokens { current.locked { $0.push } }
    public var read: BearerTokens { current.locked { $0.read } }

    /// Re-reads the files; installs them when their bytes changed and they
    /// are valid together. Returns true when new tokens were installed.
    @discardableResult
    public func reloadIfChanged() throws(AccessControlError) -> Bool {
        guard pushFile != nil || readFile != nil else { return false }
        let pushBytes = try pushFile.map { file throws(AccessControlError) in try Self.bytes(of: file, flag: "--token-file") }
        let readBytes = try readFile.map { file throws(AccessControlError) in try Self.bytes(of: file, flag: "--read-token-file") }
        let unchanged = current.locked { $0.pushBytes == pushBytes && $0.readBytes == readBytes }
        if unchanged { return false }
        let loaded = try Self.parse(pushBytes: pushBytes, readBytes: readBytes, pushFile: pushFile, readFile: readFile)
        current.locked { $0 = loaded }
        return true
    }

    // MARK: Decisions

    /// What a request may do, or why it may not.
    public enum Decision: Sendable, Equatable {
        /// Allowed; `line` is the token's line in its file (nil when open),
        /// what logs name instead of the token.
        case allowed(TokenScope, line: Int?)
        case refused(Refusal)
    }

    /// A refusal: the HTTP status, a reason for `/metrics` and the message
    /// the client gets.
    public struct Refusal: Sendable, Equatable {
        /// 401: no or an unknown token; 403: a known token of the other kind.
        public var status: Int
        /// `unauthorized`, `read_token`, `push_token`.
        public var reason: String
        public var message: String
    }

    /// May this `Authorization` header push? Namespaces are checked once the
    /// summary is decoded (`TokenScope.violation`).
    public func authorizePush(authorization: String?) -> Decision {
        let (push, read) = current.locked { ($0.push, $0.read) }
        return Self.decide(authorization, by: push, otherKind: read, need: "pushing needs a push token (--token-file)",
                           wrongKind: Refusal(status: 403, reason: "read_token",
                                              message: "this is a read token: it cannot push; agents need a push token (--token-file)"))
    }

    /// May this `Authorization` header read?
    public func authorizeRead(authorization: String?) -> Decision {
        let (push, read) = current.locked { ($0.push, $0.read) }
        return Self.decide(authorization, by: read, otherKind: push, need: "reading needs a read token (--read-token-file)",
                           wrongKind: Refusal(status: 403, reason: "push_token",
                                              message: "this is a push token: it cannot read; readers need a read token (--read-token-file)"))
    }

    /// Allowed by `tokens` (or open); 403 `wrongKind` for a token of the
    /// other kind; 401 otherwise.
    private static func decide(_ authorization: String?, by tokens: BearerTokens, otherKind: BearerTokens, need: String,
                               wrongKind: Refusal) -> Decision {
        switch tokens.match(authorization: authorization) {
        case .open: return .allowed(.all, line: nil)
        case .accepted(let scope, let line): return .allowed(scope, line: line)
        case .missing:
            return .refused(Refusal(status: 401, reason: "unauthorized", message: "missing bearer token: " + need))
        case .unknown:
            if case .accepted = otherKind.match(authorization: authorization) { return .refused(wrongKind) }
            return .refused(Refusal(status: 401, reason: "unauthorized", message: "unknown bearer token"))
        }
    }

    // MARK: Loading

    /// Token files are a few KB; anything huge is not one.
    static let maxFileBytes = 1 << 20

    private static func bytes(of file: String, flag: String) throws(AccessControlError) -> [UInt8] {
        do {
            return try BodyReader.readAll(file, limit: maxFileBytes)
        } catch {
            throw AccessControlError(description: "\(flag) \(file): \(error)")
        }
    }

    private static func load(pushFile: String?, readFile: String?) throws(AccessControlError) -> Loaded {
        let pushBytes = try pushFile.map { file throws(AccessControlError) in try bytes(of: file, flag: "--token-file") }
        let readBytes = try readFile.map { file throws(AccessControlError) in try bytes(of: file, flag: "--read-token-file") }
        return try parse(pushBytes: pushBytes, readBytes: readBytes, pushFile: pushFile, readFile: readFile)
    }

    private static func parse(pushBytes: [UInt8]?, readBytes: [UInt8]?, pushFile: String?, readFile: String?)
        throws(AccessControlError) -> Loaded {
        let push = try tokens(pushBytes, file: pushFile, flag: "--token-file")
        let read = try tokens(readBytes, file: readFile, flag: "--read-token-file")
        // Scoping reads soundly would mean rewriting every PromQL query and
        // filtering every listing; until then a scope on a read token would
        // only look like one, so it is refused.
        if read.scopedCount > 0 {
            throw AccessControlError(description: """
                --read-token-file \(readFile ?? ""): namespaces= is not supported on read tokens \
                (a read token reads every namespace; docs/threat-model.md)
                """)
        }
        if let shared = push.lines(sharedWith: read).first {
            throw AccessControlError(description: """
                line \(shared.line) of --token-file \(pushFile ?? "") and line \(shared.otherLine) of --read-token-file \
                \(readFile ?? "") hold the same token: push and read tokens must differ
                """)
        }
        return Loaded(push: push, read: read, pushBytes: pushBytes, readBytes: readBytes)
    }

    private static func tokens(_ bytes: [UInt8]?, file: String?, flag: String) throws(AccessControlError) -> BearerTokens {
        guard let bytes else { return .open }
        let tokens: BearerTokens
        do {
            tokens = try BearerTokens(fileContents: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw AccessControlError(description: "\(flag) \(file ?? ""): \(error)")
        }
        guard !tokens.isOpen else { throw AccessControlError(description: "\(flag) \(file ?? "") holds no token") }
        return tokens
    }
}

/// Token files that cannot be used.
public struct AccessControlError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
