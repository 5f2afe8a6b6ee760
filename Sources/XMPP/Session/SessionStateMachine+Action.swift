import XMPPCore

extension SessionStateMachine {
    /// Every side effect the machine can ask for. The channel handler carries
    /// them out, in order, in one `run(_:)`.
    ///
    /// Cases with large or rare payloads are `indirect` (boxed), so that an
    /// action is a few words: the common ones (`deliver`, `writeElement`)
    /// are made, copied and destroyed for every stanza, and an inline IQ or
    /// error made every action hundreds of bytes.
    enum Action: Sendable {
        /// Write this stream header (with the XML declaration).
        indirect case writeStreamHeader(XMLStreamHeader)
        /// Write this top-level element.
        case writeElement(XMLElement)
        /// Write this `<a h/>` answering the server's `<r/>`, after the
        /// stanzas written before the next flush: where it sits among our
        /// own stanzas means nothing to the server (`h` counts what we
        /// received), and behind them the server routes them first. Any
        /// other write, and the flush, put it on the wire in order with
        /// the machine's other elements.
        case answerAckRequest(XMLElement)
        /// Write `</stream:stream>`.
        case writeStreamClose
        /// Put a TLS handler at the front of the pipeline (STARTTLS), which
        /// starts the handshake; report ``SessionStateMachine/tlsEstablished(channelBindings:)``
        /// or ``SessionStateMachine/tlsFailed(_:)``.
        case addTLSHandler
        /// Reset the XML reader for a new stream (after TLS, after SASL).
        case resetReader
        /// Call ``SessionStateMachine/deadlineFired(_:)`` with this id after
        /// this long, unless cancelled first.
        indirect case scheduleDeadline(DeadlineID, Duration)
        /// Cancel a scheduled deadline.
        indirect case cancelDeadline(DeadlineID)
        /// Negotiation is done: the session is ready for stanzas.
        indirect case established(EstablishedSession)
        /// Hand this element (a stanza or another top-level element) to the
        /// application.
        case deliver(XMLElement)
        /// The server redirected this connection attempt; connect there,
        /// with the same TLS configuration and the same verification name
        /// (the JID's domain). The stream has been closed.
        indirect case followSeeOtherHost(host: String, port: Int?)
        /// Close the connection (after the writes before this action).
        case closeConnection
        /// The connection attempt or the session failed with this error.
        indirect case fail(XMPPClientError)
        /// Complete the IQ request waiting under this id.
        indirect case completeRequest(String, RequestOutcome)
        /// Run the application's handler for this inbound `get` or `set`
        /// and send the answer it makes (``IQRequestHandler/reply(to:)``).
        indirect case handleRequest(IQ, IQRequestHandler)
        /// Call ``SessionStateMachine/requestTimerFired(at:)`` with this
        /// instant once it is reached; replaces the request timer scheduled
        /// before, if any.
        case scheduleRequestTimer(MonotonicInstant)
        /// Cancel the request timer.
        case cancelRequestTimer
        /// This element reaches neither the application nor a request; log
        /// why (at `debug`). An answer the protocol requires, if any, is in
        /// a `writeElement` of the same batch.
        indirect case dropped(XMLElement, DropReason)
        /// In-band registration waits for the application's answer to this
        /// form: hand it over; the answer comes back through
        /// ``SessionStateMachine/submitRegistration(_:)``. No deadline runs
        /// meanwhile.
        indirect case registrationFormReceived(RegistrationForm)
        /// The account was created. When the session continues, SASL
        /// follows on the same stream; otherwise the stream is closing.
        case accountRegistered(sessionContinues: Bool)
        /// The server's XEP-0198 `<a h/>` covered these stanzas, sent with
        /// ``OutboundStanzaToken/isAwaited`` set: complete their waits.
        case stanzasAcknowledged([OutboundStanzaToken])
        /// The session ended (or stream management gave up) while these
        /// stanzas waited for an acknowledgement: fail the awaited ones with
        /// ``XMPPClientError/Code/notAcknowledged`` carrying the error, and
        /// log the others (at `debug`), so none is forgotten silently.
        indirect case stanzasNotAcknowledged([TrackedStanza<OutboundStanzaToken>], XMPPClientError)
        /// Call ``SessionStateMachine/ackRequestTimerFired(at:now:)`` with
        /// this instant once it is reached; replaces the ack-request timer
        /// scheduled before, if any.
        case scheduleAckRequestTimer(MonotonicInstant)
        /// Cancel the ack-request timer.
        case cancelAckRequestTimer
        /// Write a single space between top-level elements: a whitespace
        /// keepalive (RFC 6120 §4.6.1).
        case writeWhitespace
        /// Call ``SessionStateMachine/livenessTimerFired(at:now:)`` with this
        /// instant once it is reached; replaces the liveness timer scheduled
        /// before, if any.
        case scheduleLivenessTimer(MonotonicInstant)
        /// Keep this detached XEP-0198 session for the next connection to
        /// resume (the connection was lost while the session was
        /// resumable), or, with `nil`, forget the one kept (it was resumed,
        /// refused or given up). The waits for acknowledgements of its
        /// stanzas go on.
        indirect case carryOver(DetachedSession?)

