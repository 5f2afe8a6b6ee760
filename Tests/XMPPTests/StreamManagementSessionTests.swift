import Testing
import XMPPCore

@testable import XMPP

/// XEP-0198 acknowledgements through the pure `SessionStateMachine`, as
/// transcripts: enabling after binding, counting both ways, answering
/// `<r/>`, acknowledgements that complete waits, violations, ack requests
/// by count and by time, the final `<a/>` of a clean close, and what is
/// reported when the session ends. The ledger here asks for `<r/>` every 3
/// stanzas or after 5 s, and holds at most 4 unacknowledged.
@Suite struct StreamManagementSessionTests {
    typealias T = SessionTest
    typealias S = SMSession

    static let alice = try! FullJID("alice@example.com/r1")

    // MARK: Enabling

    @Test("Offered and configured: <enable/> (no resume) after bind; the session is announced on <enabled/>")
    func enableAfterBind() throws {
        var machine = T.binding(S.configuration(), streamManagement: true)
        let bindDeadline = try #require(machine.deadline)
        let actions = machine.received(element: T.bindResult(jid: "alice@example.com/r1"), bytesFollowing: 0, now: S.at(0))
        let enableDeadline = DeadlineID(.streamManagement, bindDeadline.sequence + 1)
        #expect(actions == [.writeElement(S.enable), .cancelDeadline(bindDeadline), .scheduleDeadline(enableDeadline, .seconds(10))])
        #expect(S.enable[attribute: "resume"] == nil, "the scoped connection cannot resume")
        #expect(!machine.isEstablished)

        let enabled = machine.received(element: try S.element("<enabled xmlns='urn:xmpp:sm:3'/>"), bytesFollowing: 0, now: S.at(0))
        #expect(enabled.count == 2)
        #expect(enabled.first == .cancelDeadline(enableDeadline))
        guard case .established(let session)? = enabled.last else {
            Issue.record("not established: \(enabled)")
            return
        }
        #expect(session.streamManagementEnabled && session.boundJID == Self.alice)
        #expect(machine.isEstablished && machine.isStreamManagementActive)
    }

    @Test("With the RFC 3921 session required, <enable/> follows the session's result")
    func enableAfterSession() throws {
        var machine = T.binding(S.configuration(), session: false, streamManagement: true)
        let bound = machine.received(element: T.bindResult(jid: "alice@example.com/r1"), bytesFollowing: 0)
        #expect(bound.writtenElements == [T.sessionRequest])
        let started = machine.received(element: T.sessionResult, bytesFollowing: 0)
        #expect(started.writtenElements == [S.enable])
        #expect(!machine.isEstablished)
    }

    @Test("Not offered, or switched off: no <enable/>, established at once; off, SM elements are delivered as before")
    func noEnable() throws {
        var notOffered = T.binding(S.configuration())
        let established = notOffered.received(element: T.bindResult(jid: "alice@example.com/r1"), bytesFollowing: 0)
        #expect(established.writtenElements.isEmpty)
        guard case .established(let session)? = established.last else {
            Issue.record("not established: \(established)")
            return
        }
        #expect(!session.streamManagementEnabled)

        var off = T.binding(T.configuration(), streamManagement: true)
        let offActions = off.received(element: T.bindResult(jid: "alice@example.com/r1"), bytesFollowing: 0)
        #expect(offActions.writtenElements.isEmpty && off.isEstablished)
        let request = try S.element("<r xmlns='urn:xmpp:sm:3'/>")
        #expect(off.received(element: request, bytesFollowing: 0) == [.deliver(request)])
        #expect(try off.send(stanza: S.message(1)) == [.writeElement(S.message(1))])
    }

    @Test("<failed/> to <enable/>: established without acknowledgements; acknowledged sends are refused")
    func enableRefused() throws {
        var machine = S.enabling()
        let failed = try S.element(
            "<failed xmlns='urn:xmpp:sm:3'><feature-not-implemented xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>")
        let actions = machine.received(element: failed, bytesFollowing: 0, now: S.at(0))
        guard case .established(let session)? = actions.last else {
            Issue.record("not established: \(actions)")
            return
        }
        #expect(!session.streamManagementEnabled && !machine.isStreamManagementActive)
        let error = #expect(throws: XMPPClientError.self) { try machine.sendAcknowledged(stanza: S.message(1)) }
        #expect(error?.code == .streamManagementNotEnabled)
        #expect(try machine.send(stanza: S.message(1), now: S.at(1)) == [.writeElement(S.message(1))], "sent as without acks")
    }

