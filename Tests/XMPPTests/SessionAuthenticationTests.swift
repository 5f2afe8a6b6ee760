import Testing
import XMPPCore

@testable import XMPP

/// The SASL step inside the session: the real `SASLNegotiation` chooses and
/// runs the mechanism; the machine turns its outcome into the stream's.
@Suite struct SessionAuthenticationTests {
    typealias T = SessionTest

    @Test("A server <failure/> is authenticationFailed with the condition; exactly one <auth/>, no second mechanism (P17)")
    func failureIsTypedAndFinal() {
        var machine = T.securedAwaitingFeatures(T.configuration(mechanisms: [.scramSHA256, .scramSHA1, .plain]))
        var written: [XMLElement] = []
        let start = machine.received(element: T.features(T.mechanisms("PLAIN", "SCRAM-SHA-1")), bytesFollowing: 0)
        written += start.writtenElements
        #expect(machine.authenticationMechanism == .scramSHA1, "SCRAM is preferred over PLAIN whatever the server's order")

        let failure = machine.received(element: T.saslFailure("not-authorized"), bytesFollowing: 0)
        written += failure.writtenElements
        #expect(failure == [
            .cancelDeadline(DeadlineID(.authentication, 2)),
            .writeStreamClose,
            .fail(.authenticationFailed(.serverFailure(condition: "not-authorized", text: nil))),
            .closeConnection,
        ])
        #expect(failure.failure?.saslError?.serverCondition == "not-authorized")

        // Nothing the server says afterwards starts another attempt.
        written += machine.received(element: T.features(T.mechanisms("PLAIN")), bytesFollowing: 0).writtenElements
        let auths = written.filter { $0.name == XMLQualifiedName("auth", namespace: XMLNamespace.sasl) }
        #expect(auths.count == 1)
        #expect(auths.first?[attribute: "mechanism"] == "SCRAM-SHA-1")
    }

    @Test("No acceptable mechanism: authenticationFailed before anything is sent")
    func noAcceptableMechanism() {
        var machine = T.securedAwaitingFeatures()
        let actions = machine.received(element: T.features(T.mechanisms("X-OAUTH2", "DIGEST-MD5")), bytesFollowing: 0)
        #expect(actions.writtenElements.isEmpty)
        #expect(actions.failure?.code == .authenticationFailed)
        #expect(actions.failure?.saslError == .noAcceptableMechanism)
    }

    @Test("Features without <mechanisms/> after TLS: authenticationFailed (noAcceptableMechanism)")
    func noMechanismsElement() {
        var machine = T.securedAwaitingFeatures()
        let actions = machine.received(element: T.features(T.bindFeature), bytesFollowing: 0)
        #expect(actions.failure?.saslError == .noAcceptableMechanism)
    }

    @Test("Bytes after <success/> in the same read: abort before the restart (P13)")
    func dataAfterSuccess() {
        var machine = T.authenticating()
        let actions = machine.received(element: T.saslSuccess, bytesFollowing: 12)
        #expect(actions == [.cancelDeadline(DeadlineID(.authentication, 2)), .fail(.dataBeforeStreamRestart), .closeConnection])
        #expect(!actions.contains(.resetReader))
    }

    @Test("A non-SASL element during authentication is unexpected")
    func unexpectedDuringSASL() {
        var machine = T.authenticating()
        let actions = machine.received(element: T.chat, bytesFollowing: 0)
        #expect(actions.failure?.code == .unexpectedElement)
    }

    @Test("A SASL error of our own (a success without the SCRAM server signature) is authenticationFailed too")
    func scramSuccessWithoutSignature() {
        var machine = T.securedAwaitingFeatures(T.configuration(mechanisms: [.scramSHA1]))
        let start = machine.received(element: T.features(T.mechanisms("SCRAM-SHA-1")), bytesFollowing: 0)
        #expect(start.writtenElements.first?[attribute: "mechanism"] == "SCRAM-SHA-1")
        let actions = machine.received(element: T.saslSuccess, bytesFollowing: 0)
        #expect(actions.failure?.code == .authenticationFailed)
        #expect(!actions.contains(.resetReader), "no restart without the server's proof")
    }

    @Test("The restarted stream's features replace the old ones: mechanisms again instead of bind is a bind failure")
    func featuresAfterSASLWithoutBind() {
        var machine = T.authenticatedAwaitingFeatures()
        let actions = machine.received(element: T.features(T.mechanisms("PLAIN")), bytesFollowing: 0)
        #expect(actions.failure?.code == .bindFailed)
        #expect(actions.writtenElements.allSatisfy { $0.name.namespace != XMLNamespace.sasl })
    }
}