        /// Whether this action writes a top-level element (which stream
        /// management may have to track).
        var isElementWrite: Bool {
            if case .writeElement = self { return true }
            return false
        }
    }

    /// How an IQ request ended.
    enum RequestOutcome: Sendable {
        /// Its `result` arrived.
        case response(IQ)
        /// It failed: an `error` answer, a timeout, the session's end, or a
        /// request that could not be written.
        case failed(XMPPClientError)
        /// The caller's task was cancelled.
        case cancelled
    }

    /// Why an element was dropped.
    enum DropReason: Hashable, Sendable, CustomStringConvertible {
        /// An IQ response whose id is pending, from an address the request
        /// did not go to (spoofed or misrouted); the request keeps waiting.
        case unexpectedOrigin
        /// An IQ response to one of our requests that already ended
        /// (timed out or cancelled).
        case lateResponse
        /// An IQ that does not parse; a `get` or `set` is answered with an
        /// error.
        case malformed(StanzaParseError)
        /// A `get` or `set` that no handler takes; answered with
        /// `service-unavailable`.
        case unhandledRequest
        /// A `get` or `set` that arrived after our stream close, when no
        /// answer can be sent any more.
        case sessionClosing
        /// An IQ response during negotiation that answers no request in
        /// flight (another `id`, or nothing asked at that moment).
        case unexpectedResponse
        /// A XEP-0198 `<a h/>` whose `h` is behind the last one: ignored
        /// (acknowledgements never go backwards).
        case staleAcknowledgement
        /// A stanza the session would have written itself (an IQ error
        /// answer) while the unacknowledged queue was full; writing it
        /// uncounted would break the XEP-0198 counts.
        case unacknowledgedLimitReached
        /// A XEP-0198 element after our `</stream:stream>`, when nothing can
        /// be answered any more.
        case streamManagementWhileClosing

        /// For logs, for example `"unexpected origin"`.
        var description: String {
            switch self {
            case .unexpectedOrigin: "unexpected origin"
            case .lateResponse: "late response"
            case .malformed(let error): "malformed (\(error))"
            case .unhandledRequest: "no handler"
            case .sessionClosing: "session closing"
            case .unexpectedResponse: "unexpected response"
            case .staleAcknowledgement: "stale acknowledgement"
            case .unacknowledgedLimitReached: "unacknowledged limit reached"
            case .streamManagementWhileClosing: "stream management while closing"
            }
        }
    }

    /// Names one scheduled deadline: the step it guards and a number that
    /// is never reused, so a deadline that fires after it was replaced is
    /// recognised as stale and ignored.
    struct DeadlineID: Hashable, Sendable, CustomStringConvertible {
        /// The step the deadline guards.
        var step: XMPPClientError.Step
        /// Counts up from 1 per machine.
        var sequence: Int

        /// Creates an id.
        init(_ step: XMPPClientError.Step, _ sequence: Int) {
            self.step = step
            self.sequence = sequence
        }

        /// For example `"resource binding #4"`.
        var description: String { "\(step) #\(sequence)" }
    }

    /// What a finished negotiation produced.
    struct EstablishedSession: Hashable, Sendable {
        /// The full JID the server bound.
        var boundJID: FullJID
        /// The features of the final (authenticated) stream.
        var features: StreamFeatures
        /// The SASL mechanism that authenticated the session.
        var authenticationMechanism: SASLMechanismName
        /// Whether the server enabled XEP-0198 acknowledgements.
        var streamManagementEnabled = false
        /// Whether the session was resumed (`<resumed/>`) rather than
        /// started anew: nothing was lost in between, and presence, roster
        /// and the like carry on as they were.
        var resumed = false
        /// Whether the next lost connection can be resumed: the server
        /// enabled resumption with a usable SM-ID.
        var resumable = false
        /// Why a session to resume was not resumed; `nil` when none was to
        /// be resumed, or it was.
        var resumptionFailure: ResumptionFailure?
    }

    /// Why a detached session was not resumed on a new connection.
    enum ResumptionFailure: Hashable, Sendable {
        /// The server answered `<failed/>`, with this reason if it gave one.
        case refused(StanzaError.Condition?)
        /// The new stream offered no stream management.
        case notOffered

        /// The error reported for the stanzas that were not known to be
        /// delivered, and with the new session.
        var error: XMPPClientError {
            switch self {
            case .refused(let condition): .resumptionRefused(condition)
            case .notOffered: .featureNotSupported("stream management (XEP-0198) on the new stream")
            }
        }
    }

    /// How the connection is secured when the machine starts.
    enum Transport: Sendable {
        /// Plain TCP: STARTTLS is required.
        case plain
        /// Direct TLS (XEP-0368), with what it can bind to.
        case tls(SASLTransportSecurity)
    }
}
