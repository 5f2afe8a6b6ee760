import Testing
import XMPPCore

@testable import XMPP

/// `StreamManagementLedger` on a live stream: enabling, counting both ways,
/// acknowledgements (partial, repeated, stale, too high), ack requests by
/// count and by time, the queue bound. Each test is a transcript: inputs
/// in order, the ledger's answer after each.
@Suite struct StreamManagementLedgerTests {
    // MARK: Enabling

    @Test("Before <enable/> nothing is tracked; <enable/> asks for resumption; a second one is refused")
    func enabling() throws {
        var ledger = SMLedger(configuration: StreamManagementConfiguration(preferredMaximumResumption: 300))
        #expect(try ledger.send(SM.message(0), token: 0, now: SM.at(0)) == .untracked)
        #expect(try ledger.enable() == .enable(resume: true, preferredMaximum: 300))
        #expect(ledger.phase == .enabling)
        #expect(throws: StreamManagementError.alreadyEnabled) { try ledger.enable() }
        let noResume = StreamManagementConfiguration(requestsResumption: false)
        var plain = SMLedger(configuration: noResume)
        #expect(try plain.enable() == .enable(resume: false, preferredMaximum: nil))
    }

    @Test("A stanza between <enable/> and <enabled/> counts outbound; one arriving then does not count inbound")
    func stanzaBetweenEnableAndEnabled() throws {
        var ledger = SMLedger()
        _ = try ledger.enable()
        #expect(try ledger.send(SM.message(1), token: 1, now: SM.at(0)) == .write(sequenceNumber: 1, requestAck: false))
        let countedEarly = ledger.inboundHandled(SM.message(100))
        #expect(!countedEarly, "the server's count starts when it sends <enabled/> (H89)")
        #expect(throws: StreamManagementError.unexpectedElement(localName: "a")) { try ledger.ackReceived(1) }

        let answer = try ledger.enabled(StreamManagementEnabled(id: "sm-1", resume: true), now: SM.at(1))
        #expect(answer.resumable && !answer.requestAck)
        #expect(ledger.handledCount == 0)
        let counted = ledger.inboundHandled(SM.message(101))
        #expect(counted)
        #expect(try ledger.answerAtOnce() == .ack(1))
        let first = TrackedStanza(token: 1, stanza: .element(SM.message(1)), state: .acked, sequenceNumber: 1, writtenAt: SM.at(0))
        #expect(try ledger.ackReceived(1) == .acknowledged([first]))
        #expect(ledger.stanzas.isEmpty && ledger.isConsistent)
    }

    @Test("<enabled/> without id, with an empty or oversized id, or unasked resume: acks only (H85, H86)")
    func enabledWithoutResumption() throws {
        let cases: [(StreamManagementConfiguration, StreamManagementEnabled)] = [
            (StreamManagementConfiguration(), StreamManagementEnabled(resume: true)),
            (StreamManagementConfiguration(), StreamManagementEnabled(id: "", resume: true)),
            (StreamManagementConfiguration(), StreamManagementEnabled(id: String(repeating: "x", count: 4_001), resume: true)),
            (StreamManagementConfiguration(), StreamManagementEnabled(id: "sm-1", resume: false)),
            (StreamManagementConfiguration(requestsResumption: false), StreamManagementEnabled(id: "sm-1", resume: true)),
        ]
        for (configuration, enabled) in cases {
            var ledger = SMLedger(configuration: configuration)
            _ = try ledger.enable()
            #expect(try ledger.enabled(enabled, now: SM.at(0)).resumable == false)
            #expect(ledger.phase == .active && ledger.resumableSession == nil && ledger.snapshot == nil)
        }
        var atLimit = SMLedger()
        _ = try atLimit.enable()
        let id = String(repeating: "é", count: 2_000)  // 4,000 bytes
        let enabled = StreamManagementEnabled(id: id, resume: true, maximumResumption: 60, location: "h:1")
        let answer = try atLimit.enabled(enabled, now: SM.at(0))
        #expect(answer.resumable)
        #expect(atLimit.resumableSession == SMLedger.ResumableSession(id: id, maximumResumption: 60, location: "h:1"))
    }

