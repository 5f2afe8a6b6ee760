import Testing
import XMPPCore

@testable import XMPP

/// Stream errors from the server at every step, `see-other-host` and its
/// limit, and errors of the reader (what we send back).
@Suite struct SessionStreamErrorTests {
    typealias T = SessionTest

    /// A machine at each step where a stream error can arrive, with the
    /// deadline it holds there.
    enum Step: String, CaseIterable, CustomTestStringConvertible {
        case awaitingFeatures, awaitingProceed, authenticating, binding, establishingSession, established

        var testDescription: String { rawValue }

        var machine: SessionStateMachine {
            switch self {
            case .awaitingFeatures:
                var machine = T.started()
                _ = machine.receivedStreamHeader(T.serverHeader())
                return machine
            case .awaitingProceed: return T.awaitingProceed()
            case .authenticating: return T.authenticating()
            case .binding: return T.binding()
            case .establishingSession: return T.establishingSession()
            case .established: return T.established()
            }
        }
    }

    @Test("A stream error at any step: answer </stream:stream>, report it typed, close (P14)", arguments: Step.allCases)
    func streamErrorAtEveryStep(step: Step) {
        var machine = step.machine
        let deadline = T.deadline(of: machine)
        let actions = machine.received(element: T.streamError(.systemShutdown), bytesFollowing: 0)
        var expected: [SessionStateMachine.Action] = deadline.map { [.cancelDeadline($0)] } ?? []
        expected += [.writeStreamClose, .fail(.streamError(StreamError(.systemShutdown))), .closeConnection]
        #expect(actions == expected)
        #expect(actions.failure?.streamError?.condition == .systemShutdown)
        #expect(machine.received(element: T.chat, bytesFollowing: 0) == [], "nothing after the error is delivered")
    }

    @Test("Every defined condition comes back typed, with its text", arguments: StreamError.Condition.defined.filter { $0 != .seeOtherHost })
    func everyCondition(condition: StreamError.Condition) {
        var machine = T.authenticating()
        let error = StreamError(condition, text: "because")
        let actions = machine.received(element: error.element, bytesFollowing: 0)
        #expect(actions.failure?.code == .streamError)
        #expect(actions.failure?.streamError == error)
    }

    @Test("An unknown condition or only an application child: reported, not dropped (H39)")
    func unknownCondition() {
        var machine = T.binding()
        var element = XMLElement(name: XMLQualifiedName("error", namespace: XMLNamespace.streams))
        element.append(XMLElement("custom", namespace: "urn:example:app"))
        let actions = machine.received(element: element, bytesFollowing: 0)
        #expect(actions.failure?.streamError?.condition == .undefinedCondition)
        #expect(actions.failure?.streamError?.applicationCondition?.name.localName == "custom")
    }

    // MARK: see-other-host

    @Test(
        "see-other-host during negotiation is surfaced as an action (P08, H36)",
        arguments: [
            ("other.example", "other.example", nil),
            ("other.example:5333", "other.example", 5333),
            ("[2001:db8::1]:5222", "2001:db8::1", 5222),
            ("2001:db8::1", "2001:db8::1", nil),
            ("192.0.2.7:15222", "192.0.2.7", 15222),
        ] as [(String, String, Int?)])
    func seeOtherHost(text: String, host: String, port: Int?) {
        var machine = T.started()
        _ = machine.receivedStreamHeader(T.serverHeader())
        let actions = machine.received(element: T.streamError(.seeOtherHost, otherHost: text), bytesFollowing: 0)
        #expect(actions == [
            .cancelDeadline(DeadlineID(.streamOpening, 1)),
            .writeStreamClose,
            .followSeeOtherHost(host: host, port: port),
            .closeConnection,
        ])
    }

    @Test("see-other-host with an unusable target is reported as the stream error", arguments: ["", "bad host", "a/b", "host:0", "host:99999", "user@host", "[::1"])
    func unusableTarget(text: String) {
        var machine = T.started()
        _ = machine.receivedStreamHeader(T.serverHeader())
        let actions = machine.received(element: T.streamError(.seeOtherHost, otherHost: text), bytesFollowing: 0)
        #expect(actions.failure?.code == .streamError)
        #expect(!actions.contains { if case .followSeeOtherHost = $0 { true } else { false } })
    }

    @Test("Redirects are followed up to the limit, then seeOtherHostLimit (H37)", arguments: 0...4)
    func redirectLimit(redirectsSoFar: Int) {
        var machine = T.started(T.configuration(maximumRedirects: 3), redirects: redirectsSoFar)
        _ = machine.receivedStreamHeader(T.serverHeader())
        let actions = machine.received(element: T.streamError(.seeOtherHost, otherHost: "other.example"), bytesFollowing: 0)
        if redirectsSoFar < 3 {
            #expect(actions.contains(.followSeeOtherHost(host: "other.example", port: nil)))
            #expect(actions.failure == nil)
        } else {
            #expect(actions.failure?.code == .seeOtherHostLimit)
            #expect(actions.failure?.streamError?.otherHost == "other.example")
        }
    }

    @Test("maximumRedirects 0 follows none")
    func noRedirects() {
        var machine = T.started(T.configuration(maximumRedirects: 0))
        _ = machine.receivedStreamHeader(T.serverHeader())
        let actions = machine.received(element: T.streamError(.seeOtherHost, otherHost: "other.example"), bytesFollowing: 0)
        #expect(actions.failure?.code == .seeOtherHostLimit)
    }

    @Test("see-other-host after establishment ends the session as a stream error")
    func seeOtherHostWhenEstablished() {
        var machine = T.established()
        let actions = machine.received(element: T.streamError(.seeOtherHost, otherHost: "other.example"), bytesFollowing: 0)
        #expect(actions.failure?.code == .streamError)
    }

    // MARK: Reader errors

    @Test(
        "A reader error sends the matching stream error, then closes",
        arguments: [
            (XMLStreamError.Kind.comment, StreamError.Condition.restrictedXML),
            (.doctype, .restrictedXML),
            (.notWellFormed, .notWellFormed),
            (.elementTooLarge, .policyViolation),
            (.unsupportedEncoding, .unsupportedEncoding),
        ])
    func readerError(kind: XMLStreamError.Kind, condition: StreamError.Condition) {
        var machine = T.binding()
        let error = XMLStreamError(kind, byteOffset: 42)
        #expect(machine.readerFailed(error) == [
            .cancelDeadline(DeadlineID(.resourceBinding, 4)),
            .writeElement(T.streamErrorElement(condition)),
            .writeStreamClose,
            .fail(.xmlError(error)),
            .closeConnection,
        ])
    }

    @Test("A reader error once established fails the session the same way")
    func readerErrorWhenEstablished() {
        var machine = T.established()
        let actions = machine.readerFailed(XMLStreamError(.processingInstruction, byteOffset: 7))
        #expect(actions.writtenElements == [T.streamErrorElement(.restrictedXML)])
        #expect(actions.failure?.xmlError?.kind == .processingInstruction)
    }

    @Test("A connection failure below TLS is connectionClosed with the error, nothing written")
    func connectionFailure() {
        var machine = T.established()
        struct Reset: Error {}
        let actions = machine.connectionFailed(Reset())
        #expect(actions == [.fail(.connectionClosed(Reset(), detail: "the connection failed")), .closeConnection])
    }
}
