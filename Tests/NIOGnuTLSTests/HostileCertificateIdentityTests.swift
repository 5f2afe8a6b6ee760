import CGnuTLS
import NIOCore
import NIOEmbedded
import NIOGnuTLS
import NIOTLS
import Testing
import XMPPTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension NIOGnuTLSTests {
    /// security.md §6 group D, the identity cases (H46, H49–H50, H52–H56):
    /// real handshakes over loopback TCP with the test CA (in memory for
    /// H56), each refused for the reason §6 names, beside the controls that
    /// show the fixture is otherwise good. H53's end-to-end half, through
    /// `XMPPConnection`, is in `XMPPTests.HostileIdentityTests`.
    @Suite("Hostile certificate identities (security.md §6 D)")
    struct HostileCertificateIdentityTests {
        private func expect(
            _ identity: TestCertificates.Name, name: String, _ problems: GnuTLSError.CertificateProblems?,
            client: GnuTLSContext? = nil, sourceLocation: SourceLocation = #_sourceLocation
        ) async throws {
            let outcome = try await LoopbackProbe.connect(
                client: try client ?? TestContexts.client(), server: try TestContexts.makeServer(identity), name: name)
            try outcome.expect(problems, sourceLocation: sourceLocation)
        }

        // MARK: H46

        @Test("H46: a certificate whose validity starts in the future fails as notActivated")
        func H46_notYetValid() async throws { try await expect(.notYetValid, name: "xmpp.test", .notActivated) }

        // MARK: H49, H50: no CN-ID

        @Test("H49: a CN-only certificate (no subjectAltName) for the right name fails as wrongName")
        func H49_cnOnly() async throws { try await expect(.cnOnly, name: "xmpp.test", .wrongName) }

        @Test("H49: with a pin for the CN-only certificate's key, full verification still refuses it")
        func H49_cnOnlyPinned() async throws {
            let certificates = try TestContexts.certificates()
            let pin = try PublicKeyPin(sha256: try certificates.publicKeySHA256(of: certificates.identity(.cnOnly)))
            let client = try TestContexts.makeClient { $0.publicKeyPins = [pin] }
            try await expect(.cnOnly, name: "xmpp.test", .wrongName, client: client)
        }

        @Test("H50: SAN other.test with CN xmpp.test fails for xmpp.test (no CN fallback), passes for other.test",
              arguments: [("xmpp.test", false), ("other.test", true)])
        func H50_sanOtherCNOurs(name: String, passes: Bool) async throws {
            try await expect(.sanOtherCNOurs, name: name, passes ? nil : .wrongName)
        }

        // MARK: H52: the chain

        @Test("H52: a leaf signed by an intermediate without CA:TRUE fails as signerNotCA")
        func H52_nonCAIntermediate() async throws {
            try await expect(.signedByNonCA, name: "xmpp.test", .signerNotCA)
        }

        @Test("H52: an intermediate whose name constraints exclude xmpp.test fails as constraintsViolated")
        func H52_nameConstraintExcluded() async throws {
            try await expect(.nameExcluded, name: "xmpp.test", .constraintsViolated)
        }

        @Test("H52 control: a chain through the same constrained intermediate passes for a name it permits")
        func H52_nameConstraintPermitted() async throws {
            try await expect(.namePermitted, name: "allowed.test", nil)
        }

        // MARK: H53: the endpoint host is no identity

        @Test("H53: an endpoint's certificate (localhost, 127.0.0.1) passes for the endpoint, fails for the domain",
              arguments: [("localhost", true), ("127.0.0.1", true), ("xmpp.test", false)])
        func H53_endpointCertificate(name: String, passes: Bool) async throws {
            try await expect(.localhost, name: name, passes ? nil : .wrongName)
        }

        // MARK: H54: IDN

        @Test("H54: an A-label SAN passes for the A-label and for the U-label (GnuTLS maps it)",
              arguments: ["xn--bcher-kva.test", "bücher.test"])
        func H54_idnALabel(name: String) async throws { try await expect(.idn, name: name, nil) }

        @Test("H54: a SAN holding the U-label as raw UTF-8 fails for either form", arguments: ["xn--bcher-kva.test", "bücher.test"])
        func H54_idnULabelSAN(name: String) async throws { try await expect(.idnULabel, name: name, .wrongName) }

        // MARK: H55: NUL

        @Test("H55: a SAN 'xmpp.test<NUL>.evil' does not match xmpp.test (and blocks the CN xmpp.test)")
        func H55_nulSAN() async throws { try await expect(.nulSAN, name: "xmpp.test", .wrongName) }

        @Test("H55: a verification name with a NUL is refused before any byte is sent")
        func H55_nulInReferenceName() throws {
            let error = #expect(throws: GnuTLSError.self) {
                _ = try GnuTLSClientHandler(context: try TestContexts.client(), serverName: "xmpp.test\u{0}.evil")
            }
            #expect(error?.kind == .invalidConfiguration)
        }

        // MARK: H56: ALPN on direct TLS

        static let priorities = ["NORMAL", "NORMAL:-VERS-ALL:+VERS-TLS1.2"]

        @Test("H56: a server answering ALPN with a name the client never offered aborts the handshake",
              arguments: priorities)
        func H56_unexpectedALPN(priority: String) throws {
            let run = try ALPNHandshake(priority: priority, serverProtocols: ["xmpp-client"], substitute: "xmpp-server")
            defer { run.tearDown() }
            #expect(run.server.sentProtocol == "xmpp-server", "the server really answered with the unexpected name")
            // GnuTLS 3.7 drops a name the client did not offer and reports
            // no ALPN, as if the server had omitted it, unless the client
            // sets GNUTLS_ALPN_MANDATORY, which NIOGnuTLS does: the flag only
            // acts when the server does send a name, so an omitted ALPN
            // stays acceptable (checked below).
            #expect(!run.recorder.handshakeCompleted)
            let error = run.recorder.gnuTLSErrors.first
            #expect(error?.kind == .handshakeFailed)
            #expect(error?.code == GNUTLS_E_NO_APPLICATION_PROTOCOL)
            #expect(!run.channel.isActive)
        }

        @Test("H56 control: the same server without the substitution negotiates xmpp-client", arguments: priorities)
        func H56_expectedALPN(priority: String) throws {
            let run = try ALPNHandshake(priority: priority, serverProtocols: ["xmpp-client"], substitute: nil)
            defer { run.tearDown() }
            #expect(run.server.sentProtocol == "xmpp-client")
            #expect(run.recorder.events == [.handshakeCompleted(negotiatedProtocol: "xmpp-client")])
            #expect(run.recorder.errors.isEmpty)
        }

        @Test("H56: a server that omits ALPN is accepted (ALPN is a SHOULD in XEP-0368)", arguments: priorities)
        func H56_omittedALPN(priority: String) throws {
            let run = try ALPNHandshake(priority: priority, serverProtocols: [], substitute: nil)
            defer { run.tearDown() }
            #expect(run.server.sentProtocol == nil)
            #expect(run.recorder.events == [.handshakeCompleted(negotiatedProtocol: nil)])
            #expect(run.recorder.errors.isEmpty)
        }
    }
}

