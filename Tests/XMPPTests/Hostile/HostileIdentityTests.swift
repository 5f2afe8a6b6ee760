import NIOCore
import NIOGnuTLS
import NIOPosix
import Testing
import XMPPCore
import XMPPTestSupport
import XMPPTransport

import XMPP

/// security.md §6 group D, the cases that need the whole client: H53 (the
/// endpoint's host is never the reference identity) and H54 (an IDN domain
/// is verified in its A-label form). The real `XMPPConnection.withConnection`
/// reaches a direct-TLS endpoint named `localhost` (as an SRV target or a
/// configured host would be) on a loopback TLS echo server that presents a
/// chosen test leaf. The TLS-level half of each case is in
/// `NIOGnuTLSTests.HostileCertificateIdentityTests`.
///
/// The echo server speaks no XMPP: after a good handshake the client fails
/// later, on the echoed stream header or a short deadline. The controls
/// assert only that this later failure is not a TLS one.
@Suite("Hostile identities end to end (security.md §6 D)", .timeLimit(.minutes(1)))
struct HostileIdentityTests {
    /// The endpoint host: resolvable everywhere, and named in the
    /// `localhost` leaf; never an XMPP domain here.
    static let endpointHost = "localhost"

    /// Connects the account `alice@domain` through ``endpointHost`` to a
    /// server presenting `identity`, and returns how the connection failed.
    private func failure(
        domain: String, presenting identity: TestCertificates.Name, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> XMPPClientError {
        let certificates = try TestCertificates.load()
        let server = try await GnuTLSLoopbackServer.start(
            context: try GnuTLSTestServerContext(identity: certificates.identity(identity)),
            group: MultiThreadedEventLoopGroup.singleton)
        var tls = GnuTLSConfiguration()
        tls.trustRoots = .pem(certificates.caPEM)
        tls.shutdownTimeout = .seconds(1)
        let configuration = XMPPConnection.Configuration(
            jid: try BareJID("alice@\(domain)"), password: "unused",
            serverLocation: .host(Self.endpointHost, port: server.port, security: .directTLS), tls: tls,
            timeouts: .init(
                connect: .seconds(5), tlsHandshake: .seconds(5), negotiationStep: .seconds(2),
                authentication: .seconds(2), close: .seconds(1), iq: .seconds(2)))
        let error = await #expect(throws: XMPPClientError.self, sourceLocation: sourceLocation) {
            try await XMPPConnection.withConnection(configuration: configuration) { _ in }
        }
        try await server.close()
        return try #require(error, sourceLocation: sourceLocation)
    }

    @Test("H53: a certificate valid for the endpoint host but not the JID domain fails as wrongName")
    func H53_endpointHostCertificate() async throws {
        let error = try await failure(domain: "xmpp.test", presenting: .localhost)
        #expect(error.code == .connectFailed, "\(error)")
        #expect(error.connectionError?.attempts.last?.endpoint.host == Self.endpointHost)
        let tls = try #require(error.tlsError, "\(error)")
        #expect(tls.kind == .certificateVerificationFailed)
        #expect(tls.certificateProblems == .wrongName, "verified against xmpp.test, not \(Self.endpointHost)")
    }

    @Test("H53 control: the domain's certificate at that endpoint passes TLS; the host name plays no part")
    func H53_domainCertificateAtEndpoint() async throws {
        let error = try await failure(domain: "xmpp.test", presenting: .server)
        #expect(error.tlsError == nil, "\(error)")
        #expect(error.code != .connectFailed && error.code != .tlsFailed, "\(error)")
    }

    @Test("H54: the domain bücher.test is verified as xn--bcher-kva.test: the A-label certificate passes TLS")
    func H54_idnDomain() async throws {
        #expect(try BareJID("alice@bücher.test").asciiDomain == "xn--bcher-kva.test")
        let error = try await failure(domain: "bücher.test", presenting: .idn)
        #expect(error.tlsError == nil, "\(error)")
        #expect(error.code != .connectFailed && error.code != .tlsFailed, "\(error)")
    }

    @Test("H54: a certificate for another domain still fails for bücher.test")
    func H54_idnDomainWrongCertificate() async throws {
        let error = try await failure(domain: "bücher.test", presenting: .server)
        #expect(error.tlsError?.certificateProblems == .wrongName, "\(error)")
    }
}
