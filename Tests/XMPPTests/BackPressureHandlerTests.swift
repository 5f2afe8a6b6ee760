import NIOCore
import NIOEmbedded
import Testing
import XMPPCore

@testable import XMPP

/// Counts the flushes that reach the network side of the pipeline.
final class FlushCounter: ChannelOutboundHandler, @unchecked Sendable {
    // @unchecked: used on the embedded loop only.
    typealias OutboundIn = NIOAny
    var flushes = 0

    func flush(context: ChannelHandlerContext) {
        flushes += 1
        context.flush()
    }
}

/// Writes coalesced per read, and waiting for room in XEP-0198's queue,
/// through the channel handler on an `EmbeddedChannel`.
@Suite struct BackPressureHandlerTests {
    typealias S = ScriptedServer
    typealias M = StreamManagementHandlerTests

    /// A harness with acknowledgements on and a queue of `limit` stanzas,
    /// negotiated up to `<enabled/>`, with a flush counter in front.
    static func established(limit: Int = 1_000) throws -> (SessionHandlerHarness, FlushCounter) {
        let harness = try SessionHandlerHarness(
            transport: .tls(SessionTest.encrypted),
            configuration: SessionTest.configuration(
                streamManagement: StreamManagementConfiguration(maximumUnacknowledged: limit, ackAnswerDelay: .zero, requestsResumption: false)))
        let counter = FlushCounter()
        try harness.channel.pipeline.syncOperations.addHandler(counter, position: .first)
        _ = try harness.clientWrote()
        try harness.serverSends(S.header + S.plainFeatures)
        try harness.serverSends(S.success)
        try harness.serverSends(S.header + M.smFeatures)
        try harness.serverSends(S.bindResult)
        try harness.serverSends(M.enabled)
        #expect(harness.session?.streamManagementEnabled == true)
        _ = try harness.clientWrote()
        return (harness, counter)
    }

    static func message(_ id: String) throws -> XMLElement {
        Message(type: .chat, to: try JID("bob@example.com/x"), id: id, body: id).element
    }

    @Test("What the elements of one read make the client write leaves in one flush")
    func oneFlushPerRead() throws {
        let (harness, counter) = try Self.established()
        counter.flushes = 0
        try harness.serverSends(S.chat + M.request + S.chat + M.request + S.chat + M.request)
        #expect(try harness.clientWrote() == M.ack(1) + M.ack(2) + M.ack(3))
        #expect(counter.flushes == 1, "three answers, one flush (was one per element)")
        // A read that needs no answer flushes nothing.
        try harness.serverSends(S.chat)
        #expect(counter.flushes == 1)
    }

    @Test("A full queue: the wait for room succeeds with the server's <a/>, then the stanza is taken")
    func roomAfterAcknowledgement() throws {
        let (harness, _) = try Self.established(limit: 2)
        let handler = harness.handler
        try handler.submit(.element(try Self.message("o1")))
        try handler.submit(.element(try Self.message("o2")))
        #expect(throws: XMPPClientError.self) { try handler.submit(.element(try Self.message("o3"))) }
        #expect(!(try harness.clientWrote()).contains("o3"), "a refused stanza is not written")
        let (_, room) = handler.startWaitingForRoom(on: harness.channel.eventLoop)
        #expect(try harness.clientWrote() == M.request, "the wait asks for an acknowledgement at once")
        let woke = Locked(false)
        room.whenSuccess { woke.value = true }
        try harness.serverSends(S.chat)
        #expect(!woke.value, "an inbound stanza frees nothing")
        try harness.serverSends(M.ack(1))
        #expect(woke.value, "<a h='1'/> frees one place")
        try handler.submit(.element(try Self.message("o3")))
        #expect(try harness.clientWrote().contains("id='o3'"))
    }

    @Test("A wait for room ends with CancellationError when stopped, and with the session's error when it ends")
    func roomWaitsEnd() throws {
        let (harness, _) = try Self.established(limit: 1)
        let handler = harness.handler
        try handler.submit(.element(try Self.message("o1")))
        let (id, stopped) = handler.startWaitingForRoom(on: harness.channel.eventLoop)
        let (_, ended) = handler.startWaitingForRoom(on: harness.channel.eventLoop)
        let stopError = Locked<(any Error)?>(nil)
        let endError = Locked<(any Error)?>(nil)
        stopped.whenFailure { stopError.value = $0 }
        ended.whenFailure { endError.value = $0 }
        handler.stopWaitingForRoom(id)
        #expect(stopError.value is CancellationError)
        #expect(endError.value == nil)
        try harness.serverSends(S.end)
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(endError.value is XMPPClientError, "the session's end fails the wait: \(String(describing: endError.value))")
        // Once the session ended, a new wait fails at once.
        let (_, late) = handler.startWaitingForRoom(on: harness.channel.eventLoop)
        let lateError = Locked<(any Error)?>(nil)
        late.whenFailure { lateError.value = $0 }
        #expect(lateError.value != nil)
    }
}
