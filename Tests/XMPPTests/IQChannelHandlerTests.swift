import Logging
import NIOCore
import NIOEmbedded
import Testing
import XMPPCore

@testable import XMPP

/// IQ requests and inbound requests through the real `XMPPChannelHandler`
/// on an `EmbeddedChannel`: the bytes written, the futures completed, the
/// deadlines fired by advancing the embedded clock.
@Suite struct IQChannelHandlerTests {
    static let bob = try! JID("bob@example.com/phone")

    /// Starts a request and records how its future completes.
    final class Request {
        let id: String
        let outcome = Locked<Result<IQ, any Error>?>(nil)

        init(_ harness: SessionHandlerHarness, to: JID? = bob, timeout: Duration? = nil, payload: XMLElement = pingPayload) throws {
            let (id, future) = try harness.handler.startRequest(.get, payload: payload, to: to, timeout: timeout)
            self.id = id
            let box = outcome
            future.whenComplete { box.value = $0 }
        }

        var result: IQ? { if case .success(let iq)? = outcome.value { iq } else { nil } }
        var error: (any Error)? { if case .failure(let error)? = outcome.value { error } else { nil } }
        var clientError: XMPPClientError? { error as? XMPPClientError }
        var isPending: Bool { outcome.value == nil }
    }

    @Test("Round trip: the request on the wire, the result from the recipient completes it, nothing on inbound")
    func roundTrip() async throws {
        let harness = try SessionHandlerHarness.established()
        let request = try Request(harness)
        #expect(request.id == "q-1")
        #expect(try harness.clientWrote() == "<iq id='q-1' to='bob@example.com/phone' type='get'><ping xmlns='urn:xmpp:ping'/></iq>")
        #expect(request.isPending)

        try harness.serverSends("<iq type='result' id='q-1' from='bob@example.com/phone' to='alice@example.com/r1'/>")
        #expect(request.result?.type == .result)
        #expect(request.result?.from == Self.bob)

        try harness.serverSends(ScriptedServer.end)
        let inbound = await harness.drainInbound()
        #expect(inbound.elements.isEmpty)
    }

    @Test("An error answer fails the future with stanzaError(item-not-found)")
    func errorAnswer() throws {
        let harness = try SessionHandlerHarness.established()
        let request = try Request(harness)
        try harness.serverSends(
            "<iq type='error' id='q-1' from='bob@example.com/phone'><error type='cancel'>"
                + "<item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>gone</text></error></iq>")
        #expect(request.clientError?.code == .stanzaError)
        #expect(request.clientError?.stanzaError?.condition == .itemNotFound)
        #expect(request.clientError?.stanzaError?.text == "gone")
    }

    @Test("A spoofed result from another user: dropped and logged; the real one completes the request (H74)")
    func spoofed() throws {
        let harness = try SessionHandlerHarness.established()
        let request = try Request(harness)
        try harness.serverSends("<iq type='result' id='q-1' from='mallory@evil.example/phone'><query xmlns='jabber:iq:roster'/></iq>")
        #expect(request.isPending)
        let drops = harness.logs.all.filter { $0.message == "XMPP element dropped" }
        #expect(drops.count == 1)
        #expect(drops.first?.level == .debug)
        #expect(drops.first?.metadata[XMPPLoggingKey.reason] == "unexpected origin")
        #expect(drops.first?.metadata[XMPPLoggingKey.stanzaFrom] == "mallory@evil.example/phone")
        #expect(drops.first?.metadata[XMPPLoggingKey.stanzaID] == "q-1")

        try harness.serverSends("<iq type='result' id='q-1' from='bob@example.com/phone'/>")
        #expect(request.result != nil)
    }

    @Test("Timeout: pending at 29.999 s, timeout(iqRequest) at 30 s (the default); the session goes on")
    func defaultTimeout() throws {
        let harness = try SessionHandlerHarness.established()
        let request = try Request(harness)
        harness.channel.embeddedEventLoop.advanceTime(by: .milliseconds(29_999))
        #expect(request.isPending)
        harness.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(request.clientError?.code == .timeout)
        #expect(request.clientError?.step == .iqRequest)
        #expect(harness.channel.isActive)

        // The late answer is dropped; the session still carries stanzas.
        _ = try harness.clientWrote()
        try harness.serverSends("<iq type='result' id='q-1' from='bob@example.com/phone'/>")
        try harness.channel.writeAndFlush(XMPPChannelHandler.Request.send(SessionTest.chat)).wait()
        #expect(try harness.clientWrote().hasPrefix("<message"))
        #expect(harness.logs.all.contains { $0.metadata[XMPPLoggingKey.reason] == "late response" })
    }