/// A direct-TLS client offering `xmpp-client` (as `XMPPConnection` does on
/// direct-TLS endpoints) against an ``ALPNSubstitutingServer``, in memory,
/// run until neither side has anything left to send.
private struct ALPNHandshake {
    let channel = EmbeddedChannel()
    let recorder = PipelineRecorder()
    let server: ALPNSubstitutingServer

    init(priority: String, serverProtocols: [String], substitute: String?) throws {
        server = try ALPNSubstitutingServer(
            identity: try TestContexts.certificates().identity(.server), priority: priority,
            protocols: serverProtocols, substitute: substitute)
        let client = try TestContexts.makeClient { $0.applicationProtocols = ["xmpp-client"] }
        try channel.pipeline.syncOperations.addHandler(try GnuTLSClientHandler(context: client, serverName: "xmpp.test"))
        try channel.pipeline.syncOperations.addHandler(recorder)
        try channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 5223)).wait()
        var moved = true
        while moved {
            moved = false
            channel.embeddedEventLoop.run()
            while let bytes = try channel.readOutbound(as: ByteBuffer.self) {
                moved = true
                server.receive(Array(bytes.readableBytesView))
            }
            server.advance()
            let reply = server.takeOutput()
            if !reply.isEmpty && channel.isActive {
                moved = true
                try channel.writeInbound(ByteBuffer(bytes: reply))
            }
        }
    }

    func tearDown() {
        if channel.isActive { try? channel.close().wait() }
        _ = try? channel.finish(acceptAlreadyClosed: true)
        server.close()
    }
}

