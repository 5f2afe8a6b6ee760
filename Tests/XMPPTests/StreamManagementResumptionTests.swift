import Testing
import XMPPCore

@testable import XMPP

/// `StreamManagementLedger` across a lost connection: detaching, queueing,
/// `<resume/>`, `<resumed/>` (retire, resend in order, then the queued),
/// `<failed/>` with and without `h`, wrong SM-IDs, expiry, snapshots.
@Suite struct StreamManagementResumptionTests {
    /// An active resumable ledger with messages 1…5 written and 1…2
    /// acknowledged, then the connection lost.
    static func detachedWithFiveSent(maximum: UInt32? = nil) throws -> SMLedger {
        var ledger = try SM.active(maximum: maximum)
        try SM.send(1...5, on: &ledger, at: SM.at(1))
        _ = try ledger.ackReceived(2)
        #expect(ledger.connectionLost(now: SM.at(10)) == .resumable)
        return ledger
    }

    // MARK: Losing the connection

    @Test("A session without resumption ends on loss: written stanzas become unknown")
    func lossWithoutResumption() throws {
        var ledger = try SM.active(id: nil)
        try SM.send(1...3, on: &ledger)
        _ = try ledger.ackReceived(1)
        guard case .ended(let end) = ledger.connectionLost(now: SM.at(5)) else { throw SM.Unexpected(description: "resumable") }
        #expect(SM.tokens(end.unknown) == [2, 3] && end.unknown.allSatisfy { $0.state == .unknown })
        #expect(end.failed.isEmpty && ledger.phase == .inactive && ledger.stanzas.isEmpty && ledger.isConsistent)
        #expect(try ledger.enable() == .enable(resume: true, preferredMaximum: nil), "a new session may be enabled")
    }

    @Test("Loss before <enabled/> ends the session; loss while inactive reports nothing")
    func lossWhileEnabling() throws {
        var ledger = SMLedger()
        #expect(ledger.connectionLost(now: SM.at(0)) == .ended(SMLedger.SessionEnd(unknown: [], failed: [])))
        _ = try ledger.enable()
        try SM.send(1...2, on: &ledger)
        guard case .ended(let end) = ledger.connectionLost(now: SM.at(1)) else { throw SM.Unexpected(description: "resumable") }
        #expect(SM.tokens(end.unknown) == [1, 2])
    }

    @Test("Detached: stanzas are queued in order and no <r/> or <a/> is produced")
    func detachedQueues() throws {
        var ledger = try Self.detachedWithFiveSent()
        #expect(ledger.phase == .detached)
        #expect(try ledger.send(SM.message(6), token: 6, now: SM.at(11)) == .queued)
        #expect(try ledger.send(SM.message(7), token: 7, now: SM.at(12)) == .queued)
        let due = ledger.requestAckIfDue(now: SM.at(1_000))
        #expect(!due && ledger.nextAckRequestTime == nil && ledger.closingAcknowledgement == nil)
        #expect(ledger.stanzas.map(\.state) == [.sent, .sent, .sent, .queued, .queued] && ledger.isConsistent)
    }

    // MARK: Resumed

