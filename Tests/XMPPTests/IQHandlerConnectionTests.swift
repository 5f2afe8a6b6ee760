import NIOCore
import NIOEmbedded
import Testing
import XMPPCore

@testable import XMPP

/// Inbound IQ requests answered through `XMPPConnection.handleIQ`, end to
/// end on a `NIOAsyncTestingChannel`: the handler runs in the connection's
/// task group and its outcome is written back.
@Suite(.timeLimit(.minutes(1))) struct IQHandlerConnectionTests {
    static let pingFromBob = "<iq type='get' id='p1' from='bob@example.com/phone' to='alice@example.com/r1'><ping xmlns='urn:xmpp:ping'/></iq>"

    @Test("XEP-0199: a registered ping handler answers with an empty result, and sees who asked")
    func ping() async throws {
        let harness = try await ConnectionHarness.established()
        let asked = Locked<String?>(nil)
        let registered = Signal()
        let answered = Signal()
        let task = harness.run { connection in
            try await connection.handleIQ(namespace: "urn:xmpp:ping", localName: "ping") { request in
                asked.value = request.from?.description
                return nil
            }
            registered.fire()
            await answered.wait()
        }
        await registered.wait()
        try await harness.serverSends(Self.pingFromBob)
        #expect(try await harness.nextWrite() == "<iq id='p1' to='bob@example.com/phone' type='result'/>")
        #expect(asked.value == "bob@example.com/phone")
        answered.fire()
        try await harness.serverCloses()
        try await task.value
    }

    @Test(
        "What a handler throws: a StanzaError as it is; anything else internal-server-error without its text",
        arguments: [
            (StanzaError(.forbidden, text: "members only") as any Error & Sendable,
             "<error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
                + "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>members only</text></error>"),
            (SecretDatabaseFailure() as any Error & Sendable,
             "<error type='cancel'><internal-server-error xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>"),
        ])
    func thrown(error: any Error & Sendable, expected: String) async throws {
        let harness = try await ConnectionHarness.established()
        let registered = Signal()
        let answered = Signal()
        let task = harness.run { connection in
            try await connection.handleIQ(namespace: "urn:xmpp:ping") { _ in throw error }
            registered.fire()
            await answered.wait()
        }
        await registered.wait()
        try await harness.serverSends(Self.pingFromBob)
        let written = try await harness.nextWrite()
        #expect(written == "<iq id='p1' to='bob@example.com/phone' type='error'>\(expected)</iq>")
        #expect(!written.contains("secret"))
        answered.fire()
        try await harness.serverCloses()
        try await task.value
    }

    @Test("No handler, a cancelled registration: service-unavailable; a second registration is refused")
    func registrationLifecycle() async throws {
        let harness = try await ConnectionHarness.established()
        let step = Signal()
        let next = Signal()
        let task = harness.run { connection in
            let registration = try await connection.handleIQ(namespace: "urn:xmpp:ping", localName: "ping") { _ in nil }
            #expect(registration.namespace == "urn:xmpp:ping" && registration.localName == "ping")
            let duplicate = await #expect(throws: XMPPClientError.self) {
                try await connection.handleIQ(namespace: "urn:xmpp:ping", localName: "ping") { _ in nil }
            }
            #expect(duplicate?.code == .handlerAlreadyRegistered)
            step.fire()
            await next.wait()
            await registration.cancel()
            step.fire()
            await next.wait()
        }
        await step.wait()
        try await harness.serverSends(Self.pingFromBob)
        #expect(try await harness.nextWrite().contains("type='result'"))
        next.fire()
        await step.wait()
        try await harness.serverSends(Self.pingFromBob)
        #expect(try await harness.nextWrite().contains("<service-unavailable"))
        next.fire()
        try await harness.serverCloses()
        try await task.value
    }

    @Test("Handlers run concurrently: a slow one does not hold up the next request")
    func concurrent() async throws {
        let harness = try await ConnectionHarness.established()
        let registered = Signal()
        let release = Signal()
        let done = Signal()
        let task = harness.run { connection in
            try await connection.handleIQ(namespace: "urn:example:slow") { _ in
                await release.wait()
                return nil
            }
            try await connection.handleIQ(namespace: "urn:xmpp:ping") { _ in nil }
            registered.fire()
            await done.wait()
        }
        await registered.wait()
        try await harness.serverSends("<iq type='set' id='slow' from='bob@example.com/phone'><work xmlns='urn:example:slow'/></iq>")
        try await harness.serverSends(Self.pingFromBob)
        #expect(try await harness.nextWrite().contains("id='p1'"), "the ping is answered first")
        release.fire()
        #expect(try await harness.nextWrite().contains("id='slow'"))
        done.fire()
        try await harness.serverCloses()
        try await task.value
    }

    @Test("The body returns while a handler runs: the session closes, the handler is cancelled, the call returns")
    func handlerCancelledAtEnd() async throws {
        let harness = try await ConnectionHarness.established()
        let registered = Signal()
        let started = Signal()
        let sawCancellation = Locked(false)
        let task = harness.run { connection in
            try await connection.handleIQ(namespace: "urn:xmpp:ping") { _ in
                started.fire()
                do {
                    try await Task.sleep(for: .seconds(3600))
                } catch {
                    sawCancellation.value = error is CancellationError
                    throw error
                }
                return nil
            }
            registered.fire()
            await started.wait()
        }
        await registered.wait()
        try await harness.serverSends(Self.pingFromBob)
        try await harness.serverCloses()
        try await task.value
        #expect(sawCancellation.value)
        let unsent = harness.logs.all.filter { $0.message == "XMPP IQ answer not sent" }
        #expect(unsent.count == 1, "the answer after the close could not go out, and was logged")
    }
}
