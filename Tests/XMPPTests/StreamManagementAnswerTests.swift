import Testing
import XMPPCore

@testable import XMPP

/// The answer to the server's `<r/>` waits (XEP-0198 sets no deadline):
/// until `ackAnswerDelay` passed or `ackAnswerThreshold` more stanzas were
/// handled, and then counts everything handled by then.
@Suite struct StreamManagementAnswerTests {
    typealias S = SMSession

    /// The defaults' rule, with a threshold small enough to reach: answers
    /// wait 100 ms or 3 stanzas.
    static let ledger = StreamManagementConfiguration(
        maximumUnacknowledged: 4, ackRequestThreshold: 3, ackRequestDelay: .seconds(5),
        ackAnswerDelay: .milliseconds(100), ackAnswerThreshold: 3, requestsResumption: false)

    static func established() throws -> SessionStateMachine {
        try S.established(S.configuration(ledger))
    }

    /// An inbound chat from bob, counted as handled.
    static func chat(_ n: Int) throws -> XMLElement {
        try S.element("<message from='bob@example.com/x' to='alice@example.com/r1' type='chat' id='in\(n)'><body>\(n)</body></message>")
    }

    static func after(milliseconds: Int) -> MonotonicInstant {
        S.at(10).advanced(by: .milliseconds(milliseconds))
    }

    @Test("<r/> is answered once the delay passed, with the count of that moment")
    func answeredWhenTheDelayPasses() throws {
        var machine = try Self.established()
        let requested = machine.received(element: S.request, bytesFollowing: 0, now: Self.after(milliseconds: 0))
        #expect(requested == [.scheduleAckRequestTimer(Self.after(milliseconds: 100))], "nothing written yet: the timer")
        let chat = try Self.chat(1)
        #expect(machine.received(element: chat, bytesFollowing: 0, now: Self.after(milliseconds: 40)) == [.deliver(chat)])
        let fired = machine.ackRequestTimerFired(at: Self.after(milliseconds: 100), now: Self.after(milliseconds: 100))
        #expect(fired == [.answerAckRequest(S.ack(1))], "h counts the stanza handled while the answer waited")
        #expect(machine.ackRequestTimerFired(at: Self.after(milliseconds: 100), now: Self.after(milliseconds: 101)) == [])
    }

    @Test("Enough stanzas handled after <r/> send the answer before its delay")
    func answeredAfterThresholdStanzas() throws {
        var machine = try Self.established()
        _ = machine.received(element: S.request, bytesFollowing: 0, now: Self.after(milliseconds: 0))
        for n in 1...2 {
            let chat = try Self.chat(n)
            #expect(machine.received(element: chat, bytesFollowing: 0, now: Self.after(milliseconds: n)) == [.deliver(chat)])
        }
        let third = try Self.chat(3)
        let actions = machine.received(element: third, bytesFollowing: 0, now: Self.after(milliseconds: 3))
        // Nothing is left for the timer: it is cancelled rather than left to
        // fire for nothing (and were it to fire anyway, it does nothing).
        #expect(actions == [.deliver(third), .answerAckRequest(S.ack(3)), .cancelAckRequestTimer])
        #expect(machine.ackRequestTimerFired(at: Self.after(milliseconds: 100), now: Self.after(milliseconds: 100)) == [])
    }

    @Test("After an answer by count, the next <r/> schedules the timer again, and the next answer by count cancels it")
    func timerFollowsTheRequests() throws {
        var machine = try Self.established()
        for round in 0..<3 {
            let start = 10 * round
            let requested = machine.received(element: S.request, bytesFollowing: 0, now: Self.after(milliseconds: start))
            #expect(requested == [.scheduleAckRequestTimer(Self.after(milliseconds: start + 100))])
            var last: [SessionStateMachine.Action] = []
            for n in 1...3 {
                last = machine.received(element: try Self.chat(3 * round + n), bytesFollowing: 0, now: Self.after(milliseconds: start + n))
            }
            #expect(Array(last.dropFirst()) == [.answerAckRequest(S.ack(UInt32(3 * round + 3))), .cancelAckRequestTimer])
        }
    }