    @Test("<resumed h/> retires what the server counted and returns exactly the rest, in order, then the queued (P33)")
    func resumedResendOrder() throws {
        var ledger = try Self.detachedWithFiveSent()
        _ = try ledger.send(SM.message(6), token: 6, now: SM.at(11))
        _ = try ledger.send(SM.message(7), token: 7, now: SM.at(12))
        _ = ledger.inboundHandled(SM.message(100))  // not active: not counted
        #expect(try ledger.resume(now: SM.at(20)) == .resume(previousID: "sm-1", handled: 0))
        #expect(ledger.phase == .resuming)
        #expect(try ledger.send(SM.message(8), token: 8, now: SM.at(21)) == .queued, "still queued while resuming")

        let resumption = try ledger.resumed(previousID: "sm-1", handled: 3, now: SM.at(22))
        #expect(SM.tokens(resumption.acked) == [3])
        #expect(SM.tokens(resumption.resent) == [4, 5])
        #expect(resumption.resent.map(\.sequenceNumber) == [4, 5], "numbers are unchanged")
        #expect(SM.tokens(resumption.flushed) == [6, 7, 8])
        #expect(resumption.flushed.map(\.sequenceNumber) == [6, 7, 8])
        #expect(SM.tokens(resumption.toWrite) == [4, 5, 6, 7, 8])
        #expect(resumption.toWrite.allSatisfy { $0.state == .sent && $0.writtenAt == SM.at(22) })
        #expect(resumption.requestAck, "<r/> follows the resent stanzas")
        #expect(ledger.phase == .active && ledger.sentCount == 8 && ledger.acknowledgedCount == 3 && ledger.isConsistent)
        #expect(try ledger.send(SM.message(9), token: 9, now: SM.at(23)) == .write(sequenceNumber: 9, requestAck: false))
        guard case .acknowledged(let acked) = try ledger.ackReceived(9) else { throw SM.Unexpected(description: "h=9") }
        #expect(SM.tokens(acked) == [4, 5, 6, 7, 8, 9])
    }

    @Test("<resumed/> covering everything resends nothing and asks for no ack")
    func resumedNothingToResend() throws {
        var ledger = try Self.detachedWithFiveSent()
        _ = try ledger.resume(now: SM.at(20))
        let resumption = try ledger.resumed(previousID: "sm-1", handled: 5, now: SM.at(21))
        #expect(SM.tokens(resumption.acked) == [3, 4, 5] && resumption.toWrite.isEmpty && !resumption.requestAck)
    }

