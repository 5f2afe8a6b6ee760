import NIOCore
import NIOEmbedded
import Testing
import XMPPCore

@testable import XMPP

/// XEP-0198 through the public `XMPPConnection` API on a
/// `NIOAsyncTestingChannel` with a scripted server:
/// `isStreamManagementEnabled`, `sendAcknowledged` (acknowledged, refused,
/// cancelled, failed at the session's end), and subscriptions that never
/// see stream-management elements.
@Suite(.timeLimit(.minutes(1))) struct StreamManagementConnectionTests {
    typealias H = StreamManagementHandlerTests

    static let hello = Message(type: .chat, to: try! JID("bob@example.com/x"), id: "m2", body: "hello")

    /// A connection whose server offered and enabled stream management.
    /// Sends ``hello`` with `sendAcknowledged`; the error it ended with, or
    /// `nil` once acknowledged.
    static func acknowledgedSendError(_ connection: XMPPConnection) async -> XMPPClientError? {
        do throws(XMPPClientError) {
            try await connection.sendAcknowledged(hello)
            return nil
        } catch {
            return error
        }
    }

    static func managed() async throws -> ConnectionHarness {
        try await ConnectionHarness.established(
            features: H.smFeatures,
            configuration: SessionTest.configuration(streamManagement: StreamManagementConfiguration(ackAnswerDelay: .zero, requestsResumption: false)),
            streamManagementAnswer: H.enabled)
    }

    /// Reads the writes of a clean close with acknowledgements on: the
    /// final `<a/>` (and any `<r/>`), then `</stream:stream>`, answered.
    static func closeManaged(_ harness: ConnectionHarness, handled: Int, request: Bool = false) async throws {
        #expect(try await harness.nextWrite() == H.ack(handled))
        if request { #expect(try await harness.nextWrite() == H.request) }
        try await harness.serverCloses()
    }

    @Test("sendAcknowledged returns once the server's <a/> covers the stanza")
    func acknowledged() async throws {
        let harness = try await Self.managed()
        #expect(harness.connection.isStreamManagementEnabled)
        let task = harness.run { connection in
            try await connection.sendAcknowledged(Self.hello)
            return "acknowledged"
        }
        #expect(try await harness.nextWrite() == H.replyXML)
        #expect(try await harness.nextWrite() == H.request)
        try await harness.serverSends(H.ack(1))
        try await Self.closeManaged(harness, handled: 0)
        #expect(try await task.value == "acknowledged")
    }

    @Test("The session ends first: notAcknowledged, carrying the session's error")
    func sessionEndsFirst() async throws {
        let harness = try await Self.managed()
        let task = harness.run { connection in await Self.acknowledgedSendError(connection) }
        #expect(try await harness.nextWrite() == H.replyXML)
        #expect(try await harness.nextWrite() == H.request)
        try await harness.serverSends(ScriptedServer.end)
        let error = try await task.value
        #expect(error?.code == .notAcknowledged)
        #expect((error?.underlying as? XMPPClientError)?.code == .streamClosedByPeer)
        #expect(error?.description.contains("not known to be delivered") == true)
    }

    @Test("Cancelling the waiting task stops the wait (notAcknowledged, CancellationError); the stanza stays sent")
    func cancelled() async throws {
        let harness = try await Self.managed()
        let written = Signal()
        let task = harness.run { connection -> XMPPClientError? in
            let waiting = Task { await Self.acknowledgedSendError(connection) }
            await written.wait()
            waiting.cancel()
            return await waiting.value
        }
        #expect(try await harness.nextWrite() == H.replyXML)
        #expect(try await harness.nextWrite() == H.request)
        written.fire()
        // The close still asks for the acknowledgement of the stanza sent.
        #expect(try await harness.nextWrite() == H.ack(0))
        #expect(try await harness.nextWrite() == H.request)
        try await harness.serverSends(H.ack(1))
        try await harness.serverCloses()
        let error = try await task.value
        #expect(error?.code == .notAcknowledged)
        #expect(error?.underlying is CancellationError)
    }

    @Test("Without stream management: isStreamManagementEnabled is false and sendAcknowledged sends nothing")
    func notEnabled() async throws {
        let harness = try await ConnectionHarness.established()
        #expect(!harness.connection.isStreamManagementEnabled)
        let task = harness.run { connection in await Self.acknowledgedSendError(connection) }
        try await harness.serverCloses()
        #expect(try await task.value?.code == .streamManagementNotEnabled)
    }

    @Test("The server refuses <enable/>: the session runs without acknowledgements")
    func refused() async throws {
        let harness = try await ConnectionHarness.established(
            features: H.smFeatures,
            configuration: SessionTest.configuration(streamManagement: StreamManagementConfiguration(ackAnswerDelay: .zero, requestsResumption: false)),
            streamManagementAnswer: "<failed xmlns='urn:xmpp:sm:3'/>")
        #expect(!harness.connection.isStreamManagementEnabled)
        let task = harness.run { connection in try await connection.send(Self.hello) }
        #expect(try await harness.nextWrite() == H.replyXML)
        try await harness.serverCloses()
        try await task.value
    }

    @Test("Subscriptions see the stanzas, never <r/> or <a/>; <r/> is answered with the count")
    func subscriptions() async throws {
        let harness = try await Self.managed()
        let task = harness.run { connection in
            var names: [String] = []
            for try await element in connection.elements() {
                names.append(element.name.localName)
                if names.count == 2 { break }
            }
            return names
        }
        try await harness.serverSends(H.request + ScriptedServer.chat + H.ack(0) + H.request + ScriptedServer.chat)
        #expect(try await harness.nextWrite() == H.ack(0))
        #expect(try await harness.nextWrite() == H.ack(1))
        try await Self.closeManaged(harness, handled: 2)
        #expect(try await task.value == ["message", "message"])
    }

    @Test("An <a/> above what was sent ends the session: stream error, and the waiting send fails with the violation")
    func violation() async throws {
        let harness = try await Self.managed()
        let task = harness.run { connection in await Self.acknowledgedSendError(connection) }
        #expect(try await harness.nextWrite() == H.replyXML)
        #expect(try await harness.nextWrite() == H.request)
        try await harness.serverSends(H.ack(2))
        #expect(try await harness.nextWrite().hasPrefix("<stream:error><undefined-condition"))
        #expect(try await harness.nextWrite() == "</stream:stream>")
        let error = try await task.value
        #expect(error?.code == .notAcknowledged)
        let cause = error?.underlying as? XMPPClientError
        #expect(cause?.code == .streamManagementViolation && cause?.sentCondition == .undefinedCondition)
    }
}