    @Test("An answer by count moves the timer on to a stanza of ours waiting for a request by time")
    func timerKeptForOurStanzas() throws {
        var machine = try Self.established()
        let sent = try machine.send(stanza: try Self.chat(0), now: Self.after(milliseconds: 0))
        #expect(sent.contains(.scheduleAckRequestTimer(Self.after(milliseconds: 5_000))))
        let requested = machine.received(element: S.request, bytesFollowing: 0, now: Self.after(milliseconds: 1))
        #expect(requested == [.scheduleAckRequestTimer(Self.after(milliseconds: 101))], "the answer's delay comes first")
        var last: [SessionStateMachine.Action] = []
        for n in 1...3 {
            last = machine.received(element: try Self.chat(n), bytesFollowing: 0, now: Self.after(milliseconds: 1 + n))
        }
        #expect(
            Array(last.dropFirst()) == [.answerAckRequest(S.ack(3)), .scheduleAckRequestTimer(Self.after(milliseconds: 5_000))],
            "the timer moves on to our stanza's request")
        // The answered request's deadline no longer fires anything.
        #expect(machine.ackRequestTimerFired(at: Self.after(milliseconds: 101), now: Self.after(milliseconds: 101)) == [])
        // The next request brings it forward again.
        #expect(
            machine.received(element: S.request, bytesFollowing: 0, now: Self.after(milliseconds: 120))
                == [.scheduleAckRequestTimer(Self.after(milliseconds: 220))])
    }

    @Test("A second <r/> while an answer waits is covered by that answer")
    func oneAnswerForTwoRequests() throws {
        var machine = try Self.established()
        _ = machine.received(element: S.request, bytesFollowing: 0, now: Self.after(milliseconds: 0))
        let chat = try Self.chat(1)
        _ = machine.received(element: chat, bytesFollowing: 0, now: Self.after(milliseconds: 10))
        #expect(machine.received(element: S.request, bytesFollowing: 0, now: Self.after(milliseconds: 20)) == [])
        let fired = machine.ackRequestTimerFired(at: Self.after(milliseconds: 100), now: Self.after(milliseconds: 100))
        #expect(fired == [.answerAckRequest(S.ack(1))])
    }

    @Test("Closing while an answer waits: the closing <a h/> covers it, and the timer writes nothing after")
    func closeCoversTheWaitingAnswer() throws {
        var machine = try Self.established()
        _ = machine.received(element: S.request, bytesFollowing: 0, now: Self.after(milliseconds: 0))
        _ = machine.received(element: try Self.chat(1), bytesFollowing: 0, now: Self.after(milliseconds: 1))
        let closing = machine.closeRequested()
        #expect(Array(closing.prefix(2)) == [.writeElement(S.ack(1)), .writeStreamClose])
        #expect(machine.ackRequestTimerFired(at: Self.after(milliseconds: 100), now: Self.after(milliseconds: 100)) == [])
    }

    @Test("A zero delay answers every <r/> at once")
    func zeroDelayAnswersAtOnce() throws {
        let ledger = StreamManagementConfiguration(ackAnswerDelay: .zero, requestsResumption: false)
        var machine = try S.established(S.configuration(ledger))
        #expect(machine.received(element: S.request, bytesFollowing: 0, now: Self.after(milliseconds: 0)) == [.answerAckRequest(S.ack(0))])
    }

    @Test("The ledger forgets a waiting answer when the stream is lost (the next one tells h in <resume/>)")
    func lostStreamVoidsTheAnswer() throws {
        var ledger = try SM.active(
            StreamManagementConfiguration(ackAnswerDelay: .milliseconds(100), ackAnswerThreshold: 3))
        #expect(try ledger.ackRequested(now: SM.at(1)) == nil)
        #expect(ledger.answerDueTime == SM.at(1).advanced(by: .milliseconds(100)))
        #expect(ledger.connectionLost(now: SM.at(2)) == .resumable)
        #expect(ledger.pendingAnswer == nil && ledger.answerDueTime == nil)
    }

    @Test("Public options: defaults 100 ms and 100 stanzas; a negative delay or a threshold below 1 is refused")
    func publicOptions() throws {
        var options = XMPPConnection.Configuration.StreamManagement()
        #expect(options.ackAnswerDelay == .milliseconds(100) && options.ackAnswerThreshold == 100)
        let ledger = try #require(try options.ledgerConfiguration())
        #expect(ledger.ackAnswerDelay == .milliseconds(100) && ledger.ackAnswerThreshold == 100)
        options.ackAnswerDelay = .zero
        #expect(try options.ledgerConfiguration()?.ackAnswerDelay == .zero)
        options.ackAnswerDelay = .milliseconds(-1)
        #expect(throws: XMPPClientError.self) { try options.ledgerConfiguration() }
        options.ackAnswerDelay = .milliseconds(100)
        options.ackAnswerThreshold = 0
        #expect(throws: XMPPClientError.self) { try options.ledgerConfiguration() }
    }
}