    @Test("<resumed/> with another SM-ID is an error and changes nothing (H88)")
    func resumedWrongID() throws {
        var ledger = try Self.detachedWithFiveSent()
        _ = try ledger.resume(now: SM.at(20))
        let before = ledger.stanzas
        #expect(throws: StreamManagementError.previousIDMismatch) {
            try ledger.resumed(previousID: "sm-2", handled: 3, now: SM.at(21))
        }
        #expect(ledger.phase == .resuming && ledger.stanzas == before)
        #expect(!StreamManagementError.previousIDMismatch.description.contains("sm-"), "no SM-ID in descriptions")
    }

    @Test("<resumed/> with h too high is an error; with a stale h everything unacknowledged is resent")
    func resumedBadCounts() throws {
        var ledger = try Self.detachedWithFiveSent()
        _ = try ledger.resume(now: SM.at(20))
        #expect(throws: StreamManagementError.handledCountTooHigh(handled: 6, sent: 5)) {
            try ledger.resumed(previousID: "sm-1", handled: 6, now: SM.at(21))
        }
        let resumption = try ledger.resumed(previousID: "sm-1", handled: 1, now: SM.at(21))
        #expect(resumption.acked.isEmpty && SM.tokens(resumption.resent) == [3, 4, 5])
    }

    @Test("Cut again while resuming, or during the resend: the next resume retires and resends once (H103, H104)")
    func doubleFault() throws {
        var ledger = try Self.detachedWithFiveSent()
        _ = try ledger.resume(now: SM.at(20))
        #expect(ledger.connectionLost(now: SM.at(21)) == .resumable, "cut before <resumed/>")
        #expect(SM.tokens(ledger.stanzas) == [3, 4, 5])
        _ = try ledger.resume(now: SM.at(22))
        let first = try ledger.resumed(previousID: "sm-1", handled: 2, now: SM.at(23))
        #expect(SM.tokens(first.resent) == [3, 4, 5])
        // The server handled 3 of the resent stanzas before the next cut.
        #expect(ledger.connectionLost(now: SM.at(24)) == .resumable)
        _ = try ledger.resume(now: SM.at(25))
        let second = try ledger.resumed(previousID: "sm-1", handled: 3, now: SM.at(26))
        #expect(SM.tokens(second.acked) == [3] && SM.tokens(second.resent) == [4, 5])
    }

    @Test("Counters at 2^32 − 3, five stanzas each way, a cut, a resume: wrap arithmetic holds (H95)")
    func wrapAcrossResume() throws {
        var ledger = try SM.restored(sent: SM.nearWrap, acknowledged: SM.nearWrap, handled: SM.nearWrap)
        _ = try ledger.resume(now: SM.at(0))
        _ = try ledger.resumed(previousID: "sm-1", handled: SM.nearWrap, now: SM.at(0))
        try SM.send(1...5, on: &ledger)
        for n in 1...5 { _ = ledger.inboundHandled(SM.message(100 + n)) }
        #expect(ledger.sentCount == 2 && ledger.handledCount == 2)
        _ = try ledger.ackReceived(StanzaCount(UInt32.max))  // messages 1 and 2
        #expect(ledger.connectionLost(now: SM.at(1)) == .resumable)
        #expect(try ledger.resume(now: SM.at(2)) == .resume(previousID: "sm-1", handled: 2))
        let resumption = try ledger.resumed(previousID: "sm-1", handled: 0, now: SM.at(3))
        #expect(SM.tokens(resumption.acked) == [3] && SM.tokens(resumption.resent) == [4, 5])
        #expect(resumption.resent.map(\.sequenceNumber) == [1, 2])
    }

    // MARK: Failed

    @Test("<failed h/> retires what h covers; the rest are unknown; queued ones come back unsent (P34, H93)")
    func failedWithHandled() throws {
        var ledger = try Self.detachedWithFiveSent()
        _ = try ledger.send(SM.message(6), token: 6, now: SM.at(11))
        _ = try ledger.resume(now: SM.at(20))
        guard case .resumeRefused(let failure) = try ledger.failed(StreamManagementFailure(handled: 3, condition: .itemNotFound)) else {
            throw SM.Unexpected(description: "not a resume failure")
        }
        #expect(SM.tokens(failure.acked) == [3] && failure.acked.allSatisfy { $0.state == .acked })
        #expect(SM.tokens(failure.unknown) == [4, 5] && failure.unknown.allSatisfy { $0.state == .unknown })
        #expect(SM.tokens(failure.unsent) == [6] && failure.unsent.allSatisfy { $0.state == .queued && $0.sequenceNumber == nil })
        #expect(failure.condition == .itemNotFound)
        #expect(ledger.phase == .inactive && ledger.stanzas.isEmpty && ledger.sentCount == 0 && ledger.isConsistent)
        #expect(try ledger.send(SM.message(7), token: 7, now: SM.at(21)) == .untracked, "nothing tracked until enabled again")
    }

    @Test("<failed/> without h: every unacknowledged stanza is unknown (H94, H105)")
    func failedWithoutHandled() throws {
        var ledger = try Self.detachedWithFiveSent()
        _ = try ledger.resume(now: SM.at(20))
        guard case .resumeRefused(let failure) = try ledger.failed(StreamManagementFailure(condition: .itemNotFound)) else {
            throw SM.Unexpected(description: "not a resume failure")
        }
        #expect(failure.acked.isEmpty && SM.tokens(failure.unknown) == [3, 4, 5] && failure.unsent.isEmpty)
    }

    @Test("<failed h/> with h too high is an error; a stale h retires nothing")
    func failedBadCounts() throws {
        var ledger = try Self.detachedWithFiveSent()
        _ = try ledger.resume(now: SM.at(20))
        #expect(throws: StreamManagementError.handledCountTooHigh(handled: 7, sent: 5)) {
            try ledger.failed(StreamManagementFailure(handled: 7))
        }
        #expect(ledger.phase == .resuming && SM.tokens(ledger.stanzas) == [3, 4, 5])
        guard case .resumeRefused(let failure) = try ledger.failed(StreamManagementFailure(handled: 0)) else {
            throw SM.Unexpected(description: "not a resume failure")
        }
        #expect(failure.acked.isEmpty && SM.tokens(failure.unknown) == [3, 4, 5])
    }

    @Test("<failed/> to <enable/>: management is off, stanzas written meanwhile stay sent")
    func enableRefused() throws {
        var ledger = SMLedger()
        _ = try ledger.enable()
        try SM.send(1...2, on: &ledger)
        let outcome = try ledger.failed(StreamManagementFailure(condition: .unexpectedRequest))
        guard case .enableRefused(let written, let condition) = outcome else { throw SM.Unexpected(description: "not enable") }
        #expect(SM.tokens(written) == [1, 2] && written.allSatisfy { $0.state == .sent } && condition == .unexpectedRequest)
        #expect(ledger.phase == .inactive && ledger.isConsistent)
        #expect(try ledger.send(SM.message(3), token: 3, now: SM.at(0)) == .untracked)
    }

    // MARK: Limits and misuse

    @Test("Resume only when detached with a session; not past the server's max; abandon reports everything")
    func resumeLimits() throws {
        var inactive = SMLedger()
        #expect(throws: StreamManagementError.notResumable) { try inactive.resume(now: SM.at(0)) }
        var active = try SM.active()
        #expect(throws: StreamManagementError.notResumable) { try active.resume(now: SM.at(0)) }

        var ledger = try Self.detachedWithFiveSent(maximum: 60)
        _ = try ledger.send(SM.message(6), token: 6, now: SM.at(11))
        #expect(ledger.resumptionDeadline == SM.at(70))
        #expect(throws: StreamManagementError.resumptionExpired) { try ledger.resume(now: SM.at(71)) }
        #expect(ledger.phase == .detached)
        let end = ledger.abandon()
        #expect(SM.tokens(end.unknown) == [3, 4, 5] && end.unknown.allSatisfy { $0.state == .unknown })
        #expect(SM.tokens(end.failed) == [6] && end.failed.allSatisfy { $0.state == .failed })
        #expect(ledger.phase == .inactive && ledger.isConsistent)
    }

    @Test("The queue bound holds while detached")
    func queueFullWhileDetached() throws {
        var ledger = try SM.active(StreamManagementConfiguration(maximumUnacknowledged: 2))
        try SM.send(1...1, on: &ledger)
        _ = ledger.connectionLost(now: SM.at(1))
        #expect(try ledger.send(SM.message(2), token: 2, now: SM.at(2)) == .queued)
        #expect(throws: StreamManagementError.queueFull(limit: 2)) { try ledger.send(SM.message(3), token: 3, now: SM.at(2)) }
    }

    // MARK: Snapshots

    @Test("A snapshot restores a detached session that resumes like the original (P40)")
    func snapshotRoundTrip() throws {
        var original = try Self.detachedWithFiveSent()
        _ = try original.send(SM.message(6), token: 6, now: SM.at(11))
        let snapshot = try #require(original.snapshot)
        var restored = try SMLedger(restoring: snapshot)
        #expect(restored.phase == .detached && restored.stanzas == original.stanzas && restored.isConsistent)
        _ = try original.resume(now: SM.at(20))
        _ = try restored.resume(now: SM.at(20))
        let fromRestored = try restored.resumed(previousID: "sm-1", handled: 4, now: SM.at(21))
        let fromOriginal = try original.resumed(previousID: "sm-1", handled: 4, now: SM.at(21))
        #expect(fromRestored == fromOriginal)
        let withoutResumption = try SM.active(id: nil)
        #expect(SMLedger().snapshot == nil && withoutResumption.snapshot == nil)
    }

    @Test("A snapshot whose counts and stanzas disagree is refused")
    func invalidSnapshots() throws {
        let good = try #require(try Self.detachedWithFiveSent().snapshot)
        var wrongCount = good
        wrongCount.sentCount = 6
        var wrongNumber = good
        wrongNumber.stanzas[1].sequenceNumber = 9
        var queuedFirst = good
        queuedFirst.stanzas.insert(TrackedStanza(token: 0, stanza: .element(SM.message(0)), state: .queued), at: 0)
        var emptyID = good
        emptyID.session.id = ""
        for snapshot in [wrongCount, wrongNumber, queuedFirst, emptyID] {
            #expect(throws: StreamManagementError.invalidSnapshot) { try SMLedger(restoring: snapshot) }
        }
        #expect(throws: StreamManagementError.invalidSnapshot) {
            try SMLedger(restoring: good, configuration: StreamManagementConfiguration(maximumUnacknowledged: 2))
        }
    }
}
