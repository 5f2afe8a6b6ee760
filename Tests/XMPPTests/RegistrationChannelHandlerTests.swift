import NIOCore
import NIOEmbedded
import Testing
import XMPPCore

@testable import XMPP

/// In-band registration through the real channel handler on an
/// `EmbeddedChannel`, with the server scripted as text: the pause at the
/// form, the submission, both endings, and the hostile cases.
@Suite struct RegistrationChannelHandlerTests {
    typealias S = ScriptedServer
    typealias R = RegistrationTest

    static let securedFeatures =
        "<stream:features><register xmlns='http://jabber.org/features/iq-register'/>"
        + "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>"
    static let formRequest = "<iq id='register-1' to='example.com' type='get'><query xmlns='jabber:iq:register'/></iq>"
    static let form =
        "<iq type='result' id='register-1' from='example.com'><query xmlns='jabber:iq:register'>"
        + "<instructions>Choose a username and password.</instructions><username/><password/></query></iq>"
    static let submission =
        "<iq id='register-2' to='example.com' type='set'><query xmlns='jabber:iq:register'>"
        + "<username>alice</username><password>\(SessionTest.password)</password></query></iq>"
    static let registered = "<iq type='result' id='register-2' from='example.com'/>"

    /// A handler over direct TLS that registers; the form request is sent.
    private func awaitingForm(_ plan: SessionStateMachine.RegistrationPlan = .thenClose, bytewise: Bool = false) throws
        -> SessionHandlerHarness
    {
        let harness = try SessionHandlerHarness(transport: .tls(SessionTest.encrypted), configuration: R.configuration(plan))
        #expect(try harness.clientWrote().hasPrefix("<?xml version='1.0'?><stream:stream"))
        try (bytewise ? harness.serverSendsBytewise : harness.serverSends)(S.header + Self.securedFeatures)
        #expect(try harness.clientWrote() == Self.formRequest)
        return harness
    }

    /// The form the negotiation paused at.
    private func pausedForm(_ harness: SessionHandlerHarness) throws -> RegistrationForm {
        guard case .success(.registrationForm(let form))? = harness.outcome else {
            throw ConnectionHarness.ScriptError(description: "not paused at a form: \(String(describing: harness.outcome))")
        }
        return form
    }

    /// The outcome of a submission, once the embedded loop ran it.
    private func outcome(of future: EventLoopFuture<XMPPChannelHandler.NegotiationOutcome>) -> Result<XMPPChannelHandler.NegotiationOutcome, any Error>? {
        let box = Locked<Result<XMPPChannelHandler.NegotiationOutcome, any Error>?>(nil)
        future.whenComplete { box.value = $0 }
        return box.value
    }

    @Test("Register and close: the form pauses the negotiation, the answer is submitted, the stream closes cleanly")
    func registerAndClose() throws {
        let harness = try awaitingForm()
        try harness.serverSends(Self.form)
        #expect(try pausedForm(harness).fields == [.username, .password])
        #expect(try harness.clientWrote() == "", "nothing more until the application answers")

        let next = try harness.handler.submitRegistration(RegistrationAnswer())
        #expect(try harness.clientWrote() == Self.submission)
        try harness.serverSends(Self.registered)
        guard case .success(.registered)? = outcome(of: next) else {
            Issue.record("not registered: \(String(describing: outcome(of: next)))")
            return
        }
        #expect(try harness.clientWrote() == "</stream:stream>")
        #expect(harness.channel.isActive, "waits for the server's close")
        try harness.serverSends(S.end)
        #expect(!harness.channel.isActive)

        // The trace shows the submission, without the password.
        let traced = harness.logs.all.compactMap { $0.metadata[XMPPLoggingKey.xml] }
        #expect(traced.contains { $0.contains("<password>[redacted]</password>") })
        #expect(!harness.logs.all.contains { "\($0.message) \($0.metadata)".contains(SessionTest.password) })
    }

    @Test("Register then log in: SASL, restart and binding follow on the same connection")
    func registerThenLogIn() throws {
        let harness = try awaitingForm(.thenLogIn)
        try harness.serverSends(Self.form)
        let next = try harness.handler.submitRegistration(RegistrationAnswer())
        _ = try harness.clientWrote()
        try harness.serverSends(Self.registered)
        #expect(try harness.clientWrote().hasPrefix("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>"))
        try harness.serverSends(S.success)
        #expect(try harness.clientWrote().hasPrefix("<?xml version='1.0'?><stream:stream"))
        try harness.serverSends(S.header + S.bindFeatures)
        _ = try harness.clientWrote()
        try harness.serverSends(S.bindResult)
        guard case .success(.established(let session))? = outcome(of: next) else {
            Issue.record("not established: \(String(describing: outcome(of: next)))")
            return
        }
        #expect(session.boundJID == (try FullJID("alice@example.com/r1")))
    }

