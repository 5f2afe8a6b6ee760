import Testing
import XMPPCore

@testable import XMPP

/// XEP-0198 resumption through the pure `SessionStateMachine`, as
/// transcripts over two (or three) machines: the first loses its connection
/// and hands its session over (`.carryOver`), the next one authenticates
/// and writes `<resume/>` instead of binding, then `<resumed/>`,
/// `<failed/>`, a violation or another loss decides what happens to the
/// stanzas in flight. The ledger asks for resumption, requests an ack
/// after 10 stanzas or 5 s (so only awaited stanzas and the resumption
/// write `<r/>` here), and holds at most 8.
@Suite struct SessionResumptionTests {
    typealias T = SessionTest
    typealias S = SMSession
    typealias Ledger = StreamManagementLedger<OutboundStanzaToken>

    // MARK: Fixtures

    static let ledger = StreamManagementConfiguration(
        maximumUnacknowledged: 8, ackRequestThreshold: 10, ackRequestDelay: .seconds(5), ackAnswerDelay: .zero,
        requestsResumption: true)

    /// Liveness that only watches `<r/>`: its `<a/>` must come within 30 s.
    static let ackDeadlineOnly = LivenessMonitor.Configuration(keepaliveInterval: nil, probeAfterSilence: nil, probeTimeout: .seconds(30))

    /// A configuration that asks for resumption, resuming `session` if given.
    static func configuration(
        resuming session: DetachedSession? = nil,
        liveness: LivenessMonitor.Configuration? = nil
    ) -> SessionStateMachine.Configuration {
        var configuration = S.configuration(ledger)
        configuration.resumption = session
        configuration.liveness = liveness
        return configuration
    }

    static let enableResume = StreamManagementElement.enable(resume: true, preferredMaximum: nil).element
    static let enabledXML = "<enabled xmlns='urn:xmpp:sm:3' id='sm-1' resume='true' max='300'/>"
    static let lost = XMPPClientError.connectionClosed(detail: "the connection closed")
    static let lostNegotiating = XMPPClientError.connectionClosed(detail: "the connection closed during negotiation")

    static func alice(_ resource: String = "r1") throws -> FullJID {
        try FullJID("alice@example.com/\(resource)")
    }

    /// The features after authentication: bind, and stream management when `streamManagement`.
    static func features(streamManagement: Bool = true) -> XMLElement {
        var children = [T.bindFeature]
        if streamManagement { children.append(XMLElement(name: StreamManagementElement.featureName)) }
        return XMLElement(name: StreamFeatures.elementName, children: children.map { .element($0) })
    }

    static func resumeXML(_ handled: String) throws -> XMLElement {
        try S.element("<resume xmlns='urn:xmpp:sm:3' previd='sm-1' h='\(handled)'/>")
    }

    static func resumed(_ handled: String, previd: String = "sm-1") throws -> XMLElement {
        try S.element("<resumed xmlns='urn:xmpp:sm:3' previd='\(previd)' h='\(handled)'/>")
    }

    /// Stanza `n` as the ledger kept it: written at `n` s with number `n`.
    static func tracked(_ n: Int, awaited: Bool, state: StanzaDeliveryState) -> TrackedStanza<OutboundStanzaToken> {
        TrackedStanza(
            token: S.token(UInt64(n), awaited: awaited), stanza: .element(S.message(n)), state: state,
            sequenceNumber: StanzaCount(UInt32(n)), writtenAt: S.at(n))
    }

    /// Messages 1 and 3 are awaited, 2 and 4 are not.
    static func isAwaited(_ n: Int) -> Bool { n % 2 == 1 }

    /// Established with resumption (SM-ID `sm-1`, window 300 s).
    static func resumable(liveness: LivenessMonitor.Configuration? = nil) throws -> SessionStateMachine {
        var machine = S.enabling(configuration(liveness: liveness))
        _ = machine.received(element: try S.element(enabledXML), bytesFollowing: 0, now: S.at(0))
        return machine
    }

    /// A resumable session that wrote messages 1…4 (at 1…4 s; 1 and 3
    /// awaited), handled two inbound stanzas and had nothing acknowledged,
    /// then lost its connection.
    static func detached() throws -> DetachedSession {
        var machine = try resumable()
        for n in 1...4 { try write(n, on: &machine) }
        for _ in 0..<2 { _ = machine.received(element: T.chat, bytesFollowing: 0, now: S.at(5)) }
        let actions = machine.channelInactive()
        guard let session = carriedOver(actions) ?? nil else { throw SM.Unexpected(description: "not carried over: \(actions)") }
        return session
    }

