import Testing
import XMPPTransport
import XMPPTestSupport

/// Merging the two SRV answers into endpoints (XEP-0368, RFC 6120 §3.2).
@Suite("Endpoint planning")
struct EndpointPlanTests {
    static let domain = "example.com"

    func record(_ priority: UInt16, _ weight: UInt16, _ target: String, port: UInt16) -> SRVRecord {
        SRVRecord(priority: priority, weight: weight, port: port, target: target)
    }

    func plan(direct: [SRVRecord], start: [SRVRecord], seed: UInt64 = 1) -> [XMPPEndpoint] {
        var generator = SeededGenerator(seed: seed)
        return XMPPEndpointPlan.endpoints(
            domain: Self.domain, directTLSRecords: direct, startTLSRecords: start, using: &generator)
    }

    func srv(_ host: String, _ port: Int, _ security: XMPPEndpoint.Security) -> XMPPEndpoint {
        XMPPEndpoint(host: host, port: port, security: security, source: .srv)
    }

    @Test("No SRV records at all: the domain on port 5222 with STARTTLS")
    func fallback() {
        #expect(plan(direct: [], start: []) == [XMPPEndpoint(host: Self.domain, port: 5222, security: .startTLS, source: .fallback)])
    }

    @Test("On equal priority, direct TLS is tried first")
    func directTLSPreferredOnTie() {
        for seed in UInt64(0)..<20 {
            let endpoints = plan(direct: [record(5, 0, "tls.example.com", port: 5223)], start: [record(5, 100, "tcp.example.com", port: 5222)], seed: seed)
            #expect(endpoints == [srv("tls.example.com", 5223, .directTLS), srv("tcp.example.com", 5222, .startTLS)])
        }
    }

    @Test("A better STARTTLS priority beats direct TLS")
    func priorityBeatsKind() {
        let endpoints = plan(direct: [record(10, 0, "tls.example.com", port: 443)], start: [record(1, 0, "tcp.example.com", port: 5222)])
        #expect(endpoints == [srv("tcp.example.com", 5222, .startTLS), srv("tls.example.com", 443, .directTLS)])
    }

    @Test("Both answers interleave by priority")
    func interleave() {
        let endpoints = plan(
            direct: [record(10, 0, "d10", port: 5223), record(0, 0, "d0", port: 5223)],
            start: [record(10, 0, "s10", port: 5222), record(5, 0, "s5", port: 5222)]
        )
        #expect(endpoints.map(\.host) == ["d0", "s5", "d10", "s10"])
        #expect(endpoints.map(\.security) == [.directTLS, .startTLS, .directTLS, .startTLS])
        #expect(endpoints.allSatisfy { $0.source == .srv })
    }

    @Test("Direct TLS only: no fallback is added")
    func directOnly() {
        #expect(plan(direct: [record(0, 0, "tls.example.com", port: 5223)], start: []) == [srv("tls.example.com", 5223, .directTLS)])
    }

    @Test("\".\" for STARTTLS and nothing for direct TLS: not offered, no fallback")
    func startTLSUnavailable() {
        #expect(plan(direct: [], start: [record(0, 0, ".", port: 0)]).isEmpty)
        #expect(plan(direct: [record(0, 0, ".", port: 0)], start: [record(0, 0, ".", port: 0)]).isEmpty)
    }

    @Test("\".\" for one service removes only that service")
    func oneServiceUnavailable() {
        let root = record(0, 0, ".", port: 0)
        #expect(plan(direct: [root], start: [record(1, 0, "tcp.example.com", port: 5222)]) == [srv("tcp.example.com", 5222, .startTLS)])
        #expect(plan(direct: [record(1, 0, "tls.example.com", port: 5223)], start: [root]) == [srv("tls.example.com", 5223, .directTLS)])
    }

    @Test("\".\" for direct TLS alone still allows the STARTTLS fallback")
    func directUnavailableFallsBack() {
        #expect(plan(direct: [record(0, 0, ".", port: 0)], start: []).map(\.source) == [.fallback])
    }

    @Test("Descriptions name host, port, security and source")
    func descriptions() {
        #expect(srv("xmpp.example.com", 5223, .directTLS).description == "xmpp.example.com:5223 (direct TLS, SRV)")
        #expect(XMPPEndpoint(host: "::1", port: 5222, security: .startTLS, source: .fallback).description == "[::1]:5222 (STARTTLS, fallback)")
    }
}
