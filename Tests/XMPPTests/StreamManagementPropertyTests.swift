import Testing
import XMPPCore

@testable import XMPP
import XMPPTestSupport

/// Random interleavings of sends, deliveries, acks, inbound stanzas, ack
/// requests, cuts, resumptions and failed resumptions, checked against a
/// simple model of the server (the F-suite oracle of security.md §7.3 at
/// the ledger's level). Seeds are fixed, so a failure replays.
@Suite struct StreamManagementPropertyTests {
    @Test("The ledger agrees with a model server under random interleavings", arguments: 1...24)
    func randomInterleavings(seed: UInt64) throws {
        var run = try ModelRun(seed: seed, nearWrap: seed.isMultiple(of: 2))
        for _ in 0..<400 { try run.step() }
        try run.quiesce()
        run.checkFinal()
    }

    @Test("Across the seeds, the runs reach every event the oracle is meant to judge")
    func coverage() throws {
        var tally: [ModelEvent: Int] = [:]
        for seed in UInt64(1)...24 {
            var run = try ModelRun(seed: seed, nearWrap: seed.isMultiple(of: 2))
            for _ in 0..<400 { try run.step() }
            try run.quiesce()
            tally.merge(run.tally, uniquingKeysWith: +)
        }
        for event in ModelEvent.allCases {
            #expect(tally[event, default: 0] > 0, "never happened: \(event)")
        }
    }
}

/// What a run can go through; ``StreamManagementPropertyTests/coverage()``
/// checks that the seeds reach each.
private enum ModelEvent: CaseIterable {
    case sentWhileEnabling, ackRequested, staleAck, queueFull, wrapped
    case resumed, cutWhileResuming, failedWithCount, failedWithoutCount, endedOnCut
}

/// The server's side: what it handled from us, what it sent us, and what
/// is still on the wire between us.
private struct ModelServer {
    /// Its `h`: our stanzas it handled in the current SM session.
    var handled: StanzaCount = .zero
    /// Its send count: stanzas it sent us since `<enabled/>`.
    var sent: StanzaCount = .zero
    /// Tokens we wrote that have not arrived yet; lost on a cut.
    var wire: [Int] = []
    /// Every token it handled, in order, across sessions.
    var delivered: [Int] = []
    /// The `h` values it has sent in `<a/>`, for stale replays.
    var acks: [StanzaCount] = []
    /// The SM-ID of the session it keeps for resumption, if any.
    var sessionID: String?
    var sessions = 0
}

private struct ModelRun {
    var random: SeededGenerator
    var ledger: SMLedger
    var server = ModelServer()
    var now = 0
    var nextToken = 1
    /// The final state the ledger reported for each token (exactly once).
    var final: [Int: StanzaDeliveryState] = [:]
    /// Tokens given back unsent after a failed resumption, to send first.
    var backlog: [Int] = []
    /// How often each event happened.
    var tally: [ModelEvent: Int] = [:]
    let limit = 16

    init(seed: UInt64, nearWrap: Bool) throws {
        random = SeededGenerator(seed: seed)
        let configuration = StreamManagementConfiguration(
            maximumUnacknowledged: limit,
            ackRequestThreshold: 4,
            ackRequestDelay: .seconds(5)
        )
        if nearWrap {
            // Both directions start 20 stanzas before the wrap (W1).
            let start = StanzaCount(UInt32.max - 19)
            ledger = try SMLedger(
                restoring: SMLedger.Snapshot(
                    session: SMLedger.ResumableSession(id: "sm-0"),
                    sentCount: start,
                    acknowledgedCount: start,
                    handledCount: start,
                    stanzas: []
                ),
                configuration: configuration
            )
            server.handled = start
            server.sent = start
            server.sessionID = "sm-0"
        } else {
            ledger = SMLedger(configuration: configuration)
            _ = try ledger.enable()
        }
    }

    mutating func roll() -> Int { Int.random(in: 0..<100, using: &random) }

    // MARK: Steps