    @Test("Stanzas between <enable/> and <enabled/> are routed as established; inbound ones are not counted (H89)")
    func stanzasWhileEnabling() throws {
        var machine = S.enabling()
        let chat = try S.element(ScriptedServer.chat)
        #expect(machine.received(element: chat, bytesFollowing: 0, now: S.at(0)) == [.deliver(chat)])
        let get = try S.element("<iq type='get' id='g1' from='bob@example.com/x'><query xmlns='urn:example:unknown'/></iq>")
        let answered = machine.received(element: get, bytesFollowing: 0, now: S.at(0))
        #expect(answered.writtenElements.count == 1, "service-unavailable, counted as our stanza 1")

        let enabled = machine.received(element: try S.element("<enabled xmlns='urn:xmpp:sm:3'/>"), bytesFollowing: 0, now: S.at(1))
        #expect(enabled.last == .scheduleAckRequestTimer(S.at(5)), "the answer written at 0 s waits for an ack request at 5 s")
        let request = try S.element("<r xmlns='urn:xmpp:sm:3'/>")
        #expect(machine.received(element: request, bytesFollowing: 0) == [.answerAckRequest(S.ack(0))])
        #expect(machine.received(element: S.ack(1), bytesFollowing: 0) == [], "the answer is acknowledged; nobody waited")
    }

    @Test("No answer to <enable/> in time: timeout(streamManagement)")
    func enableTimeout() throws {
        var machine = S.enabling()
        let deadline = try #require(machine.deadline)
        #expect(deadline.step == .streamManagement)
        let actions = machine.deadlineFired(deadline)
        #expect(actions.failure?.code == .timeout)
        #expect(actions.failure?.step == .streamManagement)
        #expect(actions.contains(.writeStreamClose) && actions.last == .closeConnection)
    }

    // MARK: Inbound counting

    @Test("<r/> is answered at once with h = every stanza handled, unreadable ones included; nonzas do not count")
    func answerRequest() throws {
        var machine = try S.established()
        let inbound = [
            ScriptedServer.chat,
            "<presence from='bob@example.com/x'/>",
            "<message from='@not a jid' type='chat' id='bad'><body>?</body></message>",
            "<iq type='result' id='r1' from='@@bad'/>",
            "<iq type='get' id='g1' from='bob@example.com/x'><query xmlns='urn:example:unknown'/></iq>",
        ]
        for xml in inbound {
            _ = machine.received(element: try S.element(xml), bytesFollowing: 0, now: S.at(1))
        }
        let nonza = try S.element("<custom xmlns='urn:example:nonza'/>")
        #expect(machine.received(element: nonza, bytesFollowing: 0) == [.deliver(nonza)])
        let request = try S.element("<r xmlns='urn:xmpp:sm:3'/>")
        #expect(machine.received(element: request, bytesFollowing: 0) == [.answerAckRequest(S.ack(5))])
        #expect(machine.received(element: request, bytesFollowing: 0) == [.answerAckRequest(S.ack(5))], "never delivered, never counted")
    }

    // MARK: Acknowledgements

    @Test("Acknowledgements retire stanzas in order and complete only the awaited ones; a stale h is dropped")
    func acknowledgements() throws {
        var machine = try S.established()
        let first = try machine.sendAcknowledged(stanza: S.message(1), now: S.at(1))
        #expect(first.token == S.token(1))
        #expect(first.actions == [.writeElement(S.message(1)), .writeElement(S.request)], "<r/> follows an awaited stanza at once")
        #expect(try machine.send(stanza: S.message(2), now: S.at(2)) == [.writeElement(S.message(2)), .scheduleAckRequestTimer(S.at(7))])
        let third = try machine.sendAcknowledged(stanza: S.message(3), now: S.at(3))
        #expect(third.actions == [.writeElement(S.message(3)), .writeElement(S.request)])

        #expect(machine.received(element: S.ack(1), bytesFollowing: 0) == [.stanzasAcknowledged([S.token(1)])])
        #expect(machine.received(element: S.ack(3), bytesFollowing: 0) == [.stanzasAcknowledged([S.token(3)])])
        let stale = S.ack(2)
        #expect(machine.received(element: stale, bytesFollowing: 0) == [.dropped(stale, .staleAcknowledgement)])
        #expect(machine.received(element: S.ack(3), bytesFollowing: 0) == [], "a repeated h retires nothing")
        #expect(machine.ackRequestTimerFired(at: S.at(7), now: S.at(7)) == [], "everything is acknowledged: no <r/>")
        #expect(machine.streamManagement.stanzas.isEmpty)
    }