    /// Writes message `n` at `n` s, awaited or not as ``isAwaited(_:)`` says.
    static func write(_ n: Int, on machine: inout SessionStateMachine) throws {
        if isAwaited(n) {
            _ = try machine.sendAcknowledged(stanza: S.message(n), now: S.at(n))
        } else {
            _ = try machine.send(stanza: S.message(n), now: S.at(n))
        }
    }

    /// A machine for the next connection, authenticated and waiting for the
    /// features of the restarted stream.
    static func reconnected(_ session: DetachedSession, liveness: LivenessMonitor.Configuration? = nil) -> SessionStateMachine {
        T.authenticatedAwaitingFeatures(configuration(resuming: session, liveness: liveness))
    }

    /// `reconnected`, with `<resume/>` written at 20 s.
    static func resuming(_ session: DetachedSession, liveness: LivenessMonitor.Configuration? = nil) -> SessionStateMachine {
        var machine = reconnected(session, liveness: liveness)
        _ = machine.received(element: features(), bytesFollowing: 0, now: S.at(20))
        return machine
    }

    // MARK: Reading actions
    //
    // `Action`'s `==` (in SessionTestSupport) knows no `.carryOver`
    // (`DetachedSession` is not equatable): these take them apart.

    /// The payload of the one `.carryOver` in `actions`: `nil` when there is
    /// none, `.some(nil)` for `.carryOver(nil)`.
    static func carriedOver(_ actions: [SessionStateMachine.Action]) -> DetachedSession?? {
        let payloads = actions.compactMap { action -> DetachedSession?? in
            if case .carryOver(let session) = action { return .some(session) }
            return nil
        }
        #expect(payloads.count <= 1, "at most one carry-over per batch: \(actions)")
        return payloads.first
    }

    /// Whether `actions` forget the kept session: one `.carryOver(nil)`.
    static func forgets(_ actions: [SessionStateMachine.Action]) -> Bool {
        guard case .some(.none) = carriedOver(actions) else { return false }
        return true
    }

    /// Where the `.carryOver` is in `actions`.
    static func carryOverIndex(_ actions: [SessionStateMachine.Action]) -> Int? {
        actions.firstIndex { if case .carryOver = $0 { true } else { false } }
    }

    /// `actions` without `.carryOver`, for comparing with `==`.
    static func others(_ actions: [SessionStateMachine.Action]) -> [SessionStateMachine.Action] {
        actions.filter { if case .carryOver = $0 { false } else { true } }
    }

    /// The stanzas reported as not acknowledged, and with what.
    static func reported(_ actions: [SessionStateMachine.Action]) -> [(stanzas: [TrackedStanza<OutboundStanzaToken>], error: XMPPClientError)] {
        actions.compactMap { if case .stanzasNotAcknowledged(let stanzas, let error) = $0 { (stanzas, error) } else { nil } }
    }

    /// The session `actions` announce, if any.
    static func established(_ actions: [SessionStateMachine.Action]) -> SessionStateMachine.EstablishedSession? {
        for case .established(let session) in actions { return session }
        return nil
    }

    // MARK: Detaching

