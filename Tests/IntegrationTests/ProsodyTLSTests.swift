import NIOCore
import NIOGnuTLS
import Testing
import XMPPCore
import XMPPTestSupport
import XMPPTransport

/// TLS against the real Prosody 0.12 of `Scripts/prosody.sh`, with
/// verification on against the generated test CA: STARTTLS and direct TLS
/// succeed for the XMPP domain while connecting to an IP address, and a
/// wrong name or an untrusted root is refused by this very server.
///
/// Runs only when `XMPP_TEST_HOST` is set (`Scripts/test.sh` starts Prosody
/// and sets it). Serialized so the server sees one client at a time and the
/// timings stay readable; every wait is bounded.
@Suite("Prosody: STARTTLS and direct TLS with verification", .serialized, .enabled(if: ProsodyServer.isConfigured))
struct ProsodyTLSTests {
    let server: ProsodyServer

    init() throws {
        server = try ProsodyServer.fromEnvironment()
    }

    // MARK: Success

    @Test("STARTTLS: plaintext offers only required STARTTLS; after <proceed/> the handshake verifies the domain; the new stream offers SASL")
    func startTLS() async throws {
        let context = try server.tlsContext()
        let connected = try await server.connector(context: context).connect(to: server.domain, location: server.location(.startTLS))
        #expect(connected.endpoint.security == .startTLS)

        try await withXMLStream(on: connected.channel) { stream in
            let firstID = try await negotiateUpToProceed(stream)

            try await stream.startTLS(context: context, serverName: server.domain)
            let negotiatedProtocol = try await stream.handshakeCompleted()
            #expect(negotiatedProtocol == nil, "no ALPN was offered on STARTTLS")

            // The stream restarts over TLS (RFC 6120 §5.4.3.3).
            try await stream.resetReader()
            try await stream.sendStreamHeader(to: server.domain)
            let header = try await stream.nextHeader()
            try checkHeader(header)
            #expect(header[attribute: "id"] != firstID, "a restarted stream gets a new id")

            try checkSecuredFeatures(try await stream.nextElement())
            try await checkConnectionInfo(stream, applicationProtocol: nil)
        }
    }

    @Test("Direct TLS: the connector's handshake verifies the domain with ALPN offered and unanswered; the stream offers SASL")
    func directTLS() async throws {
        let context = try server.tlsContext(applicationProtocols: ["xmpp-client"])
        let connected = try await server.connector(context: context).connect(to: server.domain, location: server.location(.directTLS))
        #expect(connected.endpoint.security == .directTLS)
        #expect(connected.failedAttempts.isEmpty)

        try await withXMLStream(on: connected.channel) { stream in
            // Prosody 0.12 selects no ALPN protocol on its direct-TLS port;
            // offering one must not make the handshake fail (ALPN is
            // offered, never required).
            try await checkConnectionInfo(stream, applicationProtocol: nil)

            try await stream.sendStreamHeader(to: server.domain)
            try checkHeader(try await stream.nextHeader())
            try checkSecuredFeatures(try await stream.nextElement())
        }
    }

    // MARK: Refusals: verification really is on

    @Test("A certificate for another name is refused as wrong name, and only that", arguments: ProsodyServer.Port.allCases)
    func wrongName(port: ProsodyServer.Port) async throws {
        // SNI still asks for the domain, so Prosody presents its real
        // certificate; only the name checked against it is wrong.
        let error = try await handshakeFailure(port: port, context: try server.tlsContext(), verificationName: "other.test")
        #expect(error.kind == .certificateVerificationFailed, "\(error)")
        #expect(error.certificateProblems == [.wrongName], "the chain is trusted; only the name is wrong: \(error)")
    }

    /// Anchors that did not issue the server's certificate.
    enum ForeignTrust: String, CaseIterable, Sendable {
        /// The PKI's second CA, which signed nothing Prosody serves.
        case otherCA
        /// The system store (Debian's `ca-certificates`), replaced by the
        /// test CA in the good cases.
        case system
    }

    @Test(
        "A certificate from a CA we do not trust is refused as untrusted",
        arguments: ProsodyServer.Port.allCases, ForeignTrust.allCases)
    func untrusted(port: ProsodyServer.Port, trust: ForeignTrust) async throws {
        let roots: GnuTLSConfiguration.TrustRoots =
            switch trust {
            case .otherCA: .files([server.certificates.directory + "/other-ca.pem"])
            case .system: .system
            }
        let error = try await handshakeFailure(port: port, context: try server.tlsContext(trustRoots: roots))
        #expect(error.kind == .certificateVerificationFailed, "\(error)")
        #expect(error.certificateProblems.contains(.untrusted), "\(error)")
        #expect(!error.certificateProblems.contains(.wrongName), "the name is right: \(error)")
    }

    // MARK: Steps