/// A TLS server driven by hand through the GnuTLS C API, in memory, for the
/// one thing the shared test server cannot do: answer ALPN with a name the
/// client never offered, as a misconfigured or hostile server would.
///
/// A conforming GnuTLS server only ever picks a name both sides listed.
/// With a `substitute`, a hook that runs after the ClientHello has been
/// parsed sets the server's list again, to the substitute alone; GnuTLS's
/// record of the choice points into that list, so the ServerHello (TLS 1.2)
/// or EncryptedExtensions (TLS 1.3) then carries the substitute, inside a
/// consistent transcript. That leans on a GnuTLS 3.7 internal, which is why
/// ``sentProtocol`` is checked by every test and the substitute must have
/// the length of the name it replaces.
private final class ALPNSubstitutingServer {
    private var session: gnutls_session_t?
    private var credentials: gnutls_certificate_credentials_t?
    private let substitute: [UInt8]?
    private var fromClient: [UInt8] = []
    private var toClient: [UInt8] = []
    private var handshakeDone = false

    /// What the server chose and sent (after any substitution), once the
    /// handshake got that far.
    private(set) var sentProtocol: String?

    init(identity: TestCertificates.Identity, priority: String, protocols: [String], substitute: String?) throws {
        self.substitute = substitute.map { Array($0.utf8) }
        var credentials: gnutls_certificate_credentials_t?
        try Self.check(gnutls_certificate_allocate_credentials(&credentials), "credentials")
        self.credentials = credentials
        var certificate = Array(identity.certificatePEM.utf8)
        var key = Array(identity.privateKeyPEM.utf8)
        try Self.check(certificate.withUnsafeMutableBufferPointer { certificate in
            key.withUnsafeMutableBufferPointer { key in
                var certificateDatum = gnutls_datum_t(data: certificate.baseAddress, size: UInt32(certificate.count))
                var keyDatum = gnutls_datum_t(data: key.baseAddress, size: UInt32(key.count))
                return gnutls_certificate_set_x509_key_mem2(
                    credentials, &certificateDatum, &keyDatum, GNUTLS_X509_FMT_PEM, nil, 0)
            }
        }, "key pair")

        var created: gnutls_session_t?
        try Self.check(gnutls_init(&created, UInt32(GNUTLS_SERVER) | UInt32(GNUTLS_NONBLOCK)), "init")
        guard let session = created else { throw GnuTLSError(.sessionSetupFailed, detail: "test server: no session") }
        self.session = session
        try Self.check(gnutls_priority_set_direct(session, priority, nil), "priority")
        try Self.check(gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, UnsafeMutableRawPointer(credentials)), "credentials")
        if !protocols.isEmpty { try Self.check(Self.setProtocols(session, protocols.map { Array($0.utf8) }), "ALPN") }

