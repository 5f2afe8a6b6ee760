import Testing
import XMPPCore

@testable import XMPP

/// Closing: ours (clean, with a deadline), the server's, and the
/// connection going away; sending on the established stream.
@Suite struct SessionClosingTests {
    typealias T = SessionTest

    @Test("Clean close: </stream:stream>, wait for the server's, then close the connection")
    func cleanClose() {
        var machine = T.established()
        #expect(machine.closeRequested() == [.writeStreamClose, .scheduleDeadline(DeadlineID(.closing, 5), .seconds(5))])
        #expect(machine.closeRequested() == [], "a second request changes nothing")
        // Stanzas the server sent before it saw our close still arrive.
        #expect(machine.received(element: T.chat, bytesFollowing: 0) == [.deliver(T.chat)])
        #expect(machine.receivedStreamEnd() == [.cancelDeadline(DeadlineID(.closing, 5)), .closeConnection])
        #expect(machine.channelInactive() == [])
    }

    @Test("Clean close whose answer never comes: the close deadline closes the connection, without an error")
    func closeDeadline() {
        var machine = T.established()
        _ = machine.closeRequested()
        #expect(machine.deadlineFired(DeadlineID(.closing, 5)) == [.closeConnection])
        #expect(machine.channelInactive() == [])
    }

    @Test("While closing, a stream error, a reader error or a TLS failure just closes")
    func closingShortcuts() {
        struct Broken: Error {}
        var first = T.established()
        _ = first.closeRequested()
        #expect(first.received(element: T.streamError(.reset), bytesFollowing: 0) == [
            .cancelDeadline(DeadlineID(.closing, 5)), .closeConnection,
        ])
        var second = T.established()
        _ = second.closeRequested()
        #expect(second.readerFailed(XMLStreamError(.notWellFormed, byteOffset: 0)) == [
            .cancelDeadline(DeadlineID(.closing, 5)), .closeConnection,
        ])
        var third = T.established()
        _ = third.closeRequested()
        #expect(third.tlsFailed(Broken()) == [.cancelDeadline(DeadlineID(.closing, 5)), .closeConnection])
    }

    @Test("Close during negotiation: the attempt fails at once, the stream is closed cleanly, nothing is delivered")
    func closeDuringNegotiation() {
        var machine = T.binding()
        #expect(machine.closeRequested() == [
            .writeStreamClose,
            .fail(.connectionClosed(detail: "closed before the session was established")),
            .cancelDeadline(DeadlineID(.resourceBinding, 4)),
            .scheduleDeadline(DeadlineID(.closing, 5), .seconds(5)),
        ])
        #expect(machine.received(element: T.bindResult(jid: "alice@example.com/r1"), bytesFollowing: 0) == [])
        #expect(machine.receivedStreamEnd() == [.cancelDeadline(DeadlineID(.closing, 5)), .closeConnection])
    }

    @Test("Close during the TLS handshake: fail and close without writing in the clear")
    func closeDuringHandshake() {
        var machine = T.handshaking()
        #expect(machine.closeRequested() == [
            .cancelDeadline(DeadlineID(.tlsHandshake, 3)),
            .fail(.connectionClosed(detail: "closed before the session was established")),
            .closeConnection,
        ])
    }

    @Test("Close before the machine started: close the connection")
    func closeWhenIdle() {
        var machine = SessionStateMachine(configuration: T.configuration())
        #expect(machine.closeRequested() == [.closeConnection])
        #expect(machine.start(transport: .plain) == [])
    }

    @Test("The server closes the stream: answer in kind, report streamClosedByPeer (H44)")
    func serverCloses() {
        var negotiating = T.authenticating()
        #expect(negotiating.receivedStreamEnd() == [
            .cancelDeadline(DeadlineID(.authentication, 2)),
            .writeStreamClose,
            .fail(.streamClosedByPeer),
            .closeConnection,
        ])
        var established = T.established()
        #expect(established.receivedStreamEnd() == [.writeStreamClose, .fail(.streamClosedByPeer), .closeConnection])
    }

    @Test("The connection drops: connectionClosed, during negotiation and after")
    func connectionDrops() {
        var negotiating = T.awaitingProceed()
        let first = negotiating.channelInactive()
        #expect(first.first == .cancelDeadline(DeadlineID(.startTLS, 2)))
        #expect(first.failure?.code == .connectionClosed)
        #expect(negotiating.channelInactive() == [])

        var established = T.established()
        #expect(established.channelInactive().failure?.code == .connectionClosed)
    }

    @Test("Sending: only on an established stream")
    func sending() throws {
        var negotiating = T.binding()
        #expect(throws: XMPPClientError.self) { try negotiating.send(stanza: T.chat) }

        var machine = T.established()
        #expect(try machine.send(stanza: T.chat) == [.writeElement(T.chat)])
        _ = machine.closeRequested()
        let error = #expect(throws: XMPPClientError.self) { try machine.send(stanza: T.chat) }
        #expect(error?.code == .connectionClosed)
    }
}
