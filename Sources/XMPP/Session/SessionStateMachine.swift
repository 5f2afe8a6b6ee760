import XMPPCore

/// The client side of an XMPP session (RFC 6120 §4–§7) as a pure state
/// machine: inputs in, actions out, no I/O, no clocks, no NIO.
///
/// One `mutating func` per input (bytes parsed into a stream header or an
/// element, TLS done or failed, a deadline fired, the channel closed, the
/// user asked to close or to send); each returns the ``Action``s to carry
/// out, in order. `XMPPChannelHandler` runs them. The sub-protocols live in
/// their own types: ``StreamOpening``, ``StreamFeatures``,
/// ``StartTLSNegotiation``, `SASLNegotiation`, ``ResourceBinding``,
/// ``SessionEstablishment``, ``StreamClosing``, ``RegistrationNegotiation``.
///
/// The path: open the stream → features → STARTTLS (required on a plain
/// connection; skipped on direct TLS) → restart → SASL → restart → bind →
/// the RFC 3921 session when the server requires it → established. When
/// asked to, the machine registers the account in-band (XEP-0077) on the
/// secured stream before SASL, then closes or goes on to log in (see
/// `SessionStateMachine+Registration`). Every
/// waiting step has a deadline, handed out as an action and fired back in
/// as an input; time never enters the machine any other way. Once
/// established, the machine also matches IQ responses to the requests in
/// flight (``PendingIQLedger``) and routes inbound IQ requests to the
/// application's handlers (``IQRequestRoutes``); see `SessionStateMachine+IQ`.
/// When configured and offered, XEP-0198 acknowledgements are enabled after
/// binding, before the session counts as established, and every stanza in
/// either direction is counted (``StreamManagementLedger``); see
/// `SessionStateMachine+StreamManagement`.
struct SessionStateMachine: Sendable {
    /// What the machine needs to know about the account and its limits.
    struct Configuration: Sendable {
        /// The account; its domain is where the stream goes.
        var jid: BareJID
        /// The resource to ask for, or `nil` for a server-assigned one.
        var requestedResource: String?
        /// Credentials and the allowed SASL mechanisms.
        var sasl: SASLConfiguration
        /// The deadline of each step.
        var timeouts: XMPPConnection.Configuration.Timeouts
        /// How many `see-other-host` redirects a connection attempt follows.
        var maximumRedirects: Int
        /// Starts the id of every IQ request the session sends; random per
        /// connection unless a test fixes it.
        var requestIdentifierPrefix: String = PendingIQLedger.randomIdentifierPrefix()
        /// Whether to register the account in-band before authenticating,
        /// and what to do afterwards; `nil` to log in only.
        var registration: RegistrationPlan?
        /// XEP-0198 acknowledgements when the server offers them; `nil`
        /// leaves stream management alone (its elements are delivered like
        /// any other).
        var streamManagement: StreamManagementConfiguration?
        /// Keepalives, silence probes and the ack deadline once established
        /// (`SessionStateMachine+Liveness`); `nil`, the default here, runs
        /// none (the public configuration turns them on).
        var liveness: LivenessMonitor.Configuration?
        /// A XEP-0198 session to resume after authenticating, instead of
        /// binding a new resource; `nil` to start a new session.
        var resumption: DetachedSession?
    }

    enum State: Sendable {
        case idle
        case awaitingStreamHeader
        case awaitingFeatures
        case startTLS(StartTLSNegotiation)
        case registering(RegistrationNegotiation, features: StreamFeatures)
        case authenticating(SASLNegotiation)
        case binding(ResourceBinding, features: StreamFeatures)
        case establishingSession(SessionEstablishment, boundJID: FullJID, features: StreamFeatures)
        /// `<enable/>` written after binding; waiting for `<enabled/>` or
        /// `<failed/>`. Stanzas are routed as once established.
        case enablingStreamManagement(EstablishedSession)
        /// `<resume/>` written after authenticating (instead of binding);
        /// waiting for `<resumed/>` or `<failed/>`.
        case resumingStreamManagement(features: StreamFeatures)
        case established(EstablishedSession)
        case closing(StreamClosing)
        case closed
    }

