/// Why one connection attempt to an ``XMPPEndpoint`` failed.
public struct ConnectionAttemptFailure: Error, Sendable {
    /// The kind of failure.
    public var code: Code
    /// A short human-readable detail, for example the TLS library's message.
    public var detail: String
    /// The error that caused the failure, when there was one.
    public var underlyingError: (any Error)?

    /// Creates a failure.
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - detail: A short human-readable detail.
    ///   - underlyingError: The error that caused it.
    public init(_ code: Code, detail: String = "", underlyingError: (any Error)? = nil) {
        self.code = code
        self.detail = detail
        self.underlyingError = underlyingError
    }
}

extension ConnectionAttemptFailure {
    /// The kinds of failure. A struct rather than an enum so kinds can be
    /// added without breaking code that switches over them.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case hostNotFound, connectionRefused, connectTimedOut, connectFailed
            case tlsHandshakeTimedOut, tlsFailed
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The host name has no usable A or AAAA records.
        public static let hostNotFound = Code(.hostNotFound)
        /// Every address of the host refused the TCP connection.
        public static let connectionRefused = Code(.connectionRefused)
        /// No address of the host accepted the TCP connection within the
        /// connect timeout.
        public static let connectTimedOut = Code(.connectTimedOut)
        /// The TCP connection failed for another reason (unreachable network,
        /// reset, ...).
        public static let connectFailed = Code(.connectFailed)
        /// The TCP connection was made but the TLS handshake did not finish
        /// within the handshake timeout.
        public static let tlsHandshakeTimedOut = Code(.tlsHandshakeTimedOut)
        /// The TLS handler could not be set up, the handshake failed
        /// (certificate rejected, protocol error) or the server closed the
        /// connection during it.
        public static let tlsFailed = Code(.tlsFailed)

        /// A few words, for example `"connection refused"`.
        public var description: String {
            switch base {
            case .hostNotFound: "host not found"
            case .connectionRefused: "connection refused"
            case .connectTimedOut: "connect timed out"
            case .connectFailed: "connect failed"
            case .tlsHandshakeTimedOut: "TLS handshake timed out"
            case .tlsFailed: "TLS failed"
            }
        }
    }
}

extension ConnectionAttemptFailure: CustomStringConvertible {
    /// The kind, with the detail when there is one, for example
    /// `"TLS failed: certificate does not match example.com"`.
    public var description: String {
        detail.isEmpty ? code.description : "\(code): \(detail)"
    }
}
