/// The endpoints to try for one XMPP domain, most preferred first, and the
/// DNS lookups that failed on the way.
public struct XMPPEndpointPlan: Hashable, Sendable {
    /// The XMPP domain the plan is for; the server's certificate must match
    /// it whichever endpoint is used.
    public var domain: String
    /// The endpoints in the order to try them. Empty when DNS said the
    /// service is decidedly not available at the domain.
    public var endpoints: [XMPPEndpoint]
    /// SRV lookups that produced no answer (timeout, server failure). They
    /// do not stop the plan — a failed lookup counts as "no records" — but
    /// explain a fallback and belong in the error if every endpoint fails.
    public var lookupFailures: [DNSResolutionError]

    /// Creates a plan.
    /// - Parameters:
    ///   - domain: The XMPP domain.
    ///   - endpoints: The endpoints in the order to try them.
    ///   - lookupFailures: SRV lookups that produced no answer.
    public init(domain: String, endpoints: [XMPPEndpoint], lookupFailures: [DNSResolutionError] = []) {
        self.domain = domain
        self.endpoints = endpoints
        self.lookupFailures = lookupFailures
    }
}

extension XMPPEndpointPlan {
    /// The port of the fallback endpoint (RFC 6120 §3.2.2).
    public static let fallbackPort = 5222

    /// Orders the endpoints of a domain from its two SRV answers.
    ///
    /// The rules, in order:
    /// 1. An answer that is exactly one record with target `"."` says the
    ///    service is not offered; its records are dropped (RFC 2782).
    /// 2. Each answer is put in RFC 2782 order on its own
    ///    (``SRVRecord/ordered(_:using:)``), then the two are merged by
    ///    priority; on equal priority every direct-TLS record comes before
    ///    every STARTTLS record. XEP-0368 lets a client prefer one kind; we
    ///    prefer direct TLS because it saves round trips and cannot be
    ///    downgraded by stripping `<starttls/>`, but only within a priority,
    ///    so an operator who ranks STARTTLS higher is still obeyed. Weights
    ///    are compared only among records of the same kind.
    /// 3. With no usable record at all, the domain itself on port 5222 with
    ///    STARTTLS (RFC 6120 §3.2.2) — unless the `_xmpp-client` answer said
    ///    "not offered": then the fallback, which is that very service, is
    ///    not offered either, and the result is empty.
    /// - Parameters:
    ///   - domain: The XMPP domain, used for the fallback endpoint.
    ///   - directTLSRecords: The `_xmpps-client._tcp` answer (`[]` when the
    ///     lookup found nothing or failed).
    ///   - startTLSRecords: The `_xmpp-client._tcp` answer (likewise).
    ///   - generator: The source of randomness for weighted ordering.
    /// - Returns: The endpoints, most preferred first.
    public static func endpoints(
        domain: String,
        directTLSRecords: [SRVRecord],
        startTLSRecords: [SRVRecord],
        using generator: inout some RandomNumberGenerator
    ) -> [XMPPEndpoint] {
        // `ordered` drops "." targets, which covers rule 1.
        let direct = SRVRecord.ordered(directTLSRecords, using: &generator)
        let start = SRVRecord.ordered(startTLSRecords, using: &generator)
        if direct.isEmpty && start.isEmpty {
            if SRVRecord.isServiceDecidedlyUnavailable(startTLSRecords) { return [] }
            return [XMPPEndpoint(host: domain, port: fallbackPort, security: .startTLS, source: .fallback)]
        }
        var merged: [XMPPEndpoint] = []
        merged.reserveCapacity(direct.count + start.count)
        var directIndex = 0
        var startIndex = 0
        while directIndex < direct.count || startIndex < start.count {
            // Both lists are sorted by priority; `<=` lets direct TLS win ties.
            let takeDirect =
                startIndex == start.count
                || (directIndex < direct.count && direct[directIndex].priority <= start[startIndex].priority)
            if takeDirect {
                merged.append(endpoint(for: direct[directIndex], security: .directTLS))
                directIndex += 1
            } else {
                merged.append(endpoint(for: start[startIndex], security: .startTLS))
                startIndex += 1
            }
        }
        return merged
    }

    /// The endpoint an SRV record names.
    private static func endpoint(for record: SRVRecord, security: XMPPEndpoint.Security) -> XMPPEndpoint {
        XMPPEndpoint(host: record.target, port: Int(record.port), security: security, source: .srv)
    }
}
