import NIOCore
import NIOEmbedded
import NIOGnuTLS
import Testing
import XMPPCore
import XMPPTestSupport

@testable import XMPP

/// Helpers for the hostile-input suite (security.md §6): a session
/// established through the real channel handler, then hostile bytes from the
/// "server", then checks that the abort happened as §6 defines it.
enum Hostile {
    typealias S = ScriptedServer

    /// A plain-connection session whose server has just sent `<proceed/>`:
    /// the client's real GnuTLS handler (trusting the test CA, verifying
    /// example.com) is in place and has written its ClientHello, which is
    /// read and dropped.
    static func startingTLS() throws -> SessionHandlerHarness {
        let certificates = try TestCertificates.load()
        var tlsConfiguration = GnuTLSConfiguration()
        tlsConfiguration.trustRoots = .pem(certificates.caPEM)
        let context = try GnuTLSContext(configuration: tlsConfiguration)
        let harness = try SessionHandlerHarness(transport: .plain) {
            try GnuTLSClientHandler(context: context, serverName: "example.com")
        }
        try harness.serverSends(S.header + S.startTLSFeatures)
        try harness.serverSends(S.proceed)
        _ = try harness.clientWroteBytes()
        return harness
    }

    /// A message from bob with body `body`.
    static func chat(_ id: String, body: String = "hi") -> String {
        "<message from='bob@example.com/x' to='alice@example.com/r1' type='chat' id='\(id)'><body>\(body)</body></message>"
    }

    /// What the client writes when it aborts with `condition`.
    static func abortWritten(_ condition: String) -> String {
        "<stream:error><\(condition) xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>"
    }

    /// The §6 "abort" after an established session: the stream error named
    /// was written, the channel is closed, the subscriptions ended with the
    /// typed XML error, and only what came before the offending byte was
    /// delivered (`before` message ids).
    static func expectAbort(
        _ harness: SessionHandlerHarness, condition: String, kind: XMLStreamError.Kind? = nil, before: [String] = ["ok-1"],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        #expect(try harness.clientWrote() == abortWritten(condition), sourceLocation: sourceLocation)
        #expect(!harness.channel.isActive, "the channel closes", sourceLocation: sourceLocation)
        let inbound = await harness.drainInbound()
        #expect(inbound.elements.map { $0[attribute: "id"] ?? "?" } == before, "nothing after the offending byte", sourceLocation: sourceLocation)
        let error = inbound.error as? XMPPClientError
        #expect(error?.code == .xmlError, sourceLocation: sourceLocation)
        #expect(error?.xmlError?.condition.description == condition, sourceLocation: sourceLocation)
        if let kind { #expect(error?.xmlError?.kind == kind, sourceLocation: sourceLocation) }
    }

    /// Established, then one good message, then `hostile`, then a message
    /// that must never arrive — all in one read.
    static func establishedThen(_ hostile: String) throws -> SessionHandlerHarness {
        try establishedThen(Array(hostile.utf8))
    }

    static func establishedThen(_ hostile: [UInt8]) throws -> SessionHandlerHarness {
        let harness = try SessionHandlerHarness.established()
        let bytes = Array(chat("ok-1").utf8) + hostile + Array(chat("never").utf8)
        try harness.channel.writeInbound(ByteBuffer(bytes: bytes))
        return harness
    }

    /// Feeds `chunk` repeatedly (after `prefix`) until the channel closes or
    /// `maximum` bytes went in; returns how many bytes were fed.
    static func feedUntilClosed(
        _ harness: SessionHandlerHarness, prefix: String, chunk: [UInt8], maximum: Int
    ) throws -> Int {
        try harness.serverSends(prefix)
        var fed = prefix.utf8.count
        let buffer = ByteBuffer(bytes: chunk)
        while harness.channel.isActive && fed < maximum {
            try harness.channel.writeInbound(buffer)
            fed += chunk.count
        }
        return fed
    }

    /// A harness with stream management (acks only, or resumption) up to
    /// `<enabled/>` (`enabled` is the server's answer).
    static func streamManagement(
        resume: Bool = false, enabled: String = "<enabled xmlns='urn:xmpp:sm:3'/>"
    ) throws -> SessionHandlerHarness {
        let harness = try streamManagementUntilEnable(resume: resume)
        _ = try harness.clientWrote()
        try harness.serverSends(enabled)
        return harness
    }

    /// A harness with stream management whose `<enable/>` waits for the
    /// server's answer (what the client wrote is left unread).
    static func streamManagementUntilEnable(
        resume: Bool = false, quickAcknowledgements: XMPPConnection.Configuration.QuickAcknowledgements? = nil
    ) throws -> SessionHandlerHarness {
        let harness = try SessionHandlerHarness(
            transport: .tls(SessionTest.encrypted),
            configuration: SessionTest.configuration(streamManagement: StreamManagementConfiguration(ackAnswerDelay: .zero, requestsResumption: resume)),
            quickAcknowledgements: quickAcknowledgements)
        try harness.serverSends(S.header + S.plainFeatures)
        try harness.serverSends(S.success)
        try harness.serverSends(
            S.header + "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
                + "<sm xmlns='urn:xmpp:sm:3'><optional/></sm></stream:features>")
        try harness.serverSends(S.bindResult)
        return harness
    }
}
