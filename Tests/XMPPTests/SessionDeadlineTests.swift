import Testing
import XMPPCore

@testable import XMPP

/// Every waiting step has a deadline; firing it fails with the step's name.
@Suite struct SessionDeadlineTests {
    typealias T = SessionTest

    /// A machine waiting at each step, and what its deadline is.
    enum Waiting: String, CaseIterable, CustomTestStringConvertible {
        case initialHeader, startTLS, tlsHandshake, headerAfterTLS, authentication, headerAfterSASL, binding, session

        var testDescription: String { rawValue }

        var machine: SessionStateMachine {
            switch self {
            case .initialHeader: return T.started()
            case .startTLS: return T.awaitingProceed()
            case .tlsHandshake: return T.handshaking()
            case .headerAfterTLS:
                var machine = T.handshaking()
                _ = machine.tlsEstablished(channelBindings: [:])
                return machine
            case .authentication: return T.authenticating()
            case .headerAfterSASL:
                var machine = T.authenticating()
                _ = machine.received(element: T.saslSuccess, bytesFollowing: 0)
                return machine
            case .binding: return T.binding()
            case .session: return T.establishingSession()
            }
        }

        var step: XMPPClientError.Step {
            switch self {
            case .initialHeader, .headerAfterTLS, .headerAfterSASL: .streamOpening
            case .startTLS: .startTLS
            case .tlsHandshake: .tlsHandshake
            case .authentication: .authentication
            case .binding: .resourceBinding
            case .session: .sessionEstablishment
            }
        }
    }

    @Test("The deadline of each step fails with timeout(step)", arguments: Waiting.allCases)
    func deadlineFires(waiting: Waiting) throws {
        var machine = waiting.machine
        let deadline = try #require(T.deadline(of: machine))
        #expect(deadline.step == waiting.step)
        let actions = machine.deadlineFired(deadline)
        if waiting == .tlsHandshake {
            // Mid-handshake nothing may be written in the clear.
            #expect(actions == [.fail(.timeout(.tlsHandshake)), .closeConnection])
        } else {
            #expect(actions == [.writeStreamClose, .fail(.timeout(waiting.step)), .closeConnection])
        }
        #expect(actions.failure?.step == waiting.step)
    }

    @Test("A deadline that was replaced is stale and ignored")
    func staleDeadline() {
        var machine = T.awaitingProceed()
        #expect(machine.deadlineFired(DeadlineID(.streamOpening, 1)) == [])
        #expect(machine.deadlineFired(DeadlineID(.startTLS, 99)) == [])
        #expect(T.deadline(of: machine) == DeadlineID(.startTLS, 2))
    }

    @Test("Established sessions hold no deadline")
    func noDeadlineWhenEstablished() {
        let machine = T.established()
        #expect(T.deadline(of: machine) == nil)
    }

    @Test("Step durations come from the configuration")
    func durations() {
        let timeouts = T.timeouts
        #expect(timeouts.duration(of: .streamOpening) == .seconds(10))
        #expect(timeouts.duration(of: .startTLS) == .seconds(10))
        #expect(timeouts.duration(of: .tlsHandshake) == .seconds(11))
        #expect(timeouts.duration(of: .authentication) == .seconds(12))
        #expect(timeouts.duration(of: .resourceBinding) == .seconds(10))
        #expect(timeouts.duration(of: .sessionEstablishment) == .seconds(10))
        #expect(timeouts.duration(of: .closing) == .seconds(5))
    }
}
