import Logging
import NIOCore
import NIOEmbedded
import Testing
import XMPPCore

@testable import XMPP

/// Registration at the connection level on a `NIOAsyncTestingChannel`: the
/// step that runs the application's answer (errors, cancellation), and the
/// XEP-0077 requests of a logged-in account through `request`.
@Suite(.timeLimit(.minutes(1))) struct RegistrationConnectionTests {
    typealias S = ScriptedServer
    typealias H = RegistrationChannelHandlerTests

    /// A handler that registers over direct TLS on a testing channel, paused
    /// at the server's form.
    private struct PausedRegistration {
        let channel: NIOAsyncTestingChannel
        let handler: NIOLoopBound<XMPPChannelHandler>
        let form: RegistrationForm
        let written = OutboundPieces()

        static func make() async throws -> PausedRegistration {
            let channel = NIOAsyncTestingChannel()
            let requests = InboundIQRequests()
            let negotiation = channel.eventLoop.makePromise(of: XMPPChannelHandler.NegotiationOutcome.self)
            let handler = try await channel.eventLoop.submit {
                let handler = XMPPChannelHandler(
                    machine: SessionStateMachine(configuration: RegistrationTest.configuration()),
                    transport: .tls(SessionTest.encrypted),
                    limits: XMLStreamReader.Limits(),
                    makeTLSHandler: { throw SessionHandlerHarness.NoTLS() },
                    negotiation: negotiation, holdLimit: 256, requests: requests,
                    logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
                try channel.pipeline.syncOperations.addHandler(handler)
                return NIOLoopBound(handler, eventLoop: channel.eventLoop)
            }.get()
            try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 5222)).get()
            _ = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
            try await channel.writeInbound(ByteBuffer(string: S.header + H.securedFeatures))
            #expect(String(buffer: try await channel.waitForOutboundWrite(as: ByteBuffer.self)) == H.formRequest)
            try await channel.writeInbound(ByteBuffer(string: H.form))
            guard case .registrationForm(let form) = try await negotiation.futureResult.get() else {
                throw ConnectionHarness.ScriptError(description: "not paused at the form")
            }
            return PausedRegistration(channel: channel, handler: handler, form: form)
        }

        func nextWrite() async throws -> String {
            try await written.next(from: channel)
        }

        func serverSends(_ text: String) async throws {
            try await channel.writeInbound(ByteBuffer(string: text))
            await channel.testingEventLoop.run()
        }
    }

    struct AnswerFailed: Error {}

    @Test("The answer is submitted and the registration ends with the stream's clean close")
    func answered() async throws {
        let paused = try await PausedRegistration.make()
        let (channel, handler, form) = (paused.channel, paused.handler, paused.form)
        let task = Task {
            try await XMPPConnection.answerRegistration(form, handler: handler, channel: channel, isolation: nil) { form in
                #expect(form.fields == [.username, .password])
                return RegistrationAnswer()
            }
        }
        #expect(try await paused.nextWrite() == H.submission)
        try await paused.serverSends(H.registered)
        #expect(try await paused.nextWrite() == "</stream:stream>")
        try await paused.serverSends(S.end)
        guard case .registered = try await task.value else {
            Issue.record("not registered")
            return
        }
    }

    @Test("An error thrown while answering closes the stream cleanly and is rethrown; nothing is submitted")
    func answerThrows() async throws {
        let paused = try await PausedRegistration.make()
        let (channel, handler, form) = (paused.channel, paused.handler, paused.form)
        let task = Task {
            try await XMPPConnection.answerRegistration(form, handler: handler, channel: channel, isolation: nil) { _ in
                throw AnswerFailed()
            }
        }
        #expect(try await paused.nextWrite() == "</stream:stream>")
        try await paused.serverSends(S.end)
        await #expect(throws: AnswerFailed.self) { try await task.value }
        #expect(!channel.isActive)
    }

    @Test("Cancelled while answering: the stream is closed and the call throws CancellationError")
    func cancelledWhileAnswering() async throws {
        let paused = try await PausedRegistration.make()
        let (channel, handler, form) = (paused.channel, paused.handler, paused.form)
        let answering = Signal()
        let task = Task {
            try await XMPPConnection.answerRegistration(form, handler: handler, channel: channel, isolation: nil) { _ in
                answering.fire()
                try await Task.sleep(for: .seconds(3600))
                return RegistrationAnswer()
            }
        }
        await answering.wait()
        task.cancel()
        #expect(try await paused.nextWrite() == "</stream:stream>")
        try await paused.serverSends(S.end)
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    // MARK: Logged in

    @Test("Change password: a set to our own account; the password never reaches the logs")
    func changePassword() async throws {
        let harness = try await ConnectionHarness.established()
        let task = harness.run { connection in
            try await connection.request(ChangePasswordRequest(username: "alice", newPassword: "n3w-pa55"))
        }
        #expect(try await harness.nextWrite()
            == "<iq id='q-1' type='set'><query xmlns='jabber:iq:register'><username>alice</username>"
            + "<password>n3w-pa55</password></query></iq>")
        try await harness.serverSends("<iq type='result' id='q-1'/>")
        try await harness.serverCloses()
        try await task.value
        #expect(!harness.logs.all.contains { "\($0.message) \($0.metadata)".contains("n3w-pa55") })
    }

    @Test("Change password refused: stanzaError with the server's condition; a spoofed result does not count")
    func changePasswordRefused() async throws {
        let harness = try await ConnectionHarness.established()
        let task = harness.run { connection in
            try await connection.request(ChangePasswordRequest(username: "alice", newPassword: "n3w-pa55"))
        }
        _ = try await harness.nextWrite()
        try await harness.serverSends("<iq type='result' id='q-1' from='mallory@evil.example'/>")
        try await harness.serverSends(
            "<iq type='error' id='q-1'><error type='modify'><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>")
        try await harness.serverCloses()
        let error = await #expect(throws: XMPPClientError.self) { try await task.value }
        #expect(error?.stanzaError?.condition == .notAuthorized)
    }

    @Test("Cancel registration: the result arrives before the server ends the session, so the request succeeds")
    func cancelRegistration() async throws {
        let harness = try await ConnectionHarness.established()
        let task = harness.run { connection in
            try await connection.request(CancelRegistrationRequest())
            do {
                _ = try await connection.request(RegistrationFormRequest())
                return nil as XMPPClientError?
            } catch let error as XMPPClientError {
                return error
            }
        }
        #expect(try await harness.nextWrite()
            == "<iq id='q-1' type='set'><query xmlns='jabber:iq:register'><remove/></query></iq>")
        try await harness.serverSends(
            "<iq type='result' id='q-1'/><stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                + "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>Account deleted</text></stream:error></stream:stream>")
        let next = try await task.value
        #expect(next?.code == .connectionClosed, "the session is over after the account is gone")
    }

    @Test("The form of a logged-in account says it is registered")
    func formWhenLoggedIn() async throws {
        let harness = try await ConnectionHarness.established()
        let task = harness.run { connection in
            try await connection.request(RegistrationFormRequest())
        }
        #expect(try await harness.nextWrite() == "<iq id='q-1' type='get'><query xmlns='jabber:iq:register'/></iq>")
        try await harness.serverSends(
            "<iq type='result' id='q-1'><query xmlns='jabber:iq:register'><registered/><username>alice</username>"
                + "<password/></query></iq>")
        try await harness.serverCloses()
        let form = try await task.value
        #expect(form.isRegistered)
        #expect(form.currentValues[.username] == "alice")
    }
}