    let configuration: Configuration
    /// How many redirects led to this connection.
    let redirectsSoFar: Int
    var state: State = .idle
    /// `nil` until TLS is up.
    var security: SASLTransportSecurity?
    var isAuthenticated = false
    /// Whether this connection registered the account (XEP-0077).
    var accountRegistered = false
    /// The deadline currently scheduled, if any.
    var deadline: DeadlineID?
    private var deadlineSequence = 0
    /// The SASL mechanism chosen for this session, once SASL started.
    var authenticationMechanism: SASLMechanismName?
    /// The IQ requests in flight, once established.
    var requests: PendingIQLedger
    /// The application's handlers for inbound IQ requests.
    var requestHandlers = IQRequestRoutes()
    /// The full JID the server bound, once established.
    var boundJID: FullJID?
    /// XEP-0198 counts and the stanzas waiting for an acknowledgement;
    /// inactive unless stream management was enabled.
    var streamManagement: StreamManagementLedger<OutboundStanzaToken>
    /// The instant the ack-request timer is scheduled for, if it is.
    var ackRequestTimer: MonotonicInstant?
    /// The number of the last ``OutboundStanzaToken`` handed out.
    var lastOutboundToken: UInt64 = 0
    /// The latest instant an input carried: the send time of stanzas the
    /// machine writes in answer to an input that carries none.
    var latestInstant = MonotonicInstant(nanoseconds: 0)
    /// Why the session to resume (``Configuration/resumption``) was not
    /// resumed, once that is settled; reported with the new session.
    var resumptionFailure: ResumptionFailure?
    /// Keepalives, silence probes and the ack deadline; idle until the
    /// session is established (`SessionStateMachine+Liveness`).
    var liveness = LivenessMonitor(configuration: nil)

    /// Creates a machine for one connection.
    /// - Parameters:
    ///   - configuration: The account and its limits.
    ///   - redirectsSoFar: How many `see-other-host` redirects led to this
    ///     connection; past ``Configuration/maximumRedirects`` another one
    ///     fails instead of being followed.
    init(configuration: Configuration, redirectsSoFar: Int = 0) {
        self.configuration = configuration
        self.redirectsSoFar = redirectsSoFar
        self.requests = PendingIQLedger(identifierPrefix: configuration.requestIdentifierPrefix)
        if let resumption = configuration.resumption {
            self.streamManagement = resumption.ledger
            self.lastOutboundToken = resumption.lastOutboundToken
        } else {
            self.streamManagement = StreamManagementLedger(
                configuration: configuration.streamManagement ?? StreamManagementConfiguration(requestsResumption: false))
        }
    }

    /// Whether the session is established (and not yet closing).
    var isEstablished: Bool {
        if case .established = state { return true }
        return false
    }

    // MARK: Inputs

    /// The connection is up: open the stream.
    /// - Parameter transport: Whether TLS is already up (direct TLS).
    mutating func start(transport: Transport) -> [Action] {
        guard case .idle = state else { return [] }
        if case .tls(let security) = transport { self.security = security }
        return openStream(resettingReader: false)
    }

    /// The server's stream header arrived.
    mutating func receivedStreamHeader(_ header: XMLStreamHeader) -> [Action] {
        switch state {
        case .awaitingStreamHeader:
            if let problem = StreamOpening.check(header, domain: configuration.jid) {
                return fail(.invalidStreamHeader(problem.condition, detail: problem.detail), sending: problem.condition)
            }
            state = .awaitingFeatures
            return []
        case .idle, .closing, .closed:
            return []
        default:
            // The reader produces a header only after a reset, and the
            // machine resets it only when it opens a stream.
            return failUnexpected(header.name)
        }
    }

