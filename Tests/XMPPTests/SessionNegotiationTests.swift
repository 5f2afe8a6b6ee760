import Testing
import XMPPCore

@testable import XMPP

/// Transcripts of whole negotiations and of the STARTTLS step: input →
/// the exact actions the machine asks for.
@Suite struct SessionNegotiationTests {
    typealias T = SessionTest

    @Test("STARTTLS path: header, features, <starttls/>, <proceed/>, TLS, restart, SASL PLAIN, restart, bind, established")
    func fullSTARTTLSTranscript() {
        var machine = SessionStateMachine(configuration: T.configuration())

        #expect(machine.start(transport: .plain) == [
            .writeStreamHeader(T.clientHeader(secured: false)),
            .scheduleDeadline(DeadlineID(.streamOpening, 1), .seconds(10)),
        ])
        #expect(machine.receivedStreamHeader(T.serverHeader()) == [])
        #expect(machine.received(element: T.features(T.startTLSFeature), bytesFollowing: 0) == [
            .writeElement(StartTLSNegotiation.request),
            .cancelDeadline(DeadlineID(.streamOpening, 1)),
            .scheduleDeadline(DeadlineID(.startTLS, 2), .seconds(10)),
        ])
        #expect(machine.received(element: T.proceed, bytesFollowing: 0) == [
            .cancelDeadline(DeadlineID(.startTLS, 2)),
            .scheduleDeadline(DeadlineID(.tlsHandshake, 3), .seconds(11)),
            .addTLSHandler,
        ])
        #expect(machine.tlsEstablished(channelBindings: [.tlsExporter: [1, 2, 3]]) == [
            .resetReader,
            .writeStreamHeader(T.clientHeader(secured: true)),
            .cancelDeadline(DeadlineID(.tlsHandshake, 3)),
            .scheduleDeadline(DeadlineID(.streamOpening, 4), .seconds(10)),
        ])
        #expect(machine.receivedStreamHeader(T.serverHeader()) == [])
        #expect(machine.received(element: T.features(T.mechanisms("SCRAM-SHA-1", "PLAIN")), bytesFollowing: 0) == [
            .writeElement(T.plainAuth),
            .cancelDeadline(DeadlineID(.streamOpening, 4)),
            .scheduleDeadline(DeadlineID(.authentication, 5), .seconds(12)),
        ])
        #expect(machine.received(element: T.saslSuccess, bytesFollowing: 0) == [
            .resetReader,
            .writeStreamHeader(T.clientHeader(secured: true)),
            .cancelDeadline(DeadlineID(.authentication, 5)),
            .scheduleDeadline(DeadlineID(.streamOpening, 6), .seconds(10)),
        ])
        #expect(machine.receivedStreamHeader(T.serverHeader()) == [])
        let features = T.features(T.bindFeature, T.sessionFeature(optional: true))
        #expect(machine.received(element: features, bytesFollowing: 0) == [
            .writeElement(T.bindRequest()),
            .cancelDeadline(DeadlineID(.streamOpening, 6)),
            .scheduleDeadline(DeadlineID(.resourceBinding, 7), .seconds(10)),
        ])
        let bound = try! FullJID("alice@example.com/4db3")
        #expect(machine.received(element: T.bindResult(jid: "alice@example.com/4db3"), bytesFollowing: 0) == [
            .cancelDeadline(DeadlineID(.resourceBinding, 7)),
            .established(.init(boundJID: bound, features: StreamFeatures(features), authenticationMechanism: .plain)),
        ])
        #expect(machine.isEstablished)
        #expect(machine.authenticationMechanism == .plain)
        #expect(machine.received(element: T.chat, bytesFollowing: 0) == [.deliver(T.chat)])
    }

    @Test("Direct TLS: no STARTTLS; the first header already names the account")
    func directTLSTranscript() {
        var machine = SessionStateMachine(configuration: T.configuration())
        #expect(machine.start(transport: .tls(T.encrypted)) == [
            .writeStreamHeader(T.clientHeader(secured: true)),
            .scheduleDeadline(DeadlineID(.streamOpening, 1), .seconds(10)),
        ])
        #expect(machine.receivedStreamHeader(T.serverHeader()) == [])
        #expect(machine.received(element: T.features(T.mechanisms("PLAIN")), bytesFollowing: 0) == [
            .writeElement(T.plainAuth),
            .cancelDeadline(DeadlineID(.streamOpening, 1)),
            .scheduleDeadline(DeadlineID(.authentication, 2), .seconds(12)),
        ])
    }

    @Test("A <starttls/> offer on a secured stream is ignored (H35): SASL goes on")
    func startTLSOfferedAgainAfterTLS() {
        var machine = T.securedAwaitingFeatures()
        let actions = machine.received(element: T.features(T.startTLSFeature, T.mechanisms("PLAIN")), bytesFollowing: 0)
        #expect(actions.writtenElements == [T.plainAuth])
    }

    @Test("No <starttls/> on a plain connection: tlsRequired, and no <auth/> even when PLAIN is offered (P01, P02)")
    func missingStartTLS() {
        var machine = T.started()
        _ = machine.receivedStreamHeader(T.serverHeader())
        let actions = machine.received(element: T.features(T.mechanisms("PLAIN", "SCRAM-SHA-1")), bytesFollowing: 0)
        #expect(actions == [
            .cancelDeadline(DeadlineID(.streamOpening, 1)),
            .writeStreamClose,
            .fail(.tlsRequired),
            .closeConnection,
        ])
        #expect(actions.failure?.code == .tlsRequired)
        // Whatever follows is ignored.
        #expect(machine.received(element: T.saslSuccess, bytesFollowing: 0) == [])
    }

    @Test("STARTTLS answered with <failure/>: tlsFailed, no retry in the clear (H32)")
    func startTLSRefused() {
        var machine = T.awaitingProceed()
        let actions = machine.received(element: T.tlsFailure, bytesFollowing: 0)
        #expect(actions == [
            .cancelDeadline(DeadlineID(.startTLS, 2)),
            .writeStreamClose,
            .fail(.tlsFailed(nil, detail: "the server answered STARTTLS with <failure/>")),
            .closeConnection,
        ])
    }

    @Test("Bytes after <proceed/> in the same read: abort without writing anything (P03, H33)", arguments: [1, 7, 4096])
    func proceedInjection(bytesFollowing: Int) {
        var machine = T.awaitingProceed()
        let actions = machine.received(element: T.proceed, bytesFollowing: bytesFollowing)
        #expect(actions == [.cancelDeadline(DeadlineID(.startTLS, 2)), .fail(.proceedInjection), .closeConnection])
        #expect(!actions.contains(.addTLSHandler))
        // The injected element that follows in the same read reaches nobody.
        #expect(machine.received(element: T.chat, bytesFollowing: 0) == [])
    }

    @Test("TLS handshake failure: tlsFailed, nothing written in the clear (H34)")
    func handshakeFailure() {
        var machine = T.handshaking()
        struct HandshakeBroke: Error {}
        let actions = machine.tlsFailed(HandshakeBroke())
        #expect(actions == [
            .cancelDeadline(DeadlineID(.tlsHandshake, 3)),
            .fail(.tlsFailed(HandshakeBroke(), detail: "TLS failed")),
            .closeConnection,
        ])
        #expect(actions.failure?.code == .tlsFailed)
    }

    @Test("An element other than <proceed/> or <failure/> after <starttls/> is unexpected")
    func unexpectedAfterStartTLS() {
        var machine = T.awaitingProceed()
        let actions = machine.received(element: T.chat, bytesFollowing: 0)
        #expect(actions.failure?.code == .unexpectedElement)
        #expect(actions.writtenElements == [T.streamErrorElement(.unsupportedStanzaType)])
        #expect(!actions.contains(.addTLSHandler))
    }

    @Test("A stanza before negotiation is complete is never delivered (P15, H41)")
    func stanzaBeforeBind() {
        var machine = T.authenticatedAwaitingFeatures()
        let actions = machine.received(element: T.chat, bytesFollowing: 0)
        #expect(!actions.contains(.deliver(T.chat)))
        #expect(actions.failure?.code == .unexpectedElement)
    }

    @Test("The header's from is sent only once TLS is up, so the cleartext header does not name the user")
    func headerFromOnlyWhenSecured() {
        #expect(StreamOpening.header(for: T.jid, isSecured: false)[attribute: "from"] == nil)
        #expect(StreamOpening.header(for: T.jid, isSecured: true)[attribute: "from"] == "alice@example.com")
    }

    // MARK: The server's stream header

    @Test(
        "Acceptable server headers",
        arguments: [
            T.serverHeader(),
            T.serverHeader(version: "1.1"),
            T.serverHeader(from: nil),
            T.serverHeader(from: "EXAMPLE.com"),
        ])
    func acceptedHeaders(header: XMLStreamHeader) {
        var machine = T.started()
        #expect(machine.receivedStreamHeader(header) == [])
    }

    @Test(
        "Refused server headers send the matching stream error and never fall back to legacy auth",
        arguments: [
            (T.serverHeader(root: XMLQualifiedName("stream", namespace: "urn:wrong")), StreamError.Condition.invalidNamespace),
            (T.serverHeader(root: XMLQualifiedName("stream")), .invalidNamespace),
            (T.serverHeader(contentNamespace: "jabber:server"), .invalidNamespace),
            (T.serverHeader(contentNamespace: nil), .invalidNamespace),
            (T.serverHeader(version: nil), .unsupportedVersion),
            (T.serverHeader(version: "0.9"), .unsupportedVersion),
            (T.serverHeader(version: "2.0"), .unsupportedVersion),
            (T.serverHeader(version: "1"), .unsupportedVersion),
            (T.serverHeader(version: "1.x"), .unsupportedVersion),
            (T.serverHeader(from: "evil.example"), .invalidFrom),
        ])
    func refusedHeaders(header: XMLStreamHeader, condition: StreamError.Condition) {
        var machine = T.started()
        let actions = machine.receivedStreamHeader(header)
        #expect(actions.count == 5)
        #expect(actions.first == .cancelDeadline(DeadlineID(.streamOpening, 1)))
        #expect(actions.writtenElements == [T.streamErrorElement(condition)])
        #expect(actions.contains(.writeStreamClose))
        #expect(actions.last == .closeConnection)
        #expect(actions.failure?.code == .invalidStreamHeader)
        #expect(actions.failure?.sentCondition == condition)
    }

    @Test("Something other than <stream:features/> after the header is unexpected")
    func unexpectedInsteadOfFeatures() {
        var machine = T.started()
        _ = machine.receivedStreamHeader(T.serverHeader())
        let actions = machine.received(element: T.proceed, bytesFollowing: 0)
        #expect(actions.failure?.code == .unexpectedElement)
    }
}