    @Test("The whole registration with every server byte in its own read")
    func bytewise() throws {
        let harness = try awaitingForm(bytewise: true)
        try harness.serverSendsBytewise(Self.form)
        let next = try harness.handler.submitRegistration(RegistrationAnswer())
        #expect(try harness.clientWrote() == Self.submission)
        try harness.serverSendsBytewise(Self.registered)
        guard case .success(.registered)? = outcome(of: next) else {
            Issue.record("not registered")
            return
        }
    }

    @Test("A conflict fails the submission with registrationFailed(conflict); the stream is closed")
    func conflict() throws {
        let harness = try awaitingForm()
        try harness.serverSends(Self.form)
        let next = try harness.handler.submitRegistration(RegistrationAnswer())
        _ = try harness.clientWrote()
        try harness.serverSends(
            "<iq type='error' id='register-2'><error type='cancel'>"
                + "<conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>")
        guard case .failure(let error as XMPPClientError)? = outcome(of: next) else {
            Issue.record("not failed")
            return
        }
        #expect(error.registrationError?.code == .conflict)
        #expect(try harness.clientWrote() == "</stream:stream>")
        #expect(!harness.channel.isActive)
    }

    @Test("A spoofed form from another sender is dropped and logged; the real one still pauses the negotiation")
    func spoofedForm() throws {
        let harness = try awaitingForm()
        try harness.serverSends(
            "<iq type='result' id='register-1' from='mallory@evil.example'><query xmlns='jabber:iq:register'>"
                + "<username/><password/></query></iq>")
        #expect(harness.outcome == nil)
        #expect(harness.logs.all.contains { $0.metadata[XMPPLoggingKey.reason] == "unexpected origin" })
        try harness.serverSends(Self.form)
        #expect(try pausedForm(harness).instructions == "Choose a username and password.")
    }

    @Test("The server closing while the application answers: the late submission throws streamClosedByPeer")
    func serverClosesWhileAnswering() throws {
        let harness = try awaitingForm()
        try harness.serverSends(Self.form)
        _ = try pausedForm(harness)
        try harness.serverSends(S.end)
        #expect(!harness.channel.isActive)
        let error = #expect(throws: XMPPClientError.self) { try harness.handler.submitRegistration(RegistrationAnswer()) }
        #expect(error?.code == .streamClosedByPeer)
    }

    @Test("The server closing before answering the submission fails it")
    func serverClosesBeforeResult() throws {
        let harness = try awaitingForm()
        try harness.serverSends(Self.form)
        let next = try harness.handler.submitRegistration(RegistrationAnswer())
        try harness.serverSends("<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>")
        guard case .failure(let error as XMPPClientError)? = outcome(of: next) else {
            Issue.record("not failed")
            return
        }
        #expect(error.streamError?.condition == .notAuthorized)
    }

    @Test("No form within the step deadline: timeout(registration)")
    func formDeadline() throws {
        let harness = try awaitingForm()
        harness.channel.embeddedEventLoop.advanceTime(by: .milliseconds(9_999))
        #expect(harness.outcome == nil)
        harness.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(harness.failure?.step == .registration)
        #expect(!harness.channel.isActive)
    }

    @Test("No deadline while the application answers; the submission's own deadline then applies")
    func noDeadlineWhileAnswering() throws {
        let harness = try awaitingForm()
        try harness.serverSends(Self.form)
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(600))
        #expect(harness.channel.isActive)
        let next = try harness.handler.submitRegistration(RegistrationAnswer())
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        guard case .failure(let error as XMPPClientError)? = outcome(of: next) else {
            Issue.record("not failed")
            return
        }
        #expect(error.step == .registration)
    }

    @Test("<register/> on the plain stream is never used: the client sends STARTTLS, no IQ")
    func plainStreamUsesStartTLS() throws {
        let harness = try SessionHandlerHarness(transport: .plain, configuration: R.configuration())
        _ = try harness.clientWrote()
        try harness.serverSends(
            S.header + "<stream:features><register xmlns='http://jabber.org/features/iq-register'/>"
                + "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>")
        #expect(try harness.clientWrote() == "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
    }

    @Test("Secured features without <register/>: registrationFailed(notSupported), and no IQ was written")
    func notSupported() throws {
        let harness = try SessionHandlerHarness(transport: .tls(SessionTest.encrypted), configuration: R.configuration())
        _ = try harness.clientWrote()
        try harness.serverSends(S.header + S.plainFeatures)
        #expect(harness.failure?.registrationError?.code == .notSupported)
        #expect(try harness.clientWrote() == "</stream:stream>")
    }
}