    /// A top-level element arrived.
    /// - Parameters:
    ///   - element: The element.
    ///   - bytesFollowing: How many bytes of the same read came after it
    ///     (positive when more events followed in that read). After
    ///     `<proceed/>` and SASL `<success/>` anything here is an attack.
    ///   - now: The current instant, for the stanzas written in answer;
    ///     `nil` keeps the latest one known.
    mutating func received(element: XMLElement, bytesFollowing: Int, now: MonotonicInstant? = nil) -> [Action] {
        if let now { advanceClock(to: now) }
        // Known names are index tests on a parsed element: this runs for
        // every element the server sends.
        let known = element.knownName
        if known == .streamError {
            return receivedStreamError(element)
        }
        switch state {
        case .idle, .closed:
            return []
        case .awaitingStreamHeader:
            return failUnexpected(element.name)
        case .awaitingFeatures:
            guard element.name == StreamFeatures.elementName else { return failUnexpected(element.name) }
            return receivedFeatures(StreamFeatures(element))
        case .startTLS(var negotiation):
            let outcome = negotiation.received(element, bytesFollowing: bytesFollowing)
            state = .startTLS(negotiation)
            return startTLSOutcome(outcome, element: element)
        case .registering(let negotiation, let features):
            return receivedDuringRegistration(element, negotiation: negotiation, features: features)
        case .authenticating(var negotiation):
            guard element.name.namespace == XMLNamespace.sasl else { return failUnexpected(element.name) }
            let action = negotiation.received(element)
            state = .authenticating(negotiation)
            return saslAction(action, bytesFollowing: bytesFollowing)
        case .binding(var binding, let features):
            let outcome = binding.received(element)
            state = .binding(binding, features: features)
            return bindingOutcome(outcome, element: element, features: features)
        case .establishingSession(let session, let boundJID, let features):
            switch session.received(element) {
            case .established: return establish(boundJID, features: features)
            case .failed(let error): return fail(.sessionFailed(error))
            case .unexpected: return failUnexpected(element.name)
            }
        case .resumingStreamManagement(let features):
            return receivedWhileResuming(element, features: features)
        case .enablingStreamManagement, .established:
            // Messages and presences: the same decision the handler asks
            // for directly, made in one place.
            if let deliverable = receivedDeliverable(element) {
                return [.deliver(element)] + deliverable.actions
            }
            if handlesStreamManagement, known?.isClientStanza != true, StreamManagementElement.isStreamManagement(element) {
                return receivedStreamManagement(element)
            }
            let answer = countInbound(element)
            return trackingWrites(receivedStanza(element, canAnswer: true)) + answer
        case .closing(let closing):
            guard closing.deliversElements else { return [] }
            if handlesStreamManagement, StreamManagementElement.isStreamManagement(element) {
                return receivedStreamManagementWhileClosing(element)
            }
            // Counted for the closing <a h/>; no answer is written any more,
            // and the ack-request timer is left to the end of the session
            // (countInbound would move it in the machine alone).
            _ = streamManagement.inboundHandled(element)
            return receivedStanza(element, canAnswer: false)
        }
    }

    /// The TLS handshake after `<proceed/>` finished.
    /// - Parameter channelBindings: What the TLS layer can bind to, by type.
    mutating func tlsEstablished(channelBindings: [ChannelBindingType: [UInt8]]) -> [Action] {
        guard case .startTLS(let negotiation) = state, negotiation.phase == .handshaking else { return [] }
        security = SASLTransportSecurity(isEncrypted: true, channelBindings: channelBindings)
        return openStream(resettingReader: true)
    }

    /// TLS failed: the handshake, or a record later on. Nothing more can be
    /// written on the stream.
    mutating func tlsFailed(_ error: any Error) -> [Action] {
        switch state {
        case .idle, .closed: return []
        case .closing: return finishClosing()
        default: return fail(.tlsFailed(error, detail: "TLS failed"), closingStream: false)
        }
    }

