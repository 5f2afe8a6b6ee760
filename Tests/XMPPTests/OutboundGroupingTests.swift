import Foundation
import NIOCore
import NIOEmbedded
import Testing
import XMPPCore

@testable import XMPP

/// How the handler groups what it writes: one buffer per flush (so TLS
/// seals one record for a burst), and the writes a read causes flushed at
/// the end of the loop's turn, together with what a task woken by that
/// read writes in the same turn.
@Suite struct OutboundGroupingTests {
    typealias S = ScriptedServer

    static func message(_ id: String) throws -> XMLElement {
        Message(type: .chat, to: try JID("bob@example.com"), id: id, body: "hi").element
    }

    /// A session with acknowledgements on, everything it wrote so far read.
    static func established() throws -> SessionHandlerHarness {
        let harness = try Hostile.streamManagement()
        _ = try buffers(harness)
        return harness
    }

    /// Every buffer the client passed down since the last call, as text.
    static func buffers(_ harness: SessionHandlerHarness) throws -> [String] {
        harness.channel.embeddedEventLoop.run()
        var result: [String] = []
        while let buffer = try harness.channel.readOutbound(as: ByteBuffer.self) {
            result.append(String(buffer: buffer))
        }
        return result
    }

    @Test("A stanza and the <r/> after it go down as one buffer")
    func stanzaAndRequestInOneBuffer() throws {
        let harness = try Self.established()
        _ = try harness.handler.startAcknowledgedSend(.element(Self.message("m1")))
        let written = try Self.buffers(harness)
        #expect(written.count == 1)
        #expect(written.first?.hasPrefix("<message") == true)
        #expect(written.first?.hasSuffix("<r xmlns='urn:xmpp:sm:3'/>") == true)
    }

    @Test("Sends in one turn are one buffer, flushed at the turn's end; the first is flushed at once")
    func coalescedSendsInOneBuffer() throws {
        let harness = try Self.established()
        try harness.handler.submitCoalesced(.element(Self.message("m1")))
        // The first send of a turn waits for nothing.
        let first = try #require(try harness.channel.readOutbound(as: ByteBuffer.self))
        #expect(String(buffer: first).contains("id='m1'"))
        try harness.handler.submitCoalesced(.element(Self.message("m2")))
        try harness.handler.submitCoalesced(.element(Self.message("m3")))
        #expect(try harness.channel.readOutbound(as: ByteBuffer.self) == nil, "not before the turn ends")
        let rest = try Self.buffers(harness)
        #expect(rest.count == 1)
        #expect(rest.first.map { $0.contains("id='m2'") && $0.contains("id='m3'") } == true)
    }

    @Test("A lone send after a read goes at once and schedules no turn-end flush")
    func loneSendAfterReadSchedulesNothing() throws {
        let harness = try Self.established()
        try harness.channel.writeInbound(ByteBuffer(string: Hostile.chat("in-1")))
        #expect(try Self.buffers(harness).isEmpty, "a chat without <r/> asks for no answer")
        try harness.handler.submitCoalesced(.element(Self.message("reply")))
        let written = try #require(try harness.channel.readOutbound(as: ByteBuffer.self))
        #expect(String(buffer: written).contains("id='reply'"))
        #expect(!harness.handler.flushScheduled, "the round-trip pattern costs no event-loop task")
    }

