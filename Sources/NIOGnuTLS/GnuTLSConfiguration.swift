public import NIOCore

/// What a TLS client asks for: whom to trust, how to check the peer, what to
/// offer. A value; compile it once into a ``GnuTLSContext`` and share that.
///
/// The defaults are the secure ones: the system's certificate authorities,
/// full verification of the chain, the name and the server-auth purpose,
/// TLS 1.2 or newer (up to TLS 1.3), no client certificate, no ALPN.
///
/// ```swift
/// var configuration = GnuTLSConfiguration()
/// configuration.trustRoots = .system.adding(.pem(companyRootPEM))
/// configuration.applicationProtocols = ["xmpp-client"]
/// let context = try GnuTLSContext(configuration: configuration)
/// ```
public struct GnuTLSConfiguration: Sendable {
    /// The certificate authorities that anchor verification. Ignored by
    /// ``CertificateVerification/pinnedOnly`` and
    /// ``CertificateVerification/insecureNoVerification``.
    public var trustRoots: TrustRoots
    /// How the server's certificate is checked.
    public var certificateVerification: CertificateVerification
    /// SHA-256 hashes of acceptable server public keys (SubjectPublicKeyInfo).
    /// With ``CertificateVerification/full`` they are checked after the
    /// normal verification succeeds; with
    /// ``CertificateVerification/pinnedOnly`` they replace it. Empty means
    /// no pinning.
    public var publicKeyPins: [PublicKeyPin]
    /// A certificate and key to present if the server asks for one (for
    /// SASL EXTERNAL); `nil` sends none.
    public var clientCertificate: ClientCertificate?
    /// ALPN protocol names to offer, most preferred first. Offered, never
    /// required: a server that ignores ALPN is still accepted.
    public var applicationProtocols: [String]
    /// The oldest protocol version to accept: ``TLSProtocolVersion/tls12``
    /// (RFC 7590) or ``TLSProtocolVersion/tls13``.
    public var minimumVersion: TLSProtocolVersion
    /// The newest protocol version to offer, or `nil` (the default) for no
    /// cap: the newest this library supports, TLS 1.3.
    ///
    /// ``TLSProtocolVersion/tls12`` keeps TLS 1.3 out of the handshake. That
    /// gives up TLS 1.3's stronger handshake, so set it only for a reason,
    /// such as SCRAM-…-PLUS with a server that binds only to TLS 1.2's
    /// `tls-unique` (Prosody 0.12 offers `-PLUS` only on TLS 1.2). It must
    /// not be older than ``minimumVersion``; ``GnuTLSContext`` refuses a
    /// cap outside TLS 1.2…1.3 or below the minimum.
    public var maximumVersion: TLSProtocolVersion?
    /// How long closing waits for our `close_notify` to be written before it
    /// closes the channel anyway.
    public var shutdownTimeout: TimeAmount

    /// Creates the default, secure configuration.
    public init() {
        trustRoots = .system
        certificateVerification = .full
        publicKeyPins = []
        clientCertificate = nil
        applicationProtocols = []
        minimumVersion = .tls12
        maximumVersion = nil
        shutdownTimeout = .seconds(5)
    }
}

extension GnuTLSConfiguration {
    /// Where trusted certificate authorities come from. Combine sources with
    /// ``adding(_:)``: `.system.adding(.pem(x))` adds to the system store,
    /// while `.pem(x)` alone replaces it.
    public struct TrustRoots: Hashable, Sendable {
        enum Source: Hashable, Sendable {
            case system
            case pem(String)
            case file(String)
        }

        /// The sources, loaded in this order.
        let sources: [Source]

        /// The operating system's store (`gnutls_certificate_set_x509_system_trust`).
        /// Loading it fails with ``GnuTLSError/Kind/noTrustAnchors`` if it holds
        /// no certificate, rather than trusting nothing in silence.
        public static let system = TrustRoots(sources: [.system])

        /// The certificate authorities in a PEM string (one or more
        /// `CERTIFICATE` blocks), instead of the system store.
        public static func pem(_ pem: String) -> TrustRoots { TrustRoots(sources: [.pem(pem)]) }

        /// The certificate authorities in PEM files, instead of the system store.
        public static func files(_ paths: [String]) -> TrustRoots {
            TrustRoots(sources: paths.map(Source.file))
        }

        /// These roots and `other`'s together.
        public func adding(_ other: TrustRoots) -> TrustRoots {
            TrustRoots(sources: sources + other.sources.filter { !sources.contains($0) })
        }

        /// Whether the system store is among the sources.
        public var includesSystemStore: Bool { sources.contains(.system) }
    }

    /// How a server certificate is judged. A struct over a private enum so
    /// that modes can be added later.
    public struct CertificateVerification: Hashable, Sendable, CustomStringConvertible {
        enum Mode: Hashable, Sendable {
            case full, pinnedOnly, insecureNoVerification
        }

        let mode: Mode

        /// The chain must lead to a trusted root, every certificate must be
        /// in date, the leaf must be for the verification name and for TLS
        /// server use; then any ``GnuTLSConfiguration/publicKeyPins`` must match.
        public static let full = CertificateVerification(mode: .full)
        /// Only the pins decide: a certificate whose public key matches one of
        /// ``GnuTLSConfiguration/publicKeyPins`` is accepted whoever signed it
        /// and whatever name it carries. For servers with a self-signed
        /// certificate whose key is known in advance.
        public static let pinnedOnly = CertificateVerification(mode: .pinnedOnly)
        /// Accepts any certificate from anyone: the connection is encrypted
        /// but not authenticated, so an attacker on the path can read and
        /// change everything. Never the default; for debugging only.
        public static let insecureNoVerification = CertificateVerification(mode: .insecureNoVerification)

        /// A short name for the mode.
        public var description: String {
            switch mode {
            case .full: "full"
            case .pinnedOnly: "pinned only"
            case .insecureNoVerification: "insecure (no verification)"
            }
        }
    }

    /// A client certificate and its private key, in PEM.
    public struct ClientCertificate: Hashable, Sendable {
        enum Source: Hashable, Sendable {
            case pem(chain: String, key: String)
            case files(chain: String, key: String)
        }

        let source: Source

        /// The certificate chain (leaf first) and an unencrypted private key,
        /// as PEM strings.
        public static func pem(certificateChain: String, privateKey: String) -> ClientCertificate {
            ClientCertificate(source: .pem(chain: certificateChain, key: privateKey))
        }

        /// The certificate chain (leaf first) and an unencrypted private key,
        /// as paths of PEM files.
        public static func files(certificateChain: String, privateKey: String) -> ClientCertificate {
            ClientCertificate(source: .files(chain: certificateChain, key: privateKey))
        }
    }
}