        // Unretained: close() (or deinit) frees the session before self goes.
        let me = Unmanaged.passUnretained(self).toOpaque()
        gnutls_session_set_ptr(session, me)
        gnutls_transport_set_ptr(session, me)
        gnutls_transport_set_push_function(session) { pointer, data, length in
            guard let pointer, let data else { return -1 }
            let server = Unmanaged<ALPNSubstitutingServer>.fromOpaque(pointer).takeUnretainedValue()
            server.toClient += UnsafeRawBufferPointer(start: data, count: length)
            return length
        }
        gnutls_transport_set_pull_function(session) { pointer, buffer, length in
            guard let pointer, let buffer else { return -1 }
            let server = Unmanaged<ALPNSubstitutingServer>.fromOpaque(pointer).takeUnretainedValue()
            guard !server.fromClient.isEmpty else {
                gnutls_transport_set_errno(server.session, EAGAIN)
                return -1
            }
            let count = min(length, server.fromClient.count)
            buffer.copyMemory(from: server.fromClient, byteCount: count)
            server.fromClient.removeFirst(count)
            return count
        }
        gnutls_transport_set_pull_timeout_function(session) { pointer, _ in
            guard let pointer else { return -1 }
            return Unmanaged<ALPNSubstitutingServer>.fromOpaque(pointer).takeUnretainedValue().fromClient.isEmpty ? 0 : 1
        }
        guard substitute != nil else { return }
        gnutls_handshake_set_hook_function(session, GNUTLS_HANDSHAKE_CLIENT_HELLO.rawValue, GNUTLS_HOOK_POST) { session, _, _, _, _ in
            guard let session, let pointer = gnutls_session_get_ptr(session) else { return GNUTLS_E_INTERNAL_ERROR }
            let server = Unmanaged<ALPNSubstitutingServer>.fromOpaque(pointer).takeUnretainedValue()
            guard let substitute = server.substitute else { return 0 }
            return ALPNSubstitutingServer.setProtocols(session, [substitute])
        }
    }

    deinit { close() }

    /// Frees the C session and credentials; idempotent.
    func close() {
        if let session { gnutls_deinit(session) }
        session = nil
        if let credentials { gnutls_certificate_free_credentials(credentials) }
        credentials = nil
    }

    func receive(_ bytes: [UInt8]) { fromClient += bytes }

    func takeOutput() -> [UInt8] {
        defer { toClient.removeAll() }
        return toClient
    }

    /// Runs the handshake as far as the bytes received allow. A failure
    /// ends it; the client's side is what the tests judge.
    func advance() {
        guard let session, !handshakeDone else { return }
        // Non-fatal codes (a warning alert) ask to be called again; a few
        // rounds are plenty, and the bound keeps a bug from spinning.
        for _ in 0..<8 {
            let rc = gnutls_handshake(session)
            if rc == GNUTLS_E_SUCCESS || gnutls_error_is_fatal(rc) != 0 {
                handshakeDone = true
                break
            }
            if rc == GNUTLS_E_AGAIN { break }
        }
        var chosen = gnutls_datum_t()
        if gnutls_alpn_get_selected_protocol(session, &chosen) == GNUTLS_E_SUCCESS, let data = chosen.data {
            sentProtocol = String(decoding: UnsafeBufferPointer(start: data, count: Int(chosen.size)), as: UTF8.self)
        }
    }

    private static func setProtocols(_ session: gnutls_session_t, _ names: [[UInt8]]) -> Int32 {
        // GnuTLS copies the names, so the buffer need only outlive the call.
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: names.reduce(1) { $0 + $1.count })
        defer { bytes.deallocate() }
        var datums: [gnutls_datum_t] = []
        var offset = 0
        for name in names {
            (bytes + offset).initialize(from: name, count: name.count)
            datums.append(gnutls_datum_t(data: bytes + offset, size: UInt32(name.count)))
            offset += name.count
        }
        return gnutls_alpn_set_protocols(session, datums, UInt32(datums.count), 0)
    }

    private static func check(_ rc: Int32, _ what: String) throws {
        guard rc == GNUTLS_E_SUCCESS else {
            throw GnuTLSError(.sessionSetupFailed, detail: "test server \(what): " + String(cString: gnutls_strerror(rc)))
        }
    }
}
