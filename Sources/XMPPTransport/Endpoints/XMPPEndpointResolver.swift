public import Logging
import NIOCore

/// Finds the endpoints of an XMPP domain: DNS SRV for direct TLS (XEP-0368)
/// and STARTTLS (RFC 6120 §3.2.1), with the fallback of RFC 6120 §3.2.2.
///
/// The ordering rules are those of
/// ``XMPPEndpointPlan/endpoints(domain:directTLSRecords:startTLSRecords:using:)``.
public struct XMPPEndpointResolver: Sendable {
    /// The SRV service and protocol labels for direct TLS (XEP-0368).
    public static let directTLSService = "_xmpps-client._tcp"
    /// The SRV service and protocol labels for STARTTLS (RFC 6120 §3.2.1).
    public static let startTLSService = "_xmpp-client._tcp"

    private let dnsResolver: any DNSResolver
    private let logger: Logger

    /// Creates a resolver.
    /// - Parameters:
    ///   - dnsResolver: Answers the SRV queries.
    ///   - logger: Receives `debug` messages about lookups and the plan.
    public init(
        dnsResolver: any DNSResolver = SystemDNSResolver(),
        logger: Logger = Logger(label: "xmpp.transport", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.dnsResolver = dnsResolver
        self.logger = logger
    }

    /// The endpoints to try for `domain`, most preferred first.
    ///
    /// A ``XMPPServerLocation/host(_:port:security:)`` location is the only
    /// endpoint and nothing is looked up. A domain that is an IP address has
    /// no SRV records, so it is used directly on port 5222. Otherwise both SRV
    /// names are looked up concurrently; a failed lookup counts as no records
    /// and is reported in ``XMPPEndpointPlan/lookupFailures``.
    /// - Parameters:
    ///   - domain: The XMPP domain in ASCII (A-label) form, for example
    ///     `"example.com"`; an IPv6 address may be bracketed.
    ///   - location: How to find the server.
    /// - Returns: The plan; its endpoints are empty only when DNS said the
    ///   service is not offered.
    /// - Throws: `CancellationError` only.
    public func plan(for domain: String, location: XMPPServerLocation = .discover) async throws -> XMPPEndpointPlan {
        if let fixed = location.fixedEndpoint {
            return XMPPEndpointPlan(domain: domain, endpoints: [fixed])
        }
        if let address = Self.ipAddressLiteral(domain) {
            let endpoint = XMPPEndpoint(host: address, port: XMPPEndpointPlan.fallbackPort, security: .startTLS, source: .fallback)
            return XMPPEndpointPlan(domain: domain, endpoints: [endpoint])
        }
        async let directAnswer = lookUp("\(Self.directTLSService).\(domain)")
        async let startAnswer = lookUp("\(Self.startTLSService).\(domain)")
        let (direct, start) = try await (directAnswer, startAnswer)

        var generator = SystemRandomNumberGenerator()
        let endpoints = XMPPEndpointPlan.endpoints(
            domain: domain,
            directTLSRecords: (try? direct.get()) ?? [],
            startTLSRecords: (try? start.get()) ?? [],
            using: &generator
        )
        let failures = [direct, start].compactMap { result -> DNSResolutionError? in
            if case .failure(let error) = result { return error }
            return nil
        }
        logger.debug(
            "Planned XMPP endpoints",
            metadata: [
                "xmpp.domain": "\(domain)",
                "xmpp.endpoints": "\(endpoints.map(\.description))",
                "xmpp.dns_failures": "\(failures.count)",
            ]
        )
        return XMPPEndpointPlan(domain: domain, endpoints: endpoints, lookupFailures: failures)
    }

    /// One SRV lookup; failures become values so that the other lookup and
    /// the fallback still count. Only cancellation is thrown.
    private func lookUp(_ name: String) async throws -> Result<[SRVRecord], DNSResolutionError> {
        do {
            let records = try await dnsResolver.srv(name)
            logger.debug("SRV lookup answered", metadata: ["xmpp.srv_name": "\(name)", "xmpp.srv_records": "\(records.count)"])
            return .success(records)
        } catch let error as DNSResolutionError {
            logger.debug("SRV lookup failed", metadata: ["xmpp.srv_name": "\(name)", "error": "\(error)"])
            return .failure(error)
        } catch {
            // Another resolver's own error type, or cancellation.
            if error is CancellationError || Task.isCancelled { throw CancellationError() }
            logger.debug("SRV lookup failed", metadata: ["xmpp.srv_name": "\(name)", "error": "\(error)"])
            return .failure(DNSResolutionError(.resolverUnavailable, name: name, detail: "\(error)"))
        }
    }

    /// The address if `domain` is an IPv4 or IPv6 literal (brackets removed).
    static func ipAddressLiteral(_ domain: String) -> String? {
        var candidate = Substring(domain)
        if candidate.hasPrefix("["), candidate.hasSuffix("]") {
            candidate = candidate.dropFirst().dropLast()
        }
        let address = String(candidate)
        // NIO parses with inet_pton, which accepts exactly the literal forms.
        guard (try? SocketAddress(ipAddress: address, port: 0)) != nil else { return nil }
        return address
    }
}
