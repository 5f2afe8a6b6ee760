import Testing
import XMPPTransport

/// Which lookups `XMPPEndpointResolver` makes and how it treats their outcome.
@Suite("XMPPEndpointResolver")
struct EndpointResolverTests {
    static let directName = "_xmpps-client._tcp.example.com"
    static let startName = "_xmpp-client._tcp.example.com"

    @Test("Both SRV names are looked up")
    func looksUpBoth() async throws {
        let dns = StubDNSResolver([
            Self.directName: .records([SRVRecord(priority: 0, weight: 0, port: 5223, target: "tls.example.com")]),
            Self.startName: .records([SRVRecord(priority: 1, weight: 0, port: 5222, target: "tcp.example.com")]),
        ])
        let plan = try await XMPPEndpointResolver(dnsResolver: dns).plan(for: "example.com")
        #expect(Set(dns.queries) == [Self.directName, Self.startName])
        #expect(plan.domain == "example.com")
        #expect(plan.endpoints.map(\.host) == ["tls.example.com", "tcp.example.com"])
        #expect(plan.lookupFailures.isEmpty)
    }

    @Test("An override skips DNS entirely", arguments: [XMPPEndpoint.Security.directTLS, .startTLS])
    func overrideSkipsDNS(security: XMPPEndpoint.Security) async throws {
        let dns = StubDNSResolver([:])
        let plan = try await XMPPEndpointResolver(dnsResolver: dns)
            .plan(for: "example.com", location: .host("10.0.0.1", port: 5999, security: security))
        #expect(dns.queries.isEmpty)
        #expect(plan.endpoints == [XMPPEndpoint(host: "10.0.0.1", port: 5999, security: security, source: .override)])
    }

    @Test("An IP-address domain has no SRV records: used directly on 5222", arguments: [
        ("127.0.0.1", "127.0.0.1"), ("[::1]", "::1"), ("::1", "::1"),
    ])
    func ipLiteral(domain: String, host: String) async throws {
        let dns = StubDNSResolver([:])
        let plan = try await XMPPEndpointResolver(dnsResolver: dns).plan(for: domain)
        #expect(dns.queries.isEmpty)
        #expect(plan.endpoints == [XMPPEndpoint(host: host, port: 5222, security: .startTLS, source: .fallback)])
    }

    @Test("A failed lookup counts as no records and is reported")
    func oneLookupFails() async throws {
        let dns = StubDNSResolver([
            Self.directName: .failure(.timedOut),
            Self.startName: .records([SRVRecord(priority: 0, weight: 0, port: 5222, target: "tcp.example.com")]),
        ])
        let plan = try await XMPPEndpointResolver(dnsResolver: dns).plan(for: "example.com")
        #expect(plan.endpoints.map(\.host) == ["tcp.example.com"])
        #expect(plan.lookupFailures == [DNSResolutionError(.timedOut, name: Self.directName)])
    }

    @Test("Both lookups failing leads to the fallback, with both failures reported")
    func bothFail() async throws {
        let dns = StubDNSResolver([Self.directName: .failure(.serverFailure), Self.startName: .foreignError])
        let plan = try await XMPPEndpointResolver(dnsResolver: dns).plan(for: "example.com")
        #expect(plan.endpoints == [XMPPEndpoint(host: "example.com", port: 5222, security: .startTLS, source: .fallback)])
        #expect(plan.lookupFailures.map(\.code) == [.serverFailure, .resolverUnavailable])
        #expect(plan.lookupFailures.last?.detail == "foreign failure")
    }

    @Test("End to end through libresolv and the loopback responder")
    func throughSystemResolver() async throws {
        let zone: [String: ZoneEntry] = [
            Self.directName: .records([SRVRecord(priority: 5, weight: 0, port: 5223, target: "xmpp.example.com")]),
            Self.startName: .records([SRVRecord(priority: 5, weight: 0, port: 5222, target: "xmpp.example.com")]),
        ]
        let plan = try await withLoopbackDNSResponder(zone) { address, _ in
            let dns = try SystemDNSResolver(nameserver: address, timeout: .seconds(1), attempts: 1)
            return try await XMPPEndpointResolver(dnsResolver: dns).plan(for: "example.com")
        }
        #expect(plan.endpoints == [
            XMPPEndpoint(host: "xmpp.example.com", port: 5223, security: .directTLS, source: .srv),
            XMPPEndpoint(host: "xmpp.example.com", port: 5222, security: .startTLS, source: .srv),
        ])
    }
}
