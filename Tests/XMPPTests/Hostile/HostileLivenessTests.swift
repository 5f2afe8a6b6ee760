import NIOCore
import NIOEmbedded
import Testing
import XMPPCore

@testable import XMPP

/// security.md §6 groups B and H, liveness (P42): a connection that dies
/// without closing is noticed within a bound and ends the session with
/// `peerUnresponsive`, in virtual time, with the public defaults
/// (keepalive 60 s, probe after 90 s of silence, 30 s to answer).
@Suite struct HostileLivenessTests {
    typealias L = LivenessTest
    typealias H = Hostile

    @Test("H30: half-open TCP (nothing ever read again after establishment): keepalive, <r/>, then the end within 90 + 30 s")
    func H30_halfOpen() async throws {
        let harness = try L.established(streamManagement: true)
        var written: [(Int, String)] = []
        var elapsed = 0
        while harness.channel.isActive && elapsed < 600 {
            L.advance(harness, seconds: 1)
            elapsed += 1
            let text = try harness.clientWrote()
            if !text.isEmpty { written.append((elapsed, text)) }
        }
        #expect(elapsed == 120, "detected at probeAfterSilence + probeTimeout, not later")
        #expect(written.map(\.0) == [60, 90, 120])
        #expect(written.map(\.1) == [" ", L.request, "</stream:stream>"])
        let end = await L.endError(harness)
        #expect(end.error?.code == .peerUnresponsive)
    }

    @Test("H100: our direction blackholed, the server's stanzas still arrive but never an <a/>: the ack deadline ends the session")
    func H100_outboundBlackholed() async throws {
        let harness = try L.established(streamManagement: true)
        let message = Message(type: .chat, to: try JID("bob@example.com/x"), id: "o1", body: "x").element
        try await harness.channel.writeAndFlush(XMPPChannelHandler.Request.send(message)).get()
        _ = try harness.clientWrote()
        var elapsed = 0
        var received = 0
        while harness.channel.isActive && elapsed < 600 {
            L.advance(harness, seconds: 1)
            elapsed += 1
            if elapsed % 10 == 0 && harness.channel.isActive {
                // Stanzas every 10 s: silence never happens.
                received += 1
                try harness.serverSends(H.chat("in-\(received)"))
            }
        }
        // <r/> by time 5 s after the stanza, then 30 s without <a/>.
        #expect(elapsed == 35, "long before a silence probe could have fired")
        let end = await L.endError(harness)
        #expect(end.error?.code == .peerUnresponsive)
        #expect(end.error?.description.contains("no <a/> within 30 seconds of <r/>") == true)
        #expect(end.elements.count == 3, "what arrived before the end was delivered")
    }

    @Test("H101: the server's direction blackholed (nothing arrives, our bytes go out): ping probe at 90 s, the end at 120 s")
    func H101_inboundBlackholed() async throws {
        let harness = try L.established(streamManagement: false)
        let elapsed = L.advanceUntilClosed(harness, limit: 600)
        #expect(elapsed == 120)
        #expect(try harness.clientWrote() == " " + L.ping + "</stream:stream>")
        let end = await L.endError(harness)
        #expect(end.error?.code == .peerUnresponsive)
        #expect(end.error?.description.contains("nothing read within 30 seconds of a probe") == true)
    }
}