    /// Opens the plaintext stream, checks its header and features, sends
    /// `<starttls/>` and reads `<proceed/>`; returns the first stream's id.
    func negotiateUpToProceed(_ stream: XMLStreamChannel) async throws -> String? {
        try await stream.sendStreamHeader(to: server.domain)
        let header = try await stream.nextHeader()
        try checkHeader(header)

        let features = try await stream.nextElement()
        #expect(features.name == XMLQualifiedName("features", namespace: XMLNamespace.streams))
        let starttls = try #require(features.firstChild(named: "starttls", namespace: XMLNamespace.tls), "\(features)")
        #expect(starttls.firstChild(named: "required", namespace: XMLNamespace.tls) != nil, "STARTTLS must be required: \(starttls)")
        #expect(features.firstChild(named: "mechanisms", namespace: XMLNamespace.sasl) == nil, "no SASL before TLS: \(features)")

        try await stream.send(XMLElement("starttls", namespace: XMLNamespace.tls))
        let proceed = try await stream.nextElement()
        #expect(proceed.name == XMLQualifiedName("proceed", namespace: XMLNamespace.tls), "\(proceed)")
        // Anything after <proceed/> in the same read came before TLS and
        // must not be trusted; Prosody sends nothing there.
        #expect(try await stream.unconsumedByteCount() == 0)
        return header[attribute: "id"]
    }

    /// The header of a server's client stream.
    func checkHeader(_ header: XMLStreamHeader) throws {
        #expect(header.name == XMLQualifiedName("stream", namespace: XMLNamespace.streams))
        #expect(header.contentNamespace == XMLNamespace.client)
        #expect(header[attribute: "from"] == server.domain)
        #expect(header[attribute: "version"] == "1.0")
        let id = try #require(header[attribute: "id"], "a server stream header carries an id")
        #expect(!id.isEmpty)
    }

    /// Features of a TLS-protected, unauthenticated stream: SASL with
    /// SCRAM-SHA-1 and PLAIN (Prosody's `internal_hashed`), no STARTTLS.
    func checkSecuredFeatures(_ features: XMLElement) throws {
        #expect(features.name == XMLQualifiedName("features", namespace: XMLNamespace.streams))
        #expect(features.firstChild(named: "starttls", namespace: XMLNamespace.tls) == nil, "STARTTLS offered again: \(features)")
        let mechanisms = try #require(features.firstChild(named: "mechanisms", namespace: XMLNamespace.sasl), "\(features)")
        // Prosody changes the order between connections: compare as a set.
        let names = Set(mechanisms.children(named: "mechanism", namespace: XMLNamespace.sasl).map(\.text))
        #expect(names.isSuperset(of: ["SCRAM-SHA-1", "PLAIN"]), "\(names.sorted())")
    }

    /// TLS 1.3 with the server's certificate: the PKI's leaf when it is known.
    func checkConnectionInfo(_ stream: XMLStreamChannel, applicationProtocol: String?) async throws {
        let info = try #require(try await stream.connectionInfo(), "the handshake completed, so there is connection info")
        #expect(info.protocolVersion == .tls13, "\(info.protocolVersion)")
        #expect(info.applicationProtocol == applicationProtocol)
        let leaf = try #require(info.peerCertificate, "the server sent no certificate")
        if let expected = try server.expectedLeafDER() {
            #expect(leaf == expected, "Prosody presented another certificate than the test PKI's server leaf")
        }
    }

    /// Runs a TLS handshake that must fail and returns the GnuTLS error: on
    /// the STARTTLS port after `<proceed/>`, on the direct-TLS port through
    /// the connector. Either way the channel ends up closed.
    func handshakeFailure(
        port: ProsodyServer.Port, context: GnuTLSContext, verificationName: String? = nil
    ) async throws -> GnuTLSError {
        let connector = server.connector(context: context, verificationName: verificationName)
        switch port {
        case .startTLS:
            let connected = try await connector.connect(to: server.domain, location: server.location(.startTLS))
            return try await withXMLStream(on: connected.channel) { stream in
                _ = try await negotiateUpToProceed(stream)
                try await stream.startTLS(context: context, serverName: server.domain, verificationName: verificationName)
                let error = try #require(await #expect(throws: GnuTLSError.self) { _ = try await stream.handshakeCompleted() })
                // A refused handshake closes the channel; nothing else is
                // reported on the way.
                let before = try await stream.closed()
                #expect(before.isEmpty, "\(before)")
                #expect(!connected.channel.isActive)
                return error
            }
        case .directTLS:
            let failure = try #require(
                await #expect(throws: XMPPConnectionError.self) {
                    let connected = try await connector.connect(to: server.domain, location: server.location(.directTLS))
                    try? await connected.channel.close()
                })
            #expect(failure.code == .endpointsExhausted)
            let attempt = try #require(failure.attempts.first, "\(failure)")
            #expect(failure.attempts.count == 1)
            #expect(attempt.failure.code == .tlsFailed, "\(attempt.failure)")
            return try #require(attempt.failure.underlyingError as? GnuTLSError, "\(attempt.failure)")
        }
    }
}