    mutating func step() throws {
        switch ledger.phase {
        case .enabling: try stepEnabling()
        case .active: try stepActive()
        case .detached: try stepDetached()
        case .inactive, .resuming: Issue.record("the model never rests in \(ledger.phase)")
        }
        #expect(ledger.isConsistent)
        #expect(ledger.stanzas.count <= limit)
    }

    mutating func note(_ event: ModelEvent) {
        tally[event, default: 0] += 1
    }

    mutating func stepEnabling() throws {
        let dice = roll()
        if dice < 50 {
            note(.sentWhileEnabling)
            try send()
        } else if dice < 60 {
            // The server sent it before <enabled/>: not counted (H89).
            let counted = ledger.inboundHandled(SM.message(0))
            #expect(!counted)
        } else {
            server.sessions += 1
            let resumable = roll() < 90
            let id = "sm-\(server.sessions)"
            server.sessionID = resumable ? id : nil
            server.sent = .zero
            _ = try ledger.enabled(StreamManagementEnabled(id: id, resume: resumable), now: SM.at(now))
        }
    }

    mutating func stepActive() throws {
        let dice = roll()
        switch dice {
        case 0..<35:
            try send()
        case 35..<50:
            deliver(Int.random(in: 1...max(1, server.wire.count), using: &random))
        case 50..<62:
            try serverAcks()
        case 62..<65:
            guard let old = server.acks.randomElement(using: &random) else { return }
            let outcome = try ledger.ackReceived(old)
            #expect(outcome == .stale(handled: old) || outcome == .acknowledged([]), "a replayed h retires nothing")
            if case .stale = outcome { note(.staleAck) }
        case 65..<75:
            server.sent = server.sent.next
            let counted = ledger.inboundHandled(SM.message(0))
            #expect(counted)
        case 75..<80:
            #expect(try ledger.answerAtOnce() == .ack(server.sent), "our h matches what the server sent")
        case 80..<95:
            now += Int.random(in: 0...8, using: &random)
            if ledger.requestAckIfDue(now: SM.at(now)) { note(.ackRequested) }
        default:
            try cut()
        }
    }

    mutating func stepDetached() throws {
        if roll() < 40 {
            try send()
            return
        }
        let request = try ledger.resume(now: SM.at(now))
        guard case .resume(let previousID, let handled) = request, let sessionID = server.sessionID else {
            Issue.record("resume without a server session: \(request)")
            return
        }
        #expect(previousID == sessionID)
        #expect(handled == server.sent, "our h after the cut matches what the server sent")
        let dice = roll()
        if dice < 10 {
            note(.cutWhileResuming)
            #expect(ledger.connectionLost(now: SM.at(now)) == .resumable, "cut while resuming")
        } else if dice < 80 {
            let resumption = try ledger.resumed(previousID: sessionID, handled: server.handled, now: SM.at(now))
            note(.resumed)
            record(resumption.acked, as: .acked)
            #expect(resumption.toWrite.allSatisfy { $0.state == .sent })
            server.wire.append(contentsOf: SM.tokens(resumption.toWrite))
        } else {
            let withCount = dice < 92
            note(withCount ? .failedWithCount : .failedWithoutCount)
            let outcome = try ledger.failed(StreamManagementFailure(handled: withCount ? server.handled : nil, condition: .itemNotFound))
            guard case .resumeRefused(let failure) = outcome else {
                Issue.record("not a resume failure: \(outcome)")
                return
            }
            record(failure.acked, as: .acked)
            record(failure.unknown, as: .unknown)
            if withCount {
                #expect(failure.unknown.allSatisfy { !server.delivered.contains($0.token) }, "with h, unknown means not handled")
            }
            backlog = SM.tokens(failure.unsent)
            try startNewSession()
        }
    }

    // MARK: Parts

