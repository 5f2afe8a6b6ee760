import NIOCore
import NIOEmbedded
import Testing
import XMPPCore

@testable import XMPP

/// The public IQ API of `XMPPConnection` end to end on a
/// `NIOAsyncTestingChannel`: typed requests, spoofed answers, errors,
/// timeouts in virtual time, task cancellation, and inbound requests
/// answered by registered handlers running in the connection's tasks.
@Suite(.timeLimit(.minutes(1))) struct IQConnectionTests {
    static let bob = try! JID("bob@example.com/phone")

    @Test("A typed request: the result from the recipient is read into the response; a spoof does not complete it")
    func typedRequest() async throws {
        let harness = try await ConnectionHarness.established()
        let task = harness.run { connection in
            try await connection.request(SoftwareVersion(), to: Self.bob)
        }
        #expect(try await harness.nextWrite() == "<iq id='q-1' to='bob@example.com/phone' type='get'><query xmlns='jabber:iq:version'/></iq>")
        let answer = "<query xmlns='jabber:iq:version'><name>Pidgin</name><version>2.0</version></query>"
        try await harness.serverSends("<iq type='result' id='q-1' from='mallory@evil.example/phone'>\(answer)</iq>")
        try await harness.serverSends("<iq type='result' id='q-1' from='bob@example.com/phone'>\(answer)</iq>")
        try await harness.serverCloses()
        #expect(try await task.value == SoftwareVersion.Version(name: "Pidgin", version: "2.0"))
        #expect(harness.logs.all.contains { $0.metadata[XMPPLoggingKey.reason] == "unexpected origin" })
    }

    @Test("A result the request cannot read: invalidResponse carrying the request's error")
    func invalidResponse() async throws {
        let harness = try await ConnectionHarness.established()
        let task = harness.run { connection in
            try await connection.request(SoftwareVersion(), to: Self.bob)
        }
        _ = try await harness.nextWrite()
        try await harness.serverSends("<iq type='result' id='q-1' from='bob@example.com/phone'/>")
        try await harness.serverCloses()
        let error = await #expect(throws: XMPPClientError.self) { try await task.value }
        #expect(error?.code == .invalidResponse)
        #expect(error?.underlying is SoftwareVersion.Missing)
    }

    @Test("An error answer throws stanzaError; RawIQRequest returns the result stanza")
    func errorAnswerAndRaw() async throws {
        let harness = try await ConnectionHarness.established()
        let task = harness.run { connection in
            let failure: XMPPClientError?
            do {
                _ = try await connection.request(RawIQRequest(.get, payload: pingPayload), to: Self.bob)
                failure = nil
            } catch let error as XMPPClientError {
                failure = error
            }
            let server = try JID("example.com")
            let result = try await connection.request(RawIQRequest(.get, payload: pingPayload), to: server)
            return (failure, result)
        }
        _ = try await harness.nextWrite()
        try await harness.serverSends(
            "<iq type='error' id='q-1' from='bob@example.com/phone'><error type='cancel'>"
                + "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>")
        #expect(try await harness.nextWrite() == "<iq id='q-2' to='example.com' type='get'><ping xmlns='urn:xmpp:ping'/></iq>")
        try await harness.serverSends("<iq type='result' id='q-2' from='example.com'/>")
        try await harness.serverCloses()
        let (failure, result) = try await task.value
        #expect(failure?.code == .stanzaError)
        #expect(failure?.stanzaError?.condition == .serviceUnavailable)
        let server = try JID("example.com")
        #expect(result.type == .result && result.from == server)
    }

    @Test("Timeout in virtual time: timeout(iqRequest) after the per-call 5 s; the session goes on")
    func timeout() async throws {
        let harness = try await ConnectionHarness.established()
        let task = harness.run { connection in
            let failure: XMPPClientError?
            do {
                _ = try await connection.request(RawIQRequest(.get, payload: pingPayload), to: Self.bob, timeout: .seconds(5))
                failure = nil
            } catch let error as XMPPClientError {
                failure = error
            }
            try await connection.send(Message(type: .chat, to: Self.bob, id: "after", body: "still here"))
            return failure
        }
        _ = try await harness.nextWrite()
        await harness.channel.testingEventLoop.advanceTime(by: .milliseconds(4_999))
        #expect(try await harness.pendingRequestCount == 1)
        await harness.channel.testingEventLoop.advanceTime(by: .milliseconds(1))
        #expect(try await harness.nextWrite().contains("id='after'"))
        try await harness.serverCloses()
        let failure = try await task.value
        #expect(failure?.code == .timeout)
        #expect(failure?.step == .iqRequest)
    }

    @Test("Cancelling the calling task throws CancellationError and forgets the request; a late answer is dropped")
    func cancellation() async throws {
        let harness = try await ConnectionHarness.established()
        let written = Signal()
        let task = harness.run { connection in
            let request = Task { try await connection.request(RawIQRequest(.get, payload: pingPayload), to: Self.bob) }
            await written.wait()
            request.cancel()
            return await request.result
        }
        _ = try await harness.nextWrite()
        written.fire()
        try await harness.serverCloses()
        let result = try await task.value
        guard case .failure(let error) = result else {
            Issue.record("not cancelled: \(result)")
            return
        }
        #expect(error is CancellationError)
    }

    @Test("A task cancelled before it asks sends nothing")
    func cancelledBeforeSending() async throws {
        let harness = try await ConnectionHarness.established()
        let task = harness.run { connection in
            let request = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await connection.request(RawIQRequest(.get, payload: pingPayload), to: Self.bob)
            }
            return await request.result
        }
        try await harness.serverCloses()
        guard case .failure(let error) = try await task.value else {
            Issue.record("not cancelled")
            return
        }
        #expect(error is CancellationError)
        #expect(try await harness.pendingRequestCount == 0)
    }

    @Test("The task is cancelled after the request was written: nothing stays pending")
    func cancellationRemovesEntry() async throws {
        let harness = try await ConnectionHarness.established()
        let written = Signal()
        let checked = Signal()
        let task = harness.run { connection in
            let request = Task { try await connection.request(RawIQRequest(.get, payload: pingPayload), to: Self.bob) }
            await written.wait()
            request.cancel()
            _ = await request.result
            await checked.wait()
        }
        _ = try await harness.nextWrite()
        #expect(try await harness.pendingRequestCount == 1)
        written.fire()
        while try await harness.pendingRequestCount > 0 { await Task.yield() }
        try await harness.serverSends("<iq type='result' id='q-1' from='bob@example.com/phone'/>")
        checked.fire()
        try await harness.serverCloses()
        try await task.value
        #expect(harness.logs.all.contains { $0.metadata[XMPPLoggingKey.reason] == "late response" })
    }

    @Test("The server ends the session while a request waits: the request throws the session's error")
    func sessionEnds() async throws {
        let harness = try await ConnectionHarness.established()
        let task = harness.run { connection in
            try await connection.request(RawIQRequest(.set, payload: pingPayload))
        }
        #expect(try await harness.nextWrite() == "<iq id='q-1' type='set'><ping xmlns='urn:xmpp:ping'/></iq>")
        try await harness.serverSends(
            "<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>")
        let error = await #expect(throws: XMPPClientError.self) { try await task.value }
        #expect(error?.code == .streamError)
        #expect(error?.streamError?.condition == .conflict)
    }
}