    @Test("<enabled/>, <a/> and <r/> out of turn are unexpected elements")
    func outOfTurn() throws {
        var ledger = SMLedger()
        #expect(throws: StreamManagementError.unexpectedElement(localName: "enabled")) {
            try ledger.enabled(StreamManagementEnabled(), now: SM.at(0))
        }
        #expect(throws: StreamManagementError.unexpectedElement(localName: "r")) { try ledger.answerAtOnce() }
        #expect(throws: StreamManagementError.unexpectedElement(localName: "failed")) { try ledger.failed(StreamManagementFailure()) }
        var active = try SM.active()
        #expect(throws: StreamManagementError.unexpectedElement(localName: "enabled")) {
            try active.enabled(StreamManagementEnabled(), now: SM.at(0))
        }
        #expect(throws: StreamManagementError.unexpectedElement(localName: "resumed")) {
            try active.resumed(previousID: "sm-1", handled: 0, now: SM.at(0))
        }
        let forced = ledger.requestAck()
        #expect(ledger.closingAcknowledgement == nil && forced == nil)
    }

    // MARK: Outbound acknowledgements

    @Test("Nonzas are never tracked; stanzas are numbered 1, 2, 3")
    func numbering() throws {
        var ledger = try SM.active()
        #expect(try ledger.send(XMLElement("r", namespace: StreamManagementElement.namespace), token: 9, now: SM.at(0)) == .untracked)
        #expect(try ledger.send(XMLElement("message", namespace: "jabber:server"), token: 9, now: SM.at(0)) == .untracked)
        for n in 1...3 {
            let decision = try ledger.send(SM.message(n), token: n, now: SM.at(0))
            #expect(decision == .write(sequenceNumber: StanzaCount(UInt32(n)), requestAck: false))
        }
        #expect(ledger.stanzas.map(\.sequenceNumber) == [1, 2, 3])
        #expect(ledger.stanzas.allSatisfy { $0.state == .sent })
    }

    @Test("Partial acks retire stanzas up to h, oldest first; a repeated h retires nothing")
    func partialAcks() throws {
        var ledger = try SM.active()
        try SM.send(1...5, on: &ledger)
        guard case .acknowledged(let first) = try ledger.ackReceived(2) else { throw SM.Unexpected(description: "h=2") }
        #expect(SM.tokens(first) == [1, 2] && first.allSatisfy { $0.state == .acked })
        #expect(try ledger.ackReceived(2) == .acknowledged([]), "a duplicate")
        guard case .acknowledged(let rest) = try ledger.ackReceived(5) else { throw SM.Unexpected(description: "h=5") }
        #expect(SM.tokens(rest) == [3, 4, 5])
        #expect(ledger.stanzas.isEmpty && ledger.acknowledgedCount == 5 && ledger.isConsistent)
    }

    @Test("An h lower than the last one is ignored as stale, and nothing is un-acked (H91)")
    func staleAck() throws {
        var ledger = try SM.active()
        try SM.send(1...6, on: &ledger)
        _ = try ledger.ackReceived(5)
        let before = ledger
        #expect(try ledger.ackReceived(3) == .stale(handled: 3))
        #expect(try ledger.ackReceived(0) == .stale(handled: 0))
        #expect(SM.tokens(ledger.stanzas) == [6] && ledger.acknowledgedCount == 5)
        #expect(ledger.stanzas == before.stanzas)
    }

    @Test("h above what was sent is an error naming both counts; nothing changes (H90, P31)")
    func ackTooHigh() throws {
        var ledger = try SM.active()
        try SM.send(1...8, on: &ledger)
        _ = try ledger.ackReceived(3)
        let before = ledger.stanzas
        #expect(throws: StreamManagementError.handledCountTooHigh(handled: 10, sent: 8)) { try ledger.ackReceived(10) }
        #expect(throws: StreamManagementError.handledCountTooHigh(handled: 9, sent: 8)) { try ledger.ackReceived(9) }
        #expect(ledger.stanzas == before && ledger.acknowledgedCount == 3)
        var empty = try SM.active()
        #expect(throws: StreamManagementError.handledCountTooHigh(handled: 1, sent: 0)) { try empty.ackReceived(1) }
    }

    @Test("Outbound counts wrap from 2^32 − 1 to 0, and acks across the wrap retire the right stanzas (P30)")
    func outboundWrap() throws {
        var ledger = try SM.restored(sent: SM.nearWrap, acknowledged: SM.nearWrap, handled: 0)
        _ = try ledger.resume(now: SM.at(0))
        _ = try ledger.resumed(previousID: "sm-1", handled: SM.nearWrap, now: SM.at(0))
        var numbers: [StanzaCount] = []
        for n in 1...5 {
            guard case .write(let number, _) = try ledger.send(SM.message(n), token: n, now: SM.at(0)) else {
                throw SM.Unexpected(description: "not written")
            }
            numbers.append(number)
        }
        #expect(numbers == [StanzaCount(UInt32.max - 1), StanzaCount(UInt32.max), 0, 1, 2])
        guard case .acknowledged(let acked) = try ledger.ackReceived(0) else { throw SM.Unexpected(description: "h=0") }
        #expect(SM.tokens(acked) == [1, 2, 3])
        #expect(throws: StreamManagementError.handledCountTooHigh(handled: 3, sent: 2)) { try ledger.ackReceived(3) }
        #expect(try ledger.ackReceived(StanzaCount(UInt32.max)) == .stale(handled: StanzaCount(UInt32.max)))
        guard case .acknowledged(let rest) = try ledger.ackReceived(2) else { throw SM.Unexpected(description: "h=2") }
        #expect(SM.tokens(rest) == [4, 5] && ledger.isConsistent)
    }

    // MARK: Inbound count

    @Test("Every inbound stanza counts, poison ones too; nonzas and other namespaces do not (P36, H92)")
    func inboundCounting() throws {
        var ledger = try SM.active()
        let poison = try SM.xml("<message type='nonsense' from='not a jid@@'><body/></message>")
        let inputs = [
            SM.message(1),
            poison,  // the application could not read it, but it was handled
            try SM.xml("<iq type='get' id='x'/>"),
            try SM.xml("<r xmlns='urn:xmpp:sm:3'/>"),
            try SM.xml("<features xmlns='http://etherx.jabber.org/streams'/>"),
        ]
        let counted = inputs.map { ledger.inboundHandled($0) }
        #expect(counted == [true, true, true, false, false])
        #expect(try ledger.answerAtOnce() == .ack(3))
        #expect(ledger.closingAcknowledgement == .ack(3), "the <a/> to write before </stream:stream> (P39)")
    }

    @Test("The handled count wraps from 2^32 − 1 to 0 (P30)")
    func inboundWrap() throws {
        var ledger = try SM.restored(sent: 0, acknowledged: 0, handled: SM.nearWrap)
        #expect(try ledger.resume(now: SM.at(0)) == .resume(previousID: "sm-1", handled: SM.nearWrap))
        _ = try ledger.resumed(previousID: "sm-1", handled: 0, now: SM.at(0))
        var answers: [StreamManagementElement] = []
        for n in 1...4 {
            _ = ledger.inboundHandled(SM.message(n))
            answers.append(try #require(try ledger.answerAtOnce()))
        }
        #expect(answers == [.ack(StanzaCount(UInt32.max - 1)), .ack(StanzaCount(UInt32.max)), .ack(0), .ack(1)])
    }

    // MARK: Ack requests

    @Test("<r/> after every N uncovered stanzas; an unsolicited <a/> covers what it acknowledges")
    func ackRequestByCount() throws {
        var ledger = try SM.active(StreamManagementConfiguration(ackRequestThreshold: 3, ackRequestDelay: .seconds(3_600)))
        #expect(try SM.send(1...6, on: &ledger) == [false, false, true, false, false, true])
        try SM.send(7...8, on: &ledger)
        _ = try ledger.ackReceived(8)
        #expect(try SM.send(9...11, on: &ledger) == [false, false, true], "the ack reset the count")
        try SM.send(12...12, on: &ledger)
        let forced = ledger.requestAck()
        #expect(forced == .requestAck, "a forced request (liveness) also covers what was sent")
        #expect(try SM.send(13...15, on: &ledger) == [false, false, true])
    }

    @Test("<r/> once the oldest uncovered stanza has waited the delay; the timer instant follows it")
    func ackRequestByTime() throws {
        var ledger = try SM.active(StreamManagementConfiguration(ackRequestThreshold: 100, ackRequestDelay: .seconds(10)))
        #expect(ledger.nextAckRequestTime == nil, "nothing sent, no timer")
        try SM.send(1...1, on: &ledger, at: SM.at(0))
        try SM.send(2...2, on: &ledger, at: SM.at(3))
        #expect(ledger.nextAckRequestTime == SM.at(10))
        let early = ledger.requestAckIfDue(now: SM.at(9))
        let due = ledger.requestAckIfDue(now: SM.at(10))
        #expect(!early && due)
        #expect(ledger.nextAckRequestTime == nil, "both are covered by the request")
        let again = ledger.requestAckIfDue(now: SM.at(50))
        #expect(!again, "no second request for the same stanzas")
        #expect(try SM.send(3...3, on: &ledger, at: SM.at(12)) == [false])
        #expect(ledger.nextAckRequestTime == SM.at(22))
        _ = try ledger.ackReceived(3)
        #expect(ledger.nextAckRequestTime == nil, "acknowledged: nothing to ask about")
        try SM.send(4...4, on: &ledger, at: SM.at(30))
        #expect(try SM.send(5...5, on: &ledger, at: SM.at(45)) == [true], "a send past the delay asks at once")
    }

    @Test("Stanzas written before <enabled/> can make <r/> due as soon as it arrives")
    func ackRequestAfterEnabled() throws {
        var ledger = SMLedger(configuration: StreamManagementConfiguration(ackRequestThreshold: 2))
        _ = try ledger.enable()
        #expect(try SM.send(1...3, on: &ledger) == [false, false, false], "no <r/> before <enabled/>")
        #expect(try ledger.enabled(StreamManagementEnabled(), now: SM.at(1)).requestAck)
    }

    // MARK: Bound

    @Test("The queue is bounded: one stanza too many is refused, nothing dropped; an ack makes room (P38)")
    func queueFull() throws {
        var ledger = try SM.active(StreamManagementConfiguration(maximumUnacknowledged: 3))
        try SM.send(1...3, on: &ledger)
        #expect(ledger.isFull)
        #expect(throws: StreamManagementError.queueFull(limit: 3)) { try ledger.send(SM.message(4), token: 4, now: SM.at(0)) }
        #expect(SM.tokens(ledger.stanzas) == [1, 2, 3] && ledger.sentCount == 3, "the refused stanza got no number")
        _ = try ledger.ackReceived(1)
        #expect(try ledger.send(SM.message(5), token: 5, now: SM.at(0)) == .write(sequenceNumber: 4, requestAck: false))
        #expect(StreamManagementConfiguration(maximumUnacknowledged: 0).maximumUnacknowledged == 1)
        #expect(StreamManagementConfiguration(maximumUnacknowledged: .max).maximumUnacknowledged == 1 << 30)
    }
}
