/// Looks up DNS SRV records.
///
/// ``SystemDNSResolver`` asks the system's nameservers through libresolv;
/// tests and applications with their own DNS stack supply other
/// implementations.
public protocol DNSResolver: Sendable {
    /// The SRV records of a name, in the order of the answer.
    ///
    /// A name that does not exist (NXDOMAIN) or has no SRV records is not an
    /// error: the result is empty, because for XMPP that simply means "use
    /// the fallback" (RFC 6120 §3.2.2).
    /// - Parameter name: The full query name, for example
    ///   `"_xmpp-client._tcp.example.com"`, in ASCII (A-label) form.
    /// - Returns: The records; `[]` when there are none.
    /// - Throws: ``DNSResolutionError`` when no usable answer arrived, or
    ///   `CancellationError` when the task was cancelled.
    func srv(_ name: String) async throws -> [SRVRecord]
}

/// Why a DNS lookup produced no usable answer.
///
/// "No such name" and "no records" are not errors (see
/// ``DNSResolver/srv(_:)``); this covers everything that leaves the answer
/// unknown.
public struct DNSResolutionError: Error, Hashable, Sendable {
    /// What went wrong.
    public var code: Code
    /// The name that was looked up.
    public var name: String
    /// A short technical detail for logs (never record content).
    public var detail: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - name: The name that was looked up.
    ///   - detail: A short technical detail for logs.
    public init(_ code: Code, name: String, detail: String = "") {
        self.code = code
        self.name = name
        self.detail = detail
    }
}

extension DNSResolutionError {
    /// The kinds of failure. A struct rather than an enum so kinds can be
    /// added without breaking code that switches over them.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case timedOut, nameserverUnreachable, serverFailure, refused, malformedResponse, invalidName
            case resolverUnavailable
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No nameserver gave a usable answer within the resolver's time
        /// limit. libresolv treats SERVFAIL, REFUSED and NOTIMP replies as
        /// "ask the next nameserver", so when every nameserver answers that
        /// way the lookup ends like this too.
        public static let timedOut = Code(.timedOut)
        /// No nameserver could be reached (ICMP port or host unreachable).
        public static let nameserverUnreachable = Code(.nameserverUnreachable)
        /// A temporary failure other than the two above.
        public static let serverFailure = Code(.serverFailure)
        /// A nameserver answered that it cannot process the query (FORMERR,
        /// or another non-recoverable reply); asking again will not help.
        public static let refused = Code(.refused)
        /// The answer could not be parsed.
        public static let malformedResponse = Code(.malformedResponse)
        /// The name is not a valid DNS name (empty, too long, not ASCII, ...).
        public static let invalidName = Code(.invalidName)
        /// The resolver could not be set up or run (configuration unreadable,
        /// unsupported nameserver address, thread pool shut down).
        public static let resolverUnavailable = Code(.resolverUnavailable)

        /// The kind's name, for example `"timedOut"`.
        public var description: String {
            switch base {
            case .timedOut: "timedOut"
            case .nameserverUnreachable: "nameserverUnreachable"
            case .serverFailure: "serverFailure"
            case .refused: "refused"
            case .malformedResponse: "malformedResponse"
            case .invalidName: "invalidName"
            case .resolverUnavailable: "resolverUnavailable"
            }
        }
    }
}

extension DNSResolutionError: CustomStringConvertible {
    /// For example `"DNS lookup of _xmpp-client._tcp.example.com failed: timedOut"`.
    public var description: String {
        // No name: the resolver itself could not be set up.
        let base = name.isEmpty ? "DNS resolver failed: \(code)" : "DNS lookup of \(name) failed: \(code)"
        return detail.isEmpty ? base : "\(base) (\(detail))"
    }
}