    @Test(
        "The connection drops under a resumable session: it is carried over whole, and no stanza is reported",
        arguments: [LossKind.inactive, .reset, .tls])
    func detach(_ loss: LossKind) throws {
        var machine = T.binding(Self.configuration(), streamManagement: true)
        let bound = machine.received(element: T.bindResult(jid: "alice@example.com/r1"), bytesFollowing: 0, now: S.at(0))
        #expect(bound.writtenElements == [Self.enableResume])
        #expect(Self.enableResume == (try S.element("<enable xmlns='urn:xmpp:sm:3' resume='true'/>")))
        let enabled = machine.received(element: try S.element(Self.enabledXML), bytesFollowing: 0, now: S.at(0))
        let session = try #require(Self.established(enabled))
        #expect(session.resumable && session.streamManagementEnabled && !session.resumed)

        for n in 1...3 { try Self.write(n, on: &machine) }
        _ = machine.received(element: T.chat, bytesFollowing: 0, now: S.at(4))
        #expect(machine.received(element: S.ack(1), bytesFollowing: 0, now: S.at(5)) == [.stanzasAcknowledged([S.token(1)])])

        let actions = loss.apply(to: &machine)
        let carried = try #require(Self.carriedOver(actions) ?? nil)
        #expect(Self.reported(actions).isEmpty, "the waits go on: the next connection settles them")
        #expect(Self.others(actions) == loss.expectedOthers)
        #expect(Self.carryOverIndex(actions) == 1, "after the timer's cancellation, before the failure")

        #expect(carried.boundJID == (try Self.alice()))
        #expect(carried.lastOutboundToken == 3)
        #expect(carried.ledger.phase == .detached && carried.ledger.isConsistent)
        #expect(carried.ledger.resumableSession == Ledger.ResumableSession(id: "sm-1", maximumResumption: 300, location: nil))
        #expect(carried.ledger.stanzas == [Self.tracked(2, awaited: false, state: .sent), Self.tracked(3, awaited: true, state: .sent)])
        #expect(carried.ledger.sentCount == 3 && carried.ledger.acknowledgedCount == 1 && carried.ledger.handledCount == 1)
        #expect(carried.ledger.resumptionDeadline == S.at(5).advanced(by: .seconds(300)), "the window runs from the loss")
        #expect(machine.streamManagement.phase == .inactive && machine.streamManagement.stanzas.isEmpty, "given away, not kept twice")
        #expect(loss.apply(to: &machine).isEmpty, "closed: a second report changes nothing")
    }

    /// The ways a connection goes away underneath an established session.
    enum LossKind: Sendable, CustomTestStringConvertible {
        case inactive, reset, tls

        var testDescription: String {
            switch self {
            case .inactive: "channel inactive"
            case .reset: "connection reset"
            case .tls: "TLS failure"
            }
        }

        struct Reset: Error {}

        func apply(to machine: inout SessionStateMachine) -> [SessionStateMachine.Action] {
            switch self {
            case .inactive: machine.channelInactive()
            case .reset: machine.connectionFailed(Reset())
            case .tls: machine.tlsFailed(Reset())
            }
        }

        /// What the batch holds besides the carry-over: the ack-request
        /// timer of message 2 is cancelled, then the failure (and the close,
        /// which the handler asks for itself on a reported failure).
        var expectedOthers: [SessionStateMachine.Action] {
            switch self {
            case .inactive:
                [.cancelAckRequestTimer, .fail(SessionResumptionTests.lost)]
            case .reset:
                [.cancelAckRequestTimer, .fail(.connectionClosed(Reset(), detail: "the connection failed")), .closeConnection]
            case .tls:
                [.cancelAckRequestTimer, .fail(.tlsFailed(Reset(), detail: "TLS failed")), .closeConnection]
            }
        }
    }

    @Test("Silence (no <a/> within the probe timeout) is a lost connection: carried over, no </stream:stream> written")
    func silenceDetaches() throws {
        var machine = try Self.resumable(liveness: Self.ackDeadlineOnly)
        let sent = try machine.sendAcknowledged(stanza: S.message(1), now: S.at(1))
        #expect(sent.actions == [.writeElement(S.message(1)), .writeElement(S.request), .scheduleLivenessTimer(S.at(31))])
        let actions = machine.livenessTimerFired(at: S.at(31), now: S.at(31))
        #expect(actions.failure?.code == .peerUnresponsive)
        let carried = try #require(Self.carriedOver(actions) ?? nil)
        #expect(carried.ledger.stanzas.map(\.token) == [S.token(1)])
        #expect(Self.reported(actions).isEmpty)
        #expect(!actions.contains(.writeStreamClose), "a stream close would end the session on the server")
        #expect(actions.last == .closeConnection)
    }

    // MARK: Resumed

    @Test("After SASL: <resume previd h/> instead of bind; <resumed/> restores the old JID, completes, resends in order, then <r/>")
    func resumes() throws {
        let detached = try Self.detached()
        #expect(detached.ledger.stanzas.map(\.token.number) == [1, 2, 3, 4])
        var machine = Self.reconnected(detached)
        let opening = try #require(machine.deadline)
        let resume = machine.received(element: Self.features(), bytesFollowing: 0, now: S.at(20))
        let resumeDeadline = DeadlineID(.streamManagement, opening.sequence + 1)
        #expect(
            resume == [.writeElement(try Self.resumeXML("2")), .cancelDeadline(opening), .scheduleDeadline(resumeDeadline, .seconds(10))])
        #expect(!resume.writtenElements.contains(T.bindRequest()), "no new resource")
        #expect(throws: XMPPClientError.self) { try machine.send(stanza: S.message(9), now: S.at(20)) }