    @Test("An h above what was sent: stream error undefined-condition with handled-count-too-high, close, typed error")
    func handledCountTooHigh() throws {
        var machine = try S.established()
        _ = try machine.sendAcknowledged(stanza: S.message(1), now: S.at(1))
        let actions = machine.received(element: S.ack(2), bytesFollowing: 0, now: S.at(2))
        let streamError = try #require(StreamManagementError.handledCountTooHigh(handled: 2, sent: 1).streamError)
        let error = XMPPClientError.streamManagementViolation(streamError, detail: "the server acknowledged 2 stanzas; 1 were sent")
        let unknown = TrackedStanza(token: S.token(1), stanza: .element(S.message(1)), state: .unknown, sequenceNumber: 1, writtenAt: S.at(1))
        #expect(
            actions == [
                .writeElement(streamError.element), .writeStreamClose, .stanzasNotAcknowledged([unknown], error), .fail(error),
                .closeConnection,
            ])
        #expect(streamError.element.firstChild(named: "handled-count-too-high", namespace: "urn:xmpp:sm:3")?[attribute: "h"] == "2")
        #expect(actions.failure?.code == .streamManagementViolation)
        #expect(actions.failure?.sentCondition == .undefinedCondition)
        #expect(!machine.isEstablished)
    }

    @Test("A malformed, unknown or misplaced stream-management element ends the session the same way")
    func violations() throws {
        let cases = [
            "<a xmlns='urn:xmpp:sm:3' h='-1'/>",
            "<a xmlns='urn:xmpp:sm:3'/>",
            "<t xmlns='urn:xmpp:sm:3'/>",
            "<enabled xmlns='urn:xmpp:sm:3'/>",
            "<failed xmlns='urn:xmpp:sm:3'/>",
            "<resumed xmlns='urn:xmpp:sm:3' previd='x' h='0'/>",
            "<enable xmlns='urn:xmpp:sm:3'/>",
        ]
        for xml in cases {
            var machine = try S.established()
            let actions = machine.received(element: try S.element(xml), bytesFollowing: 0)
            #expect(actions.failure?.code == .streamManagementViolation, "\(xml)")
            #expect(actions.writtenElements.first?.name == XMLQualifiedName("error", namespace: XMLNamespace.streams), "\(xml)")
            #expect(actions.last == .closeConnection, "\(xml)")
        }
        var neverEnabled = T.established()
        var configuredButNotOffered = T.binding(S.configuration())
        _ = configuredButNotOffered.received(element: T.bindResult(jid: "alice@example.com/r1"), bytesFollowing: 0)
        let request = try S.element("<r xmlns='urn:xmpp:sm:3'/>")
        #expect(configuredButNotOffered.received(element: request, bytesFollowing: 0).failure?.code == .streamManagementViolation)
        #expect(neverEnabled.received(element: request, bytesFollowing: 0) == [.deliver(request)], "off: delivered as before")
    }

    // MARK: Requesting acknowledgements

    @Test("<r/> after every 3 stanzas that no request covers, and by time through the one ack-request timer")
    func ackRequests() throws {
        var machine = try S.established()
        #expect(try machine.send(stanza: S.message(1), now: S.at(0)) == [.writeElement(S.message(1)), .scheduleAckRequestTimer(S.at(5))])
        #expect(try machine.send(stanza: S.message(2), now: S.at(1)) == [.writeElement(S.message(2))])
        #expect(try machine.send(stanza: S.message(3), now: S.at(2)) == [.writeElement(S.message(3)), .writeElement(S.request)])
        #expect(try machine.send(stanza: S.message(4), now: S.at(3)) == [.writeElement(S.message(4))], "the timer is already earlier")

        #expect(machine.ackRequestTimerFired(at: S.at(4), now: S.at(4)) == [], "not the scheduled instant: ignored")
        #expect(machine.ackRequestTimerFired(at: S.at(5), now: S.at(5)) == [.scheduleAckRequestTimer(S.at(8))], "message 4 is due at 8 s")
        #expect(machine.ackRequestTimerFired(at: S.at(8), now: S.at(8)) == [.writeElement(S.request)])
        #expect(machine.received(element: S.ack(4), bytesFollowing: 0) == [])
        #expect(machine.streamManagement.nextAckRequestTime == nil)
    }

    @Test("IQ requests and the session's own answers are counted; the server's h covers them")
    func requestsCounted() throws {
        var machine = try S.established()
        let (id, actions) = try machine.sendRequest(.get, payload: pingPayload, to: nil, timeout: nil, now: S.at(0))
        #expect(actions == [.writeElement(IQ(type: .get, id: id, payload: pingPayload).element), .scheduleAckRequestTimer(S.at(5)), .scheduleRequestTimer(S.at(30))])
        let get = try S.element("<iq type='get' id='g1' from='bob@example.com/x'><query xmlns='urn:example:unknown'/></iq>")
        #expect(machine.received(element: get, bytesFollowing: 0, now: S.at(1)).writtenElements.count == 1)
        #expect(machine.received(element: S.ack(2), bytesFollowing: 0) == [], "both are ours: h=2 is not too high")
        #expect(machine.streamManagement.stanzas.isEmpty)
    }

    @Test("A full queue refuses sends with a typed error and drops the session's own answers; nothing is written uncounted")
    func queueFull() throws {
        var machine = try S.established()
        for n in 1...4 { _ = try machine.send(stanza: S.message(n), now: S.at(0)) }
        let refused = #expect(throws: XMPPClientError.self) { try machine.send(stanza: S.message(5), now: S.at(0)) }
        #expect(refused?.code == .unacknowledgedLimitReached)
        let request = #expect(throws: XMPPClientError.self) {
            try machine.sendRequest(.get, payload: pingPayload, to: nil, timeout: nil, now: S.at(0))
        }
        #expect(request?.code == .unacknowledgedLimitReached)
        #expect(machine.requests.isEmpty)
        #expect(throws: XMPPClientError.self) { try machine.sendAcknowledged(stanza: S.message(5)) }

        let get = try S.element("<iq type='get' id='g1' from='bob@example.com/x'><query xmlns='urn:example:unknown'/></iq>")
        let actions = machine.received(element: get, bytesFollowing: 0)
        #expect(actions.writtenElements.isEmpty)
        #expect(actions.contains { if case .dropped(_, .unacknowledgedLimitReached) = $0 { true } else { false } })
        #expect(machine.received(element: S.ack(4), bytesFollowing: 0) == [])
        #expect(try machine.send(stanza: S.message(5), now: S.at(1)).first == .writeElement(S.message(5)))
    }

    @Test("Acknowledged sends need an established session, a stanza, and acknowledgements")
    func acknowledgedSendRefused() throws {
        var enabling = S.enabling()
        #expect(throws: XMPPClientError.self) { try enabling.sendAcknowledged(stanza: S.message(1)) }
        var machine = try S.established()
        let notStanza = #expect(throws: XMPPClientError.self) {
            try machine.sendAcknowledged(stanza: XMLElement("custom", namespace: "urn:example"))
        }
        #expect(notStanza?.code == .notAStanza)
        var off = T.established()
        let disabled = #expect(throws: XMPPClientError.self) { try off.sendAcknowledged(stanza: S.message(1)) }
        #expect(disabled?.code == .streamManagementNotEnabled)
        _ = machine.closeRequested()
        let closed = #expect(throws: XMPPClientError.self) { try machine.sendAcknowledged(stanza: S.message(1)) }
        #expect(closed?.code == .connectionClosed)
    }

    // MARK: The end

    @Test("A clean close writes the final <a h/> and <r/> before </stream:stream>; acks during the close still count")
    func cleanClose() throws {
        var machine = try S.established()
        for xml in [ScriptedServer.chat, "<presence from='bob@example.com/x'/>"] {
            _ = machine.received(element: try S.element(xml), bytesFollowing: 0)
        }
        _ = try machine.sendAcknowledged(stanza: S.message(1), now: S.at(1))
        let closing = machine.closeRequested()
        #expect(Array(closing.prefix(3)) == [.writeElement(S.ack(2)), .writeElement(S.request), .writeStreamClose])
        let request = try S.element("<r xmlns='urn:xmpp:sm:3'/>")
        #expect(machine.received(element: request, bytesFollowing: 0) == [.dropped(request, .streamManagementWhileClosing)])
        #expect(machine.received(element: S.ack(1), bytesFollowing: 0) == [.stanzasAcknowledged([S.token(1)])])
        let closeDeadline = try #require(machine.deadline)
        #expect(machine.receivedStreamEnd() == [.cancelDeadline(closeDeadline), .closeConnection], "nothing left to report")
    }

    @Test("A clean close the server never acknowledges: the waits fail as not acknowledged when the stream ends")
    func cleanCloseUnacknowledged() throws {
        var machine = try S.established()
        _ = try machine.sendAcknowledged(stanza: S.message(1), now: S.at(1))
        let closing = machine.closeRequested()
        #expect(closing.first == .writeElement(S.ack(0)))
        let closeDeadline = try #require(machine.deadline)
        let unknown = TrackedStanza(token: S.token(1), stanza: .element(S.message(1)), state: .unknown, sequenceNumber: 1, writtenAt: S.at(1))
        #expect(
            machine.receivedStreamEnd() == [
                .cancelDeadline(closeDeadline), .stanzasNotAcknowledged([unknown], SessionStateMachine.closedError), .closeConnection,
            ])
    }

    @Test("The connection drops: every stanza not acknowledged is reported, before the session's failure")
    func connectionLost() throws {
        var machine = try S.established()
        _ = try machine.sendAcknowledged(stanza: S.message(1), now: S.at(1))
        _ = try machine.send(stanza: S.message(2), now: S.at(2))
        let actions = machine.channelInactive()
        let error = XMPPClientError.connectionClosed(detail: "the connection closed")
        let unknown = [
            TrackedStanza(token: S.token(1), stanza: .element(S.message(1)), state: .unknown, sequenceNumber: 1, writtenAt: S.at(1)),
            TrackedStanza(token: S.token(2, awaited: false), stanza: .element(S.message(2)), state: .unknown, sequenceNumber: 2, writtenAt: S.at(2)),
        ]
        #expect(actions == [.cancelAckRequestTimer, .stanzasNotAcknowledged(unknown, error), .fail(error)])
    }

    // MARK: Configuration

    @Test("Configuration: on by default, acknowledgements only (no resume), off with .disabled, bad values refused")
    func configuration() throws {
        var configuration = XMPPConnection.Configuration(jid: try BareJID("alice@example.com"), password: "p")
        #expect(configuration.streamManagement.isEnabled)
        let ledger = try #require(try configuration.sessionConfiguration().streamManagement)
        #expect(!ledger.requestsResumption)
        #expect(ledger.ackRequestThreshold == 100 && ledger.ackRequestDelay == .seconds(5) && ledger.maximumUnacknowledged == 1_000)
        #expect(configuration.description.contains("streamManagement: StreamManagement(ackRequestThreshold: 100"))

        configuration.streamManagement = .disabled
        #expect(try configuration.sessionConfiguration().streamManagement == nil)
        #expect(configuration.description.contains("StreamManagement(disabled)"))

        let invalid: [XMPPConnection.Configuration.StreamManagement] = [
            .init(ackRequestThreshold: 0), .init(ackRequestDelay: .zero), .init(maximumUnacknowledged: 0),
        ]
        for options in invalid {
            configuration.streamManagement = options
            let error = #expect(throws: XMPPClientError.self) { try configuration.sessionConfiguration() }
            #expect(error?.code == .invalidConfiguration)
        }
    }
}