    /// The connection failed below XMPP and TLS (for example a reset).
    mutating func connectionFailed(_ error: any Error) -> [Action] {
        switch state {
        case .idle, .closed: return []
        case .closing: return finishClosing()
        default: return fail(.connectionClosed(error, detail: "the connection failed"), closingStream: false)
        }
    }

    /// The XML reader refused the server's bytes: send the matching stream
    /// error and close.
    mutating func readerFailed(_ error: XMLStreamError) -> [Action] {
        switch state {
        case .idle, .closed: return []
        case .closing: return finishClosing()
        default: return fail(.xmlError(error), sending: error.condition)
        }
    }

    /// A deadline fired.
    mutating func deadlineFired(_ id: DeadlineID) -> [Action] {
        guard id == deadline else { return [] }
        deadline = nil
        switch state {
        case .idle, .closed, .established:
            return []
        case .closing:
            state = .closed
            return endStreamManagement(Self.closedError) + [.closeConnection]
        case .startTLS(let negotiation):
            // During the handshake nothing can be written in the clear.
            return fail(.timeout(id.step), closingStream: negotiation.phase == .awaitingProceed)
        default:
            return fail(.timeout(id.step))
        }
    }

    /// Throws unless the session is established.
    func checkEstablished() throws(XMPPClientError) {
        switch state {
        case .established: return
        case .closing, .closed: throw .connectionClosed(detail: "the session is closed")
        default: throw .connectionClosed(detail: "the session is not established")
        }
    }

    // MARK: Helpers shared by the facets

    /// Opens a (new) stream: reset the reader if asked, send the header,
    /// wait for the server's with a deadline.
    mutating func openStream(resettingReader: Bool) -> [Action] {
        var actions: [Action] = resettingReader ? [.resetReader] : []
        actions.append(.writeStreamHeader(StreamOpening.header(for: configuration.jid, isSecured: security != nil)))
        actions += moveDeadline(to: .streamOpening)
        state = .awaitingStreamHeader
        return actions
    }

    /// Cancels the current deadline, if any, and schedules one for `step`.
    mutating func moveDeadline(to step: XMPPClientError.Step) -> [Action] {
        var actions = cancelDeadline()
        deadlineSequence += 1
        let id = DeadlineID(step, deadlineSequence)
        deadline = id
        actions.append(.scheduleDeadline(id, configuration.timeouts.duration(of: step)))
        return actions
    }

    /// Cancels the current deadline, if any.
    mutating func cancelDeadline() -> [Action] {
        guard let deadline else { return [] }
        self.deadline = nil
        return [.cancelDeadline(deadline)]
    }

    /// Ends the connection with `error`: cancel the deadline, optionally send
    /// a stream error and `</stream:stream>`, report, close.
    /// - Parameters:
    ///   - error: What to report.
    ///   - closingStream: Whether the stream may still be written to (not
    ///     during a TLS handshake, not after an injection or TLS failure).
    ///   - condition: A stream error to send first, if any.
    ///   - streamError: A complete stream error to send first (instead of
    ///     `condition`), if any.
    mutating func fail(
        _ error: XMPPClientError,
        closingStream: Bool = true,
        sending condition: StreamError.Condition? = nil,
        streamError: StreamError? = nil
    ) -> [Action] {
        var actions = cancelDeadline()
        if closingStream {
            if let sent = streamError ?? condition.map({ StreamError($0) }) { actions.append(.writeElement(sent.element)) }
            actions.append(.writeStreamClose)
        }
        actions += failPendingRequests(error)
        actions += endStreamManagement(error, connectionLost: Self.isConnectionLoss(error))
        // The failure is reported before the close, so whoever waits learns
        // the reason before the channel reports that it went inactive.
        actions.append(.fail(error))
        actions.append(.closeConnection)
        state = .closed
        return actions
    }

    /// Fails on an element that does not belong at this point.
    mutating func failUnexpected(_ name: XMLQualifiedName, closingStream: Bool = true) -> [Action] {
        fail(.unexpectedElement(name), closingStream: closingStream, sending: closingStream ? .unsupportedStanzaType : nil)
    }
}