    /// The application sends: the backlog first, then a new stanza.
    mutating func send() throws {
        let token = backlog.first ?? nextToken
        let result = Result { () throws(StreamManagementError) in
            try ledger.send(SM.message(token), token: token, now: SM.at(now))
        }
        guard case .success(let decision) = result else {
            note(.queueFull)
            #expect(result == .failure(.queueFull(limit: limit)) && ledger.stanzas.count == limit)
            return
        }
        if backlog.isEmpty { nextToken += 1 } else { backlog.removeFirst() }
        switch decision {
        case .write(let number, let requestAck):
            if number == .zero { note(.wrapped) }
            if requestAck { note(.ackRequested) }
            server.wire.append(token)
        case .queued: #expect(ledger.phase == .detached || ledger.phase == .resuming)
        case .untracked: Issue.record("stanza \(token) untracked in \(ledger.phase)")
        }
    }

    /// `count` stanzas arrive at the server and are handled.
    mutating func deliver(_ count: Int) {
        let arriving = server.wire.prefix(count)
        server.wire.removeFirst(arriving.count)
        for token in arriving {
            server.handled = server.handled.next
            server.delivered.append(token)
        }
    }

    mutating func serverAcks() throws {
        server.acks.append(server.handled)
        guard case .acknowledged(let acked) = try ledger.ackReceived(server.handled) else {
            Issue.record("the server's current h was stale")
            return
        }
        record(acked, as: .acked)
    }

    mutating func cut() throws {
        server.wire.removeAll()
        switch ledger.connectionLost(now: SM.at(now)) {
        case .resumable:
            #expect(server.sessionID != nil)
        case .ended(let end):
            note(.endedOnCut)
            #expect(server.sessionID == nil)
            record(end.unknown, as: .unknown)
            #expect(end.failed.isEmpty)
            try startNewSession()
        }
    }

    /// Binds again and enables a fresh session; the backlog goes out
    /// first, between `<enable/>` and `<enabled/>`.
    mutating func startNewSession() throws {
        server.sessionID = nil
        server.handled = .zero
        server.acks.removeAll()
        server.wire.removeAll()
        #expect(ledger.phase == .inactive)
        _ = try ledger.enable()
        while !backlog.isEmpty { try send() }
    }

    mutating func record(_ stanzas: [TrackedStanza<Int>], as state: StanzaDeliveryState) {
        for stanza in stanzas {
            #expect(stanza.state == state)
            #expect(final[stanza.token] == nil, "token \(stanza.token) reported twice")
            final[stanza.token] = state
            if state == .acked {
                #expect(server.delivered.contains(stanza.token), "token \(stanza.token) acked but never handled")
            }
        }
    }

    // MARK: The end

    /// Brings everything to rest: resume or enable as needed, deliver the
    /// wire, acknowledge all.
    mutating func quiesce() throws {
        if ledger.phase == .detached, let sessionID = server.sessionID {
            _ = try ledger.resume(now: SM.at(now))
            let resumption = try ledger.resumed(previousID: sessionID, handled: server.handled, now: SM.at(now))
            record(resumption.acked, as: .acked)
            server.wire.append(contentsOf: SM.tokens(resumption.toWrite))
        }
        if ledger.phase == .enabling {
            _ = try ledger.enabled(StreamManagementEnabled(id: "sm-last", resume: true), now: SM.at(now))
            server.sent = .zero
        }
        deliver(server.wire.count)
        try serverAcks()
    }

    func checkFinal() {
        #expect(ledger.stanzas.isEmpty && backlog.isEmpty)
        #expect(ledger.sentCount == server.handled, "I6: our send count is the server's h")
        #expect(ledger.handledCount == server.sent, "I6: our h is the server's send count")
        #expect(Set(final.keys) == Set(1..<nextToken), "I2: every stanza ended exactly once")
        #expect(zip(server.delivered, server.delivered.dropFirst()).allSatisfy { $0 < $1 }, "I3/I5: once each, in order")
        for token in 1..<nextToken where !server.delivered.contains(token) {
            #expect(final[token] == .unknown, "I1: stanza \(token) was not handled, so it must be unknown")
        }
        #expect(!final.values.contains(.failed) && !final.values.contains(.sent))
    }
}
