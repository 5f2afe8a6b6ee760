import XMPPCore

@testable import XMPP

/// Builders for the XEP-0198 transcripts of the session machine: a machine
/// configured for acknowledgements (threshold 3, delay 5 s, at most 4
/// unacknowledged unless a test says otherwise), at each step.
enum SMSession {
    typealias T = SessionTest

    /// The ledger's settings in these tests: small, so limits are reached quickly.
    static let ledgerConfiguration = StreamManagementConfiguration(
        maximumUnacknowledged: 4, ackRequestThreshold: 3, ackRequestDelay: .seconds(5), ackAnswerDelay: .zero,
        requestsResumption: false)

    /// A machine configuration with acknowledgements on.
    static func configuration(_ ledger: StreamManagementConfiguration = ledgerConfiguration) -> SessionStateMachine.Configuration {
        T.configuration(streamManagement: ledger)
    }

    /// The instant `seconds` after the test's origin (1,000 s, well away from zero).
    static func at(_ seconds: Int) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: 1_000_000_000_000).advanced(by: .seconds(seconds))
    }

    /// `<enable xmlns='urn:xmpp:sm:3'/>`, without resumption.
    static let enable = StreamManagementElement.enable(resume: false, preferredMaximum: nil).element
    /// `<r xmlns='urn:xmpp:sm:3'/>`.
    static let request = StreamManagementElement.requestAck.element

    /// `<a xmlns='urn:xmpp:sm:3' h='…'/>`.
    static func ack(_ handled: UInt32) -> XMLElement {
        StreamManagementElement.ack(StanzaCount(handled)).element
    }

    /// Server XML (inside a client stream) as the reader delivers it.
    static func element(_ xml: String) throws -> XMLElement {
        try XMLTestParsing.element(xml)
    }

    /// Bound, `<enable/>` written; next: `<enabled/>` or `<failed/>`.
    static func enabling(_ configuration: SessionStateMachine.Configuration = configuration()) -> SessionStateMachine {
        var machine = T.binding(configuration, streamManagement: true)
        _ = machine.received(element: T.bindResult(jid: "alice@example.com/r1"), bytesFollowing: 0, now: at(0))
        return machine
    }

    /// Established with acknowledgements on.
    static func established(_ configuration: SessionStateMachine.Configuration = configuration()) throws -> SessionStateMachine {
        var machine = enabling(configuration)
        _ = machine.received(element: try element("<enabled xmlns='urn:xmpp:sm:3'/>"), bytesFollowing: 0, now: at(0))
        return machine
    }

    /// `<message id='m<n>'>` to bob: outbound stanza number `n` of a test.
    static func message(_ n: Int) -> XMLElement {
        Message(type: .chat, to: try! JID("bob@example.com"), id: "m\(n)", body: String(n)).element
    }

    /// A token as the machine hands them out.
    static func token(_ number: UInt64, awaited: Bool = true) -> OutboundStanzaToken {
        OutboundStanzaToken(number: number, isAwaited: awaited)
    }
}
