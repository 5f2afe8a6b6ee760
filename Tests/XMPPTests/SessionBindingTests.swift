import Testing
import XMPPCore

@testable import XMPP

/// Resource binding and the RFC 3921 session.
@Suite struct SessionBindingTests {
    typealias T = SessionTest

    @Test("A bare JID lets the server assign the resource; a full JID asks for its own")
    func requestShape() {
        var assigned = T.authenticatedAwaitingFeatures()
        #expect(assigned.received(element: T.features(T.bindFeature), bytesFollowing: 0).writtenElements == [T.bindRequest()])

        var requested = T.authenticatedAwaitingFeatures(T.configuration(resource: "balcony"))
        #expect(
            requested.received(element: T.features(T.bindFeature), bytesFollowing: 0).writtenElements
                == [T.bindRequest(resource: "balcony")])
    }

    @Test("conflict on a requested resource: one retry with a server-assigned resource, then established")
    func conflictRetriesOnce() {
        var machine = T.binding(T.configuration(resource: "balcony"))
        #expect(machine.received(element: T.iqError(id: "bind-1", .conflict), bytesFollowing: 0) == [
            .writeElement(T.bindRequest(id: "bind-2")),
            .cancelDeadline(DeadlineID(.resourceBinding, 4)),
            .scheduleDeadline(DeadlineID(.resourceBinding, 5), .seconds(10)),
        ])
        let actions = machine.received(element: T.bindResult(id: "bind-2", jid: "alice@example.com/xyz"), bytesFollowing: 0)
        guard case .established(let session) = actions.last else {
            Issue.record("not established: \(actions)")
            return
        }
        #expect(session.boundJID == (try! FullJID("alice@example.com/xyz")))
    }

    @Test("conflict again on the retry: bindFailed carrying the stanza error")
    func conflictTwiceFails() {
        var machine = T.binding(T.configuration(resource: "balcony"))
        _ = machine.received(element: T.iqError(id: "bind-1", .conflict), bytesFollowing: 0)
        let actions = machine.received(element: T.iqError(id: "bind-2", .conflict), bytesFollowing: 0)
        #expect(actions.failure?.code == .bindFailed)
        #expect(actions.failure?.stanzaError?.condition == .conflict)
    }

    @Test("conflict without a requested resource is not retried", arguments: [StanzaError.Condition.conflict, .notAllowed, .badRequest])
    func errorsWithoutRetry(condition: StanzaError.Condition) {
        var machine = T.binding()
        let actions = machine.received(element: T.iqError(id: "bind-1", condition), bytesFollowing: 0)
        #expect(actions.writtenElements.filter { $0.name.localName == "iq" }.isEmpty)
        #expect(actions.failure?.code == .bindFailed)
        #expect(actions.failure?.stanzaError?.condition == condition)
    }

    @Test(
        "A bind result that is not a full JID of this account fails",
        arguments: ["bob@example.com/r1", "alice@other.example/r1", "alice@example.com", "not a jid@@"])
    func foreignOrBrokenJID(jid: String) {
        var machine = T.binding()
        let actions = machine.received(element: T.bindResult(jid: jid), bytesFollowing: 0)
        #expect(actions.failure?.code == .bindFailed)
        #expect(!actions.contains { if case .established = $0 { true } else { false } })
    }

    @Test("An IQ with another id during binding is unexpected")
    func wrongID() {
        var machine = T.binding()
        let actions = machine.received(element: T.bindResult(id: "other", jid: "alice@example.com/r1"), bytesFollowing: 0)
        #expect(actions.failure?.code == .unexpectedElement)
    }

    @Test("Session required (no <optional/>): sent after binding, established on its result")
    func sessionRequired() {
        var machine = T.binding(session: false)
        #expect(machine.received(element: T.bindResult(jid: "alice@example.com/r1"), bytesFollowing: 0) == [
            .writeElement(T.sessionRequest),
            .cancelDeadline(DeadlineID(.resourceBinding, 4)),
            .scheduleDeadline(DeadlineID(.sessionEstablishment, 5), .seconds(10)),
        ])
        let actions = machine.received(element: T.sessionResult, bytesFollowing: 0)
        #expect(actions.first == .cancelDeadline(DeadlineID(.sessionEstablishment, 5)))
        #expect(machine.isEstablished)
    }

    @Test("Session optional or absent: never sent", arguments: [true, nil] as [Bool?])
    func sessionNotSent(optional: Bool?) {
        var machine = T.binding(session: optional)
        let actions = machine.received(element: T.bindResult(jid: "alice@example.com/r1"), bytesFollowing: 0)
        #expect(actions.writtenElements.isEmpty)
        #expect(machine.isEstablished)
    }

    @Test("Session refused: sessionFailed with the stanza error")
    func sessionRefused() {
        var machine = T.establishingSession()
        let actions = machine.received(element: T.iqError(id: "session-1", .internalServerError), bytesFollowing: 0)
        #expect(actions.failure?.code == .sessionFailed)
        #expect(actions.failure?.stanzaError?.condition == .internalServerError)
    }

    @Test("Resource binding not offered after authentication: bindFailed")
    func bindNotOffered() {
        var machine = T.authenticatedAwaitingFeatures()
        let actions = machine.received(element: T.features(T.sessionFeature(optional: true)), bytesFollowing: 0)
        #expect(actions.failure?.code == .bindFailed)
    }
}
