import NIOCore
import NIOSSL
import SiskinExposition
import SiskinSync
import Synchronization

/// The metrics API's serving certificate and key, read from PEM files and
/// re-read when they change: cert-manager (or the kubelet's projected
/// Secret) replaces them in place, and the aggregation layer must see the
/// new certificate without a restart. Every TLS handshake asks for the
/// current pair (`sslContextCallback`), so new connections get a rotated
/// certificate as soon as `reloadIfChanged()` has read it; open connections
/// keep theirs.
public final class CertificateStore: Sendable {
    public let certificateFile: String
    public let keyFile: String

    private struct Loaded: Sendable {
        var chain: [NIOSSLCertificate]
        var key: NIOSSLPrivateKey
        /// The files' bytes, to tell a change from a re-write of the same.
        var certificateBytes: [UInt8]
        var keyBytes: [UInt8]
    }

    private let current: Mutex<Loaded>

    /// Reads both files; throws when either is missing or not a usable PEM
    /// certificate chain and matching private key.
    public init(certificateFile: String, keyFile: String) throws {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        current = Mutex(try Self.load(certificateFile: certificateFile, keyFile: keyFile))
    }

    /// Re-reads the files; installs them when their bytes changed and they
    /// form a usable pair. Returns true when a new pair was installed. A
    /// half-written or mismatched pair throws and leaves the old one serving
    /// (the next check tries again).
    @discardableResult
    public func reloadIfChanged() throws -> Bool {
        let certificateBytes = try BodyReader.readAll(certificateFile, limit: Self.maxFileBytes)
        let keyBytes = try BodyReader.readAll(keyFile, limit: Self.maxFileBytes)
        let unchanged = current.locked { $0.certificateBytes == certificateBytes && $0.keyBytes == keyBytes }
        if unchanged { return false }
        let loaded = try Self.parse(certificateBytes: certificateBytes, keyBytes: keyBytes)
        current.locked { $0 = loaded }
        return true
    }

    /// The certificate chain being served, as PEM (for logs and tests).
    public var certificatePEM: String {
        String(decoding: current.locked { $0.certificateBytes }, as: UTF8.self)
    }

    /// The server TLS configuration: starts from the pair loaded now and
    /// consults the store on every handshake.
    /// With `clientCAs`, a client may present a certificate, which must
    /// chain to them (the front proxy's); without one it is still served
    /// (probes), and the routes decide.
    func tlsConfiguration(clientCAs: [NIOSSLCertificate]? = nil) -> TLSConfiguration {
        let (chain, key) = current.locked { ($0.chain, $0.key) }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        if let clientCAs {
            configuration.certificateVerification = .optionalVerification
            configuration.trustRoots = .certificates(clientCAs)
        }
        configuration.sslContextCallback = { [self] _, promise in
            let (chain, key) = current.locked { ($0.chain, $0.key) }
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = chain.map { .certificate($0) }
            override.privateKey = .privateKey(key)
            promise.succeed(override)
        }
        return configuration
    }

    /// PEM files of a few certificates are a few KB; anything huge is not one.
    static let maxFileBytes = 1 << 20

    private static func load(certificateFile: String, keyFile: String) throws -> Loaded {
        try parse(certificateBytes: BodyReader.readAll(certificateFile, limit: maxFileBytes),
                  keyBytes: BodyReader.readAll(keyFile, limit: maxFileBytes))
    }

    private static func parse(certificateBytes: [UInt8], keyBytes: [UInt8]) throws -> Loaded {
        let chain = try NIOSSLCertificate.fromPEMBytes(certificateBytes)
        guard !chain.isEmpty else { throw CertificateError("no certificate in the certificate file") }
        let key = try NIOSSLPrivateKey(bytes: keyBytes, format: .pem)
        // Building a context checks that the key belongs to the certificate.
        _ = try NIOSSLContext(configuration: .makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)))
        return Loaded(chain: chain, key: key, certificateBytes: certificateBytes, keyBytes: keyBytes)
    }
}

/// Certificate files that cannot be served.
public struct CertificateError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
