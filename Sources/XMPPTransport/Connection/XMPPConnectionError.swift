/// Why no connection to an XMPP server could be established: every endpoint
/// that was tried, and why each failed.
///
/// The description lists them one per line, so the error can be shown or
/// logged as it is. It names hosts and ports, never credentials.
public struct XMPPConnectionError: Error, Sendable {
    /// What happened overall.
    public var code: Code
    /// The XMPP domain a connection was wanted for.
    public var domain: String
    /// Every endpoint tried, in order, with the reason it failed.
    public var attempts: [Attempt]
    /// SRV lookups that produced no answer; they may explain why only the
    /// fallback was tried.
    public var lookupFailures: [DNSResolutionError]

    /// Creates an error.
    /// - Parameters:
    ///   - code: What happened overall.
    ///   - domain: The XMPP domain.
    ///   - attempts: Every endpoint tried, with its failure.
    ///   - lookupFailures: SRV lookups that produced no answer.
    public init(_ code: Code, domain: String, attempts: [Attempt], lookupFailures: [DNSResolutionError] = []) {
        self.code = code
        self.domain = domain
        self.attempts = attempts
        self.lookupFailures = lookupFailures
    }

    /// One failed connection attempt.
    public struct Attempt: Sendable {
        /// The endpoint that was tried.
        public var endpoint: XMPPEndpoint
        /// Why it failed.
        public var failure: ConnectionAttemptFailure

        /// Creates an attempt record.
        /// - Parameters:
        ///   - endpoint: The endpoint that was tried.
        ///   - failure: Why it failed.
        public init(endpoint: XMPPEndpoint, failure: ConnectionAttemptFailure) {
            self.endpoint = endpoint
            self.failure = failure
        }
    }
}

extension XMPPConnectionError {
    /// What happened overall. A struct rather than an enum so cases can be
    /// added without breaking code that switches over them.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case endpointsExhausted, serviceUnavailable
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Every endpoint was tried and none gave a connection.
        public static let endpointsExhausted = Code(.endpointsExhausted)
        /// DNS says the domain offers no XMPP client service (an SRV answer
        /// of `"."`), so nothing was tried.
        public static let serviceUnavailable = Code(.serviceUnavailable)

        /// The code's name, for example `"endpointsExhausted"`.
        public var description: String {
            switch base {
            case .endpointsExhausted: "endpointsExhausted"
            case .serviceUnavailable: "serviceUnavailable"
            }
        }
    }
}

extension XMPPConnectionError: CustomStringConvertible {
    /// A headline followed by one indented line per attempt and per failed
    /// DNS lookup.
    public var description: String {
        var lines: [String]
        if code == .serviceUnavailable {
            lines = ["No XMPP client service at \(domain): DNS SRV says it is not offered"]
        } else {
            lines = ["Could not connect to the XMPP server of \(domain): all \(attempts.count) endpoint(s) failed"]
        }
        for (index, attempt) in attempts.enumerated() {
            lines.append("  \(index + 1). \(attempt.endpoint): \(attempt.failure)")
        }
        for failure in lookupFailures {
            lines.append("  \(failure)")
        }
        return lines.joined(separator: "\n")
    }
}
