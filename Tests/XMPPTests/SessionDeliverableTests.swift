import Testing
import XMPPCore

@testable import XMPP

/// `receivedDeliverable` (messages and presences on an established session,
/// without an action array) against the general entry: fed the same
/// elements, two machines must decide the same, including stream
/// management's count and the `<a h/>` answers it makes due.
@Suite struct SessionDeliverableTests {
    typealias S = SMSession

    /// Answers wait 100 ms or 3 stanzas, so a few stanzas make one due.
    static let ledger = StreamManagementAnswerTests.ledger

    static func inbound() throws -> [XMLElement] {
        [
            S.request,
            try S.element("<message from='bob@example.com/x' type='chat' id='c1'><body>1</body></message>"),
            try S.element("<presence from='bob@example.com/x'/>"),
            try S.element("<iq from='example.com' type='get' id='q1'><ping xmlns='urn:xmpp:ping'/></iq>"),
            try S.element("<message from='bob@example.com/x' type='chat' id='c2'><body>2</body></message>"),
            S.request,
            try S.element("<message xmlns='urn:other'/>"),
            try S.element("<presence from='bob@example.com/x' type='unavailable'/>"),
            try S.element("<message from='bob@example.com/x' type='error' id='e1'/>"),
        ]
    }

    /// Runs `elements` through the general entry on one machine and through
    /// `receivedDeliverable` first on the other; returns both action lists
    /// per element, and how many took the new entry.
    static func sideBySide(_ general: SessionStateMachine, _ elements: [XMLElement]) -> (general: [[SessionStateMachine.Action]], fast: [[SessionStateMachine.Action]], taken: Int) {
        var slow = general
        var fast = general
        var slowActions: [[SessionStateMachine.Action]] = []
        var fastActions: [[SessionStateMachine.Action]] = []
        var taken = 0
        for (index, element) in elements.enumerated() {
            let now = S.at(10).advanced(by: .milliseconds(10 * index))
            slowActions.append(slow.received(element: element, bytesFollowing: 0, now: now))
            if let deliverable = fast.receivedDeliverable(element, now: now) {
                taken += 1
                fastActions.append([.deliver(element)] + deliverable.actions)
            } else {
                fastActions.append(fast.received(element: element, bytesFollowing: 0, now: now))
            }
        }
        let end = S.at(11)
        slowActions.append(slow.ackRequestTimerFired(at: end, now: end))
        fastActions.append(fast.ackRequestTimerFired(at: end, now: end))
        return (slowActions, fastActions, taken)
    }

    @Test("With acknowledgements on: the same actions, the same answers, messages and presences taken")
    func streamManagementOn() throws {
        let (general, fast, taken) = Self.sideBySide(try S.established(S.configuration(Self.ledger)), try Self.inbound())
        #expect(general == fast)
        #expect(taken == 5, "three messages and two presences in the client namespace")
        #expect(general.joined().contains { if case .answerAckRequest = $0 { true } else { false } }, "an answer became due")
    }

    @Test("Waiting for <enabled/>: the same actions (inbound stanzas not counted yet)")
    func enabling() throws {
        let (general, fast, taken) = Self.sideBySide(S.enabling(S.configuration(Self.ledger)), try Self.inbound().filter { $0 != S.request })
        #expect(general == fast)
        #expect(taken == 5)
    }

    @Test("Before the session is established, nothing is taken")
    func notEstablished() throws {
        var machine = S.enabling(S.configuration(Self.ledger))
        _ = machine.received(element: try S.element("<failed xmlns='urn:xmpp:sm:3'/>"), bytesFollowing: 0, now: S.at(1))
        var closed = SessionStateMachine(configuration: S.configuration(Self.ledger))
        let message = try S.element("<message from='bob@example.com/x'><body>b</body></message>")
        #expect(closed.receivedDeliverable(message, now: S.at(1)) == nil)
        #expect(machine.receivedDeliverable(message, now: S.at(2)) != nil, "established without acknowledgements")
    }
}
