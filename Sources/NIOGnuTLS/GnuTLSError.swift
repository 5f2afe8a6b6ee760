/// Why a GnuTLS connection, context or configuration failed.
///
/// A handler reports these through `errorCaught` and then closes the
/// channel; ``GnuTLSContext`` throws them while loading. ``kind`` says what
/// went wrong in terms a caller can act on; ``code`` and ``detail`` carry
/// GnuTLS's own view for logs. Nothing in an error comes from application
/// data, so descriptions are safe to log.
public struct GnuTLSError: Error, Hashable, Sendable {
    /// What went wrong.
    public var kind: Kind
    /// The GnuTLS error code (a negative `GNUTLS_E_*` value) behind the
    /// failure, when there was one.
    public var code: Int32?
    /// GnuTLS's text for ``code`` (`gnutls_strerror`), or a short
    /// explanation of ours; for logs, never for matching.
    public var detail: String
    /// For ``Kind/certificateVerificationFailed``, every reason found;
    /// empty for other kinds.
    public var certificateProblems: CertificateProblems

    /// Creates an error.
    /// - Parameters:
    ///   - kind: What went wrong.
    ///   - code: The GnuTLS error code, if one caused it.
    ///   - detail: A short explanation for logs.
    ///   - certificateProblems: Why the peer's certificate was refused.
    public init(
        _ kind: Kind,
        code: Int32? = nil,
        detail: String = "",
        certificateProblems: CertificateProblems = []
    ) {
        self.kind = kind
        self.code = code
        self.detail = detail
        self.certificateProblems = certificateProblems
    }
}

extension GnuTLSError {
    /// The kinds of failure. A struct rather than an enum so kinds can be
    /// added without breaking code that switches over them.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case handshakeFailed, certificateVerificationFailed, handshakeEOF, uncleanShutdown
            case recordFailed, renegotiationRefused, noProgress, noTrustAnchors, closeTimedOut
            case invalidConfiguration, sessionSetupFailed
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The handshake failed for a reason other than the certificate or
        /// an EOF: no common version or cipher, a bad message, a fatal alert
        /// from the peer.
        public static let handshakeFailed = Kind(.handshakeFailed)
        /// The peer's certificate was refused; see
        /// ``GnuTLSError/certificateProblems`` for why.
        public static let certificateVerificationFailed = Kind(.certificateVerificationFailed)
        /// The connection ended before the handshake did.
        public static let handshakeEOF = Kind(.handshakeEOF)
        /// The connection ended after the handshake without the peer's
        /// `close_notify`, at a record boundary or inside a record: the data
        /// may have been truncated by an attacker or a broken network.
        public static let uncleanShutdown = Kind(.uncleanShutdown)
        /// After the handshake, a record could not be read (bad MAC, bad
        /// framing, garbage) or the peer sent a fatal alert.
        public static let recordFailed = Kind(.recordFailed)
        /// The peer asked for a renegotiation, which this library never does.
        public static let renegotiationRefused = Kind(.renegotiationRefused)
        /// GnuTLS asked to be called again too many times without consuming
        /// or producing anything; the connection was failed rather than spun.
        public static let noProgress = Kind(.noProgress)
        /// A trust store held no usable certificate authority (for example a
        /// system without `ca-certificates`).
        public static let noTrustAnchors = Kind(.noTrustAnchors)
        /// Our `close_notify` could not be written before the shutdown
        /// deadline; the channel was closed anyway.
        public static let closeTimedOut = Kind(.closeTimedOut)
        /// The configuration is inconsistent or could not be loaded (bad PEM,
        /// a missing file, pinning without pins, an oversized ALPN name).
        public static let invalidConfiguration = Kind(.invalidConfiguration)
        /// GnuTLS could not create or set up a session (out of memory, a
        /// priority string it rejects).
        public static let sessionSetupFailed = Kind(.sessionSetupFailed)

        /// A short name for the kind.
        public var description: String {
            switch base {
            case .handshakeFailed: "handshake failed"
            case .certificateVerificationFailed: "certificate verification failed"
            case .handshakeEOF: "EOF during handshake"
            case .uncleanShutdown: "unclean shutdown"
            case .recordFailed: "record failed"
            case .renegotiationRefused: "renegotiation refused"
            case .noProgress: "no forward progress"
            case .noTrustAnchors: "no trust anchors"
            case .closeTimedOut: "close timed out"
            case .invalidConfiguration: "invalid configuration"
            case .sessionSetupFailed: "session setup failed"
            }
        }
    }
}

extension GnuTLSError: CustomStringConvertible {
    /// The kind, the problems, the code and the detail, for logs.
    public var description: String {
        var text = "GnuTLS: \(kind)"
        if !certificateProblems.isEmpty { text += " (\(certificateProblems))" }
        if let code { text += " [\(code)]" }
        if !detail.isEmpty { text += ": \(detail)" }
        return text
    }
}