    @Test("Per-call timeouts: the earliest fires first, each at its own deadline")
    func perCallTimeouts() throws {
        let harness = try SessionHandlerHarness.established()
        let slow = try Request(harness, timeout: .seconds(10))
        let fast = try Request(harness, timeout: .seconds(2))
        let answered = try Request(harness, timeout: .seconds(1))
        try harness.serverSends("<iq type='result' id='\(answered.id)' from='bob@example.com/phone'/>")
        let loop = harness.channel.embeddedEventLoop
        loop.advanceTime(by: .seconds(1))
        #expect(answered.result != nil && fast.isPending && slow.isPending)
        loop.advanceTime(by: .seconds(1))
        #expect(fast.clientError?.step == .iqRequest)
        #expect(slow.isPending)
        loop.advanceTime(by: .milliseconds(7_999))
        #expect(slow.isPending)
        loop.advanceTime(by: .milliseconds(1))
        #expect(slow.clientError?.step == .iqRequest)
    }

    @Test("Cancellation: the future fails with CancellationError at once; a later answer is dropped, not delivered")
    func cancellation() async throws {
        let harness = try SessionHandlerHarness.established()
        let request = try Request(harness)
        harness.handler.cancelRequest(request.id)
        #expect(request.error is CancellationError)
        harness.handler.cancelRequest(request.id)  // twice: nothing happens

        try harness.serverSends("<iq type='result' id='q-1' from='bob@example.com/phone'/>")
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(60))  // the lazy timer finds nothing
        try harness.serverSends(ScriptedServer.end)
        #expect(await harness.drainInbound().elements.isEmpty)
    }

    @Test("The session ends with a stream error: the pending request fails with that error")
    func sessionEnd() throws {
        let harness = try SessionHandlerHarness.established()
        let first = try Request(harness)
        let second = try Request(harness, to: nil)
        try harness.serverSends(
            "<stream:error><system-shutdown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>")
        for request in [first, second] {
            #expect(request.clientError?.code == .streamError)
            #expect(request.clientError?.streamError?.condition == .systemShutdown)
        }
        let late = #expect(throws: XMPPClientError.self) { try Request(harness) }
        #expect(late?.code == .connectionClosed)
    }

    @Test("The connection drops: the pending request fails with connectionClosed")
    func dropped() throws {
        let harness = try SessionHandlerHarness.established()
        let request = try Request(harness)
        harness.channel.pipeline.fireChannelInactive()
        #expect(request.clientError?.code == .connectionClosed)
    }

    @Test("A payload XML cannot carry: the future fails with unserializableElement, nothing is written or left pending")
    func unserializable() throws {
        let harness = try SessionHandlerHarness.established()
        let broken = XMLElement("query", namespace: "urn:example", text: "nul \u{0}")
        let request = try Request(harness, payload: broken)
        #expect(request.clientError?.code == .unserializableElement)
        #expect(try harness.clientWrote() == "")
        #expect(harness.handler.machine.requests.isEmpty)
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(60))
    }

    @Test("An inbound get nobody handles is answered service-unavailable on the wire")
    func unhandledGet() async throws {
        let harness = try SessionHandlerHarness.established()
        try harness.serverSends(
            "<iq type='get' id='v1' from='bob@example.com/phone' to='alice@example.com/r1'><query xmlns='jabber:iq:version'/></iq>")
        #expect(
            try harness.clientWrote()
                == "<iq id='v1' to='bob@example.com/phone' type='error'><error type='cancel'>"
                + "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>")
        try harness.serverSends(ScriptedServer.end)
        #expect(await harness.drainInbound().elements.isEmpty, "an answered request is not delivered")
    }

    @Test("An inbound get with a handler goes to the request stream, with that handler; nothing is written yet")
    func handledGet() async throws {
        let harness = try SessionHandlerHarness.established()
        let key = IQRequestRoutes.Key(namespace: "urn:xmpp:ping", localName: "ping")
        let registered = try harness.handler.registerRequestHandler(key) { _ in nil }
        try harness.serverSends("<iq type='get' id='p1' from='bob@example.com/phone'><ping xmlns='urn:xmpp:ping'/></iq>")
        #expect(try harness.clientWrote() == "")
        var iterator = harness.requests.makeAsyncIterator()
        let request = try #require(await iterator.next())
        #expect(request.iq.id == "p1")
        #expect(request.handler.registration == registered.registration)

        harness.handler.unregisterRequestHandler(registered)
        try harness.serverSends("<iq type='get' id='p2' from='bob@example.com/phone'><ping xmlns='urn:xmpp:ping'/></iq>")
        #expect(try harness.clientWrote().contains("service-unavailable"))

        #expect(!harness.handedOver.isFinished)
        try harness.serverSends(ScriptedServer.end)
        #expect(harness.handedOver.isFinished, "no request is taken once the session ended")
    }
}