        let actions = machine.received(element: try Self.resumed("2"), bytesFollowing: 0, now: S.at(21))
        var session = SessionStateMachine.EstablishedSession(
            boundJID: try Self.alice(), features: StreamFeatures(Self.features()), authenticationMechanism: .plain)
        session.streamManagementEnabled = true
        session.resumed = true
        session.resumable = true
        #expect(
            Self.others(actions) == [
                .cancelDeadline(resumeDeadline), .established(session), .stanzasAcknowledged([S.token(1)]),
                .writeElement(S.message(3)), .writeElement(S.message(4)), .writeElement(S.request),
            ])
        #expect(Self.forgets(actions), "the kept session is forgotten")
        #expect(Self.carryOverIndex(actions) == 2, "right after the announcement, before the completions")
        #expect(Self.reported(actions).isEmpty)
        #expect(try machine.isEstablished && machine.isStreamManagementActive && machine.boundJID == Self.alice())
        #expect(machine.streamManagement.stanzas.map(\.token.number) == [3, 4])
        #expect(machine.streamManagement.stanzas.allSatisfy { $0.writtenAt == S.at(21) }, "resent now")

        // Tokens go on from the old session's; the counts are the old ones.
        let next = try machine.sendAcknowledged(stanza: S.message(5), now: S.at(22))
        #expect(next.token == S.token(5))
        #expect(next.actions == [.writeElement(S.message(5)), .writeElement(S.request)])
        #expect(machine.received(element: S.ack(5), bytesFollowing: 0) == [.stanzasAcknowledged([S.token(3), S.token(5)])])
        #expect(machine.streamManagement.stanzas.isEmpty)
    }

    @Test("Our h carries over: <resume h/> names what the old stream handled, and later <a/>s count on from it")
    func handledCountCarriesOver() throws {
        var machine = Self.resuming(try Self.detached())
        _ = machine.received(element: try Self.resumed("4"), bytesFollowing: 0, now: S.at(21))
        let request = try S.element("<r xmlns='urn:xmpp:sm:3'/>")
        #expect(machine.received(element: request, bytesFollowing: 0) == [.answerAckRequest(S.ack(2))])
        for _ in 0..<3 { #expect(machine.received(element: T.chat, bytesFollowing: 0, now: S.at(22)) == [.deliver(T.chat)]) }
        #expect(machine.received(element: request, bytesFollowing: 0) == [.answerAckRequest(S.ack(5))])
        #expect(Array(machine.closeRequested().prefix(2)) == [.writeElement(S.ack(5)), .writeStreamClose], "nothing waits: no <r/>")
    }

    @Test("Counts near 2^32 wrap across the resumption: <resume h/>, <resumed h/>, resends and later acks")
    func wrappingCounts() throws {
        let base = StanzaCount(UInt32.max - 2)
        let stanzas = (1...4).map { n in
            TrackedStanza(
                token: S.token(UInt64(n), awaited: Self.isAwaited(n)), stanza: .element(S.message(n)), state: .sent,
                sequenceNumber: base.advanced(by: UInt32(n)), writtenAt: S.at(n))
        }
        #expect(stanzas.map(\.sequenceNumber) == [StanzaCount(UInt32.max - 1), StanzaCount(UInt32.max), 0, 1])
        let ledger = try Ledger(
            restoring: Ledger.Snapshot(
                session: Ledger.ResumableSession(id: "sm-1", maximumResumption: nil, location: nil),
                sentCount: base.advanced(by: 4), acknowledgedCount: base, handledCount: base, stanzas: stanzas),
            configuration: Self.ledger)
        let detached = DetachedSession(ledger: ledger, boundJID: try Self.alice(), lastOutboundToken: 4)

        var machine = Self.reconnected(detached)
        let resume = machine.received(element: Self.features(), bytesFollowing: 0, now: S.at(20))
        #expect(resume.writtenElements == [try Self.resumeXML("4294967293")])

        // The server handled the two before the wrap.
        let actions = machine.received(element: try Self.resumed("4294967295"), bytesFollowing: 0, now: S.at(21))
        #expect(actions.contains(.stanzasAcknowledged([S.token(1)])))
        #expect(actions.writtenElements == [S.message(3), S.message(4), S.request])
        #expect(machine.streamManagement.stanzas.map(\.sequenceNumber) == [0, 1])

        for _ in 0..<5 { _ = machine.received(element: T.chat, bytesFollowing: 0, now: S.at(22)) }
        let request = try S.element("<r xmlns='urn:xmpp:sm:3'/>")
        #expect(machine.received(element: request, bytesFollowing: 0) == [.answerAckRequest(S.ack(2))], "2^32 − 3 + 5 wraps to 2")
        #expect(machine.received(element: S.ack(1), bytesFollowing: 0) == [.stanzasAcknowledged([S.token(3)])])
        #expect(try machine.send(stanza: S.message(5), now: S.at(23)).first == .writeElement(S.message(5)))
        #expect(machine.streamManagement.sentCount == 2)
        let tooHigh = machine.received(element: S.ack(3), bytesFollowing: 0)
        #expect(tooHigh.failure?.code == .streamManagementViolation, "h=3 is one past what was sent, even across the wrap")
    }

    @Test("The resumed session's <r/> starts the ack deadline like any other (liveness catches a silent server)")
    func resumedRequestHasDeadline() throws {
        var machine = Self.resuming(try Self.detached(), liveness: Self.ackDeadlineOnly)
        let actions = machine.received(element: try Self.resumed("2"), bytesFollowing: 0, now: S.at(21))
        #expect(Array(actions.suffix(2)) == [.writeElement(S.request), .scheduleLivenessTimer(S.at(51))])
        let silent = machine.livenessTimerFired(at: S.at(51), now: S.at(51))
        #expect(silent.failure?.code == .peerUnresponsive)
        let carried = try #require(Self.carriedOver(silent) ?? nil, "resumable again")
        #expect(carried.ledger.stanzas.map(\.token.number) == [3, 4])
    }

    // MARK: Violations

    @Test("<resumed/> naming another SM-ID (H88): stream error undefined-condition, every stanza reported, the session given up")
    func wrongPreviousID() throws {
        var machine = Self.resuming(try Self.detached())
        let deadline = try #require(machine.deadline)
        let actions = machine.received(element: try Self.resumed("2", previd: "sm-2"), bytesFollowing: 0, now: S.at(21))
        let streamError = try #require(StreamManagementError.previousIDMismatch.streamError)
        #expect(streamError.condition == .undefinedCondition)
        let error = XMPPClientError.streamManagementViolation(streamError, detail: "<resumed/> names another stream")
        let unknown = (1...4).map { Self.tracked($0, awaited: Self.isAwaited($0), state: .unknown) }
        #expect(
            Self.others(actions) == [
                .cancelDeadline(deadline), .writeElement(streamError.element), .writeStreamClose,
                .stanzasNotAcknowledged(unknown, error), .fail(error), .closeConnection,
            ])
        #expect(Self.forgets(actions))
        #expect(actions.failure?.sentCondition == .undefinedCondition)
        #expect(!machine.isEstablished)
    }

    @Test("<resumed h/> above what was sent: stream error with handled-count-too-high")
    func resumedCountTooHigh() throws {
        var machine = Self.resuming(try Self.detached())
        let actions = machine.received(element: try Self.resumed("5"), bytesFollowing: 0, now: S.at(21))
        let streamError = try #require(StreamManagementError.handledCountTooHigh(handled: 5, sent: 4).streamError)
        #expect(actions.writtenElements == [streamError.element])
        #expect(streamError.element.firstChild(named: "handled-count-too-high", namespace: "urn:xmpp:sm:3")?[attribute: "send-count"] == "4")
        #expect(actions.failure?.code == .streamManagementViolation)
        #expect(Self.reported(actions).map { $0.stanzas.count } == [4], "nothing was retired")
        #expect(Self.forgets(actions))
        #expect(actions.last == .closeConnection)
    }

    @Test("Anything but <resumed/> or <failed/> while <resume/> waits ends the session; the stanzas are reported")
    func unexpectedWhileResuming() throws {
        let cases: [(xml: String, code: XMPPClientError.Code)] = [
            (ScriptedServer.chat, .unexpectedElement),
            ("<iq type='result' id='bind-1'/>", .unexpectedElement),
            ("<custom xmlns='urn:example:nonza'/>", .unexpectedElement),
            ("<a xmlns='urn:xmpp:sm:3' h='0'/>", .streamManagementViolation),
            ("<r xmlns='urn:xmpp:sm:3'/>", .streamManagementViolation),
            (Self.enabledXML, .streamManagementViolation),
            ("<resumed xmlns='urn:xmpp:sm:3' previd='sm-1'/>", .streamManagementViolation),
        ]
        for (xml, code) in cases {
            var machine = Self.resuming(try Self.detached())
            let actions = machine.received(element: try S.element(xml), bytesFollowing: 0, now: S.at(21))
            #expect(actions.failure?.code == code, "\(xml)")
            #expect(actions.writtenElements.count == 1, "a stream error, nothing resent: \(xml)")
            #expect(actions.writtenElements.first?.name == XMLQualifiedName("error", namespace: XMLNamespace.streams), "\(xml)")
            #expect(Self.reported(actions).map { $0.stanzas.map(\.state) } == [[.unknown, .unknown, .unknown, .unknown]], "\(xml)")
            #expect(Self.forgets(actions), "\(xml)")
            #expect(actions.last == .closeConnection, "\(xml)")
        }
        var machine = Self.resuming(try Self.detached())
        let actions = machine.received(element: T.chat, bytesFollowing: 0, now: S.at(21))
        #expect(actions.writtenElements == [T.streamErrorElement(.unsupportedStanzaType)])
        #expect(Self.reported(actions).first?.error.code == .unexpectedElement)
    }

    // MARK: Refused

    @Test("<failed h='2'/> with 4 unacknowledged: 2 complete, 2 reported as resumptionRefused; then bind, <enable resume/>, and the refusal")
    func refusedWithCount() throws {
        var machine = Self.resuming(try Self.detached())
        let resumeDeadline = try #require(machine.deadline)
        let failed = try S.element(
            "<failed xmlns='urn:xmpp:sm:3' h='2'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>")
        let actions = machine.received(element: failed, bytesFollowing: 0, now: S.at(21))
        let refusal = XMPPClientError.resumptionRefused(.itemNotFound)
        let bindDeadline = DeadlineID(.resourceBinding, resumeDeadline.sequence + 1)
        #expect(
            Self.others(actions) == [
                .stanzasAcknowledged([S.token(1)]),
                .stanzasNotAcknowledged([Self.tracked(3, awaited: true, state: .unknown), Self.tracked(4, awaited: false, state: .unknown)], refusal),
                .writeElement(T.bindRequest()), .cancelDeadline(resumeDeadline), .scheduleDeadline(bindDeadline, .seconds(10)),
            ])
        #expect(Self.carryOverIndex(actions) == 2, "forgotten once its stanzas are settled, before binding")
        #expect(Self.forgets(actions))
        #expect(!actions.writtenElements.contains(S.message(3)), "never resent blindly")

        let bound = machine.received(element: T.bindResult(jid: "alice@example.com/r2"), bytesFollowing: 0, now: S.at(22))
        #expect(bound.writtenElements == [Self.enableResume], "a new session, resumable again")
        let enabled = machine.received(element: try S.element(Self.enabledXML), bytesFollowing: 0, now: S.at(22))
        let session = try #require(Self.established(enabled))
        #expect(session.boundJID == (try Self.alice("r2")))
        #expect(!session.resumed && session.resumable && session.streamManagementEnabled)
        #expect(session.resumptionFailure == .refused(.itemNotFound))
        #expect(session.resumptionFailure?.error.code == .resumptionRefused)
        let next = try machine.sendAcknowledged(stanza: S.message(5), now: S.at(23))
        #expect(next.token == S.token(5), "tokens stay unique across connections")
        #expect(machine.streamManagement.sentCount == 1, "the new session counts from zero")
    }

    @Test("<failed/> without h: every stanza is unknown (H94), nothing completes")
    func refusedWithoutCount() throws {
        var machine = Self.resuming(try Self.detached())
        let actions = machine.received(element: try S.element("<failed xmlns='urn:xmpp:sm:3'/>"), bytesFollowing: 0, now: S.at(21))
        #expect(!actions.contains { if case .stanzasAcknowledged = $0 { true } else { false } })
        let unknown = (1...4).map { Self.tracked($0, awaited: Self.isAwaited($0), state: .unknown) }
        #expect(Array(Self.others(actions).prefix(2)) == [.stanzasNotAcknowledged(unknown, .resumptionRefused(nil)), .writeElement(T.bindRequest())])
        #expect(Self.forgets(actions))
        _ = machine.received(element: T.bindResult(jid: "alice@example.com/r2"), bytesFollowing: 0, now: S.at(22))
        let enabled = machine.received(element: try S.element(Self.enabledXML), bytesFollowing: 0, now: S.at(22))
        #expect(Self.established(enabled)?.resumptionFailure == .refused(nil))
    }

    @Test("<failed h/> above what was sent: a violation, the stanzas reported as not acknowledged")
    func refusedCountTooHigh() throws {
        var machine = Self.resuming(try Self.detached())
        let actions = machine.received(element: try S.element("<failed xmlns='urn:xmpp:sm:3' h='9'/>"), bytesFollowing: 0, now: S.at(21))
        #expect(actions.failure?.code == .streamManagementViolation)
        #expect(Self.reported(actions).map { $0.stanzas.count } == [4])
        #expect(!actions.writtenElements.contains(T.bindRequest()))
    }

    @Test("No stream management on the new stream: the stanzas are reported as featureNotSupported, a resource is bound at once")
    func notOffered() throws {
        var machine = Self.reconnected(try Self.detached())
        let opening = try #require(machine.deadline)
        let actions = machine.received(element: Self.features(streamManagement: false), bytesFollowing: 0, now: S.at(20))
        let error = XMPPClientError.featureNotSupported("stream management (XEP-0198) on the new stream")
        let unknown = (1...4).map { Self.tracked($0, awaited: Self.isAwaited($0), state: .unknown) }
        #expect(
            Self.others(actions) == [
                .stanzasNotAcknowledged(unknown, error), .writeElement(T.bindRequest()), .cancelDeadline(opening),
                .scheduleDeadline(DeadlineID(.resourceBinding, opening.sequence + 1), .seconds(10)),
            ])
        #expect(Self.carryOverIndex(actions) == 1)
        #expect(Self.forgets(actions))
        let bound = machine.received(element: T.bindResult(jid: "alice@example.com/r2"), bytesFollowing: 0, now: S.at(21))
        #expect(bound.writtenElements.isEmpty, "nothing to enable")
        let session = try #require(Self.established(bound))
        #expect(session.resumptionFailure == .notOffered && !session.resumed && !session.streamManagementEnabled)
        #expect(session.resumptionFailure?.error.code == .featureNotSupported)
    }

    // MARK: Lost again

    @Test("The connection lost while <resume/> waits (H103): the same session is carried over again, and the next attempt resumes it")
    func lostWhileResuming() throws {
        let detached = try Self.detached()
        var machine = Self.resuming(detached)
        let deadline = try #require(machine.deadline)
        let actions = machine.channelInactive()
        #expect(Self.others(actions) == [.cancelDeadline(deadline), .fail(Self.lostNegotiating)])
        #expect(Self.carryOverIndex(actions) == 1)
        let again = try #require(Self.carriedOver(actions) ?? nil)
        #expect(again.ledger.phase == .detached)
        #expect(again.ledger.snapshot == detached.ledger.snapshot, "unchanged: the server never answered")
        #expect(again.ledger.resumptionDeadline == detached.ledger.resumptionDeadline, "the window still runs from the first loss")
        #expect(again.boundJID == detached.boundJID && again.lastOutboundToken == detached.lastOutboundToken)

        var third = Self.resuming(again)
        let resumed = third.received(element: try Self.resumed("3"), bytesFollowing: 0, now: S.at(40))
        #expect(Self.established(resumed)?.resumed == true)
        #expect(resumed.contains(.stanzasAcknowledged([S.token(1), S.token(3)])))
        #expect(resumed.writtenElements == [S.message(4), S.request])
    }

    @Test("A stream error before <resume/> was written leaves the session to resume untouched: nothing reported or dropped")
    func streamErrorBeforeResuming() throws {
        let detached = try Self.detached()
        var authenticating = T.authenticating(Self.configuration(resuming: detached))
        let actions = authenticating.received(element: T.streamError(.systemShutdown), bytesFollowing: 0, now: S.at(30))
        #expect(actions.failure?.code == .streamError)
        #expect(Self.reported(actions).isEmpty, "its stanzas are not given up")
        #expect(Self.carriedOver(actions) == nil, "the continuity keeps the session as it was: no carry-over either way")
    }

    @Test("Lost during SASL on the new connection, or <resume/> unanswered in time: still carried over")
    func lostBeforeResuming() throws {
        let detached = try Self.detached()
        var authenticating = T.authenticating(Self.configuration(resuming: detached))
        let beforeSASL = authenticating.connectionFailed(LossKind.Reset())
        let kept = try #require(Self.carriedOver(beforeSASL) ?? nil)
        #expect(kept.ledger.snapshot == detached.ledger.snapshot && Self.reported(beforeSASL).isEmpty)

        var machine = Self.resuming(detached)
        let deadline = try #require(machine.deadline)
        let timedOut = machine.deadlineFired(deadline)
        #expect(timedOut.failure?.code == .timeout && timedOut.failure?.step == .streamManagement)
        let carried = try #require(Self.carriedOver(timedOut) ?? nil)
        #expect(carried.ledger.snapshot == detached.ledger.snapshot && Self.reported(timedOut).isEmpty)
    }

    @Test("A resumed session that loses its connection is carried over again, with the counts it reached")
    func resumedThenLost() throws {
        var machine = Self.resuming(try Self.detached())
        _ = machine.received(element: try Self.resumed("2"), bytesFollowing: 0, now: S.at(21))
        _ = machine.received(element: T.chat, bytesFollowing: 0, now: S.at(22))
        let actions = machine.channelInactive()
        let carried = try #require(Self.carriedOver(actions) ?? nil)
        #expect(carried.ledger.stanzas.map(\.token.number) == [3, 4] && carried.ledger.handledCount == 3)
        #expect(try carried.boundJID == Self.alice() && carried.lastOutboundToken == 4)
        #expect(Self.reported(actions).isEmpty)
    }

    // MARK: Ends that are not losses

    @Test("A clean close of a resumable session is not carried over: the stanzas are reported")
    func cleanClose() throws {
        var machine = try Self.resumable()
        _ = try machine.sendAcknowledged(stanza: S.message(1), now: S.at(1))
        let closing = machine.closeRequested()
        #expect(Array(closing.prefix(3)) == [.writeElement(S.ack(0)), .writeElement(S.request), .writeStreamClose])
        let deadline = try #require(machine.deadline)
        let ended = machine.receivedStreamEnd()
        #expect(
            ended == [
                .cancelDeadline(deadline),
                .stanzasNotAcknowledged([Self.tracked(1, awaited: true, state: .unknown)], SessionStateMachine.closedError),
                .closeConnection,
            ])

        var dropped = try Self.resumable()
        _ = try dropped.sendAcknowledged(stanza: S.message(1), now: S.at(1))
        _ = dropped.closeRequested()
        let inactive = dropped.channelInactive()
        #expect(Self.carriedOver(inactive) == nil, "the connection went while we were closing: still our close")
        #expect(Self.reported(inactive).first?.stanzas.count == 1)
    }

    @Test("The server ends a resumable session (a stream error, or its </stream:stream>): not carried over, the stanzas reported")
    func serverEnds() throws {
        var errored = try Self.resumable()
        _ = try errored.sendAcknowledged(stanza: S.message(1), now: S.at(1))
        let actions = errored.received(element: T.streamError(.systemShutdown), bytesFollowing: 0, now: S.at(2))
        #expect(actions.failure?.code == .streamError)
        #expect(Self.carriedOver(actions) == nil)
        #expect(Self.reported(actions).first?.error.code == .streamError)

        var closed = try Self.resumable()
        _ = try closed.sendAcknowledged(stanza: S.message(1), now: S.at(1))
        let ended = closed.receivedStreamEnd()
        #expect(ended.failure?.code == .streamClosedByPeer)
        #expect(Self.carriedOver(ended) == nil)
        #expect(Self.reported(ended).first?.stanzas.map(\.token) == [S.token(1)])
    }

    @Test("A scoped connection (requestsResumption: false) never carries a session over, even if the server offers resumption")
    func scopedNeverCarriesOver() throws {
        for loss in [LossKind.inactive, .reset, .tls] {
            var machine = S.enabling()
            #expect(S.enable[attribute: "resume"] == nil)
            let enabled = machine.received(element: try S.element(Self.enabledXML), bytesFollowing: 0, now: S.at(0))
            #expect(Self.established(enabled)?.resumable == false, "not asked for: ignored")
            _ = try machine.sendAcknowledged(stanza: S.message(1), now: S.at(1))
            let actions = loss.apply(to: &machine)
            #expect(Self.carriedOver(actions) == nil, "\(loss)")
            #expect(Self.reported(actions).first?.stanzas.map(\.token) == [S.token(1)], "\(loss)")
        }
        var negotiating = T.binding(S.configuration(), streamManagement: true)
        #expect(Self.carriedOver(negotiating.channelInactive()) == nil)
    }
}