    @Test("After a read or a turn-end flush, the next send goes at once again")
    func readOrTurnEndStartsAFreshTurn() throws {
        let harness = try Self.established()
        try harness.handler.submitCoalesced(.element(Self.message("m1")))
        try harness.handler.submitCoalesced(.element(Self.message("m2")))
        let first = try #require(try harness.channel.readOutbound(as: ByteBuffer.self))
        #expect(String(buffer: first).contains("id='m1'"))
        #expect(try harness.channel.readOutbound(as: ByteBuffer.self) == nil, "the second send waits for the turn's end")
        #expect(harness.handler.flushScheduled)
        let second = try Self.buffers(harness)
        #expect(second.count == 1)
        #expect(second.first?.contains("id='m2'") == true)
        // The turn-end flush ran: the next send is a first one.
        try harness.handler.submitCoalesced(.element(Self.message("m3")))
        let third = try #require(try harness.channel.readOutbound(as: ByteBuffer.self))
        #expect(String(buffer: third).contains("id='m3'"))
        // A read between two sends does the same.
        try harness.channel.writeInbound(ByteBuffer(string: Hostile.chat("in-1")))
        _ = try Self.buffers(harness)
        try harness.handler.submitCoalesced(.element(Self.message("m4")))
        let fourth = try #require(try harness.channel.readOutbound(as: ByteBuffer.self))
        #expect(String(buffer: fourth).contains("id='m4'"))
    }

    @Test("The answer to <r/> waits for the turn's end and leaves behind what is sent in that turn")
    func answerLeavesWithTheTurnsSend() throws {
        let harness = try Self.established()
        try harness.channel.writeInbound(ByteBuffer(string: Hostile.chat("in-1") + "<r xmlns='urn:xmpp:sm:3'/>"))
        #expect(try harness.channel.readOutbound(as: ByteBuffer.self) == nil, "held until the turn ends")
        // What a task woken by the message would do in the same turn.
        try harness.handler.submitCoalesced(.element(Self.message("reply")))
        let written = try Self.buffers(harness)
        #expect(written.count == 1)
        // The server routes the stanza before it reads the answer.
        #expect(written.first?.hasPrefix("<message") == true)
        #expect(written.first?.contains("id='reply'") == true)
        #expect(written.first?.hasSuffix("<a xmlns='urn:xmpp:sm:3' h='1'/>") == true)
    }

    @Test("A waiting answer stays ahead of what the machine writes next: the closing <a h/>, </stream:stream>")
    func answerKeepsItsPlaceBeforeTheClose() throws {
        let harness = try Self.established()
        try harness.channel.writeInbound(ByteBuffer(string: Hostile.chat("in-1") + "<r xmlns='urn:xmpp:sm:3'/>"))
        harness.channel.close(promise: nil)
        let written = try Self.buffers(harness).joined()
        #expect(written == "<a xmlns='urn:xmpp:sm:3' h='1'/><a xmlns='urn:xmpp:sm:3' h='1'/></stream:stream>")
    }

    @Test("The answer to <r/> alone is flushed when the turn ends")
    func answerAloneIsFlushed() throws {
        let harness = try Self.established()
        try harness.channel.writeInbound(ByteBuffer(string: "<r xmlns='urn:xmpp:sm:3'/>"))
        #expect(try Self.buffers(harness) == ["<a xmlns='urn:xmpp:sm:3' h='0'/>"])
    }

    @Test("Writes grouped in one buffer complete their promises together, when it is written")
    func groupedPromisesSucceed() throws {
        let harness = try Self.established()
        let first = harness.channel.write(XMPPChannelHandler.Request.send(try Self.message("p1")))
        let second = harness.channel.write(XMPPChannelHandler.Request.send(try Self.message("p2")))
        let done = Locked(0)
        first.whenSuccess { done.value += 1 }
        second.whenSuccess { done.value += 1 }
        #expect(done.value == 0, "nothing flushed yet")
        harness.channel.flush()
        #expect(done.value == 2)
        #expect(try Self.buffers(harness).count == 1)
    }

    @Test("A clean close sends what waits first: the grouped write precedes </stream:stream> and succeeds")
    func closeSendsWhatWaitsFirst() throws {
        let harness = try Self.established()
        let write = harness.channel.write(XMPPChannelHandler.Request.send(try Self.message("p1")))
        let succeeded = Locked(false)
        write.whenSuccess { succeeded.value = true }
        harness.channel.close(promise: nil)
        let written = try Self.buffers(harness).joined()
        #expect(succeeded.value)
        let message = try #require(written.range(of: "id='p1'"))
        let end = try #require(written.range(of: "</stream:stream>"))
        #expect(message.upperBound <= end.lowerBound)
    }
}
