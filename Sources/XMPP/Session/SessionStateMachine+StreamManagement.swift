import XMPPCore

/// The machine's handle on one outbound stanza that stream management
/// counts: handed to ``StreamManagementLedger`` as its token and back in
/// ``SessionStateMachine/Action/stanzasAcknowledged(_:)`` and
/// ``SessionStateMachine/Action/stanzasNotAcknowledged(_:_:)``.
struct OutboundStanzaToken: Hashable, Sendable, CustomStringConvertible {
    /// Counts up from 1 per machine; never reused.
    var number: UInt64
    /// Whether a caller waits for the acknowledgement
    /// (``XMPPConnection/sendAcknowledged(_:)-(XMLElement)``); only those
    /// are reported when acknowledged.
    var isAwaited: Bool

    /// For logs, for example `"#12"`.
    var description: String { "#\(number)" }
}

/// XEP-0198 acknowledgements on the established session, around the pure
/// ``StreamManagementLedger`` (acknowledgements only: this session never
/// resumes).
///
/// - **Enabling.** After binding, when configured and offered, `<enable/>`
///   is written and the session is announced once `<enabled/>` or
///   `<failed/>` answers it (a step with its own deadline), so the
///   application learns at once whether acknowledgements are on. Stanzas
///   that arrive meanwhile are routed as on the established session.
/// - **Inbound.** Every stanza counts once routed, whether delivered,
///   answered or dropped as unreadable (P36); `<r/>` is answered at once
///   with `<a h/>`. Stream-management elements never reach the application.
/// - **Outbound.** Every stanza the session writes (the application's, IQ
///   requests, the machine's own error answers) goes through the ledger, so
///   the counts match the server's. `<r/>` follows by count, by time (one
///   timer, ``Action/scheduleAckRequestTimer(_:)``) and right after a
///   stanza someone waits for.
/// - **Violations** (an `h` above what was sent, a malformed or misplaced
///   element) end the session with stream error `undefined-condition`.
/// - **The end.** A clean close writes our final `<a h/>` (and `<r/>` when
///   stanzas wait) before `</stream:stream>`; when the session ends, every
///   stanza not acknowledged is reported, never forgotten.
extension SessionStateMachine {
    /// Whether the machine takes care of XEP-0198 (configured on); else its
    /// elements are delivered like any other.
    var handlesStreamManagement: Bool { configuration.streamManagement != nil }

    /// Whether acknowledgements are on: the server answered `<enabled/>`.
    var isStreamManagementActive: Bool { streamManagement.phase == .active }

    /// Remembers `now` as the latest instant, for writes that come without one.
    mutating func advanceClock(to now: MonotonicInstant) {
        if now > latestInstant { latestInstant = now }
    }

    // MARK: Enabling

    /// The `<enable/>` to write after binding, when configured and offered.
    mutating func enableStreamManagementIfOffered(_ features: StreamFeatures) -> XMLElement? {
        guard handlesStreamManagement, features.offersStreamManagement else { return nil }
        // The ledger is inactive here: binding happens once per machine.
        return (try? streamManagement.enable())?.element
    }

    // MARK: Inbound

    /// Counts an inbound top-level element as handled (stanzas only, and
    /// only while acknowledgements are on).
    /// - Returns: The answer to the server's `<r/>` when this stanza made
    ///   it due, and the ack-request timer moved on with it (see
    ///   ``reaimAckRequestTimerAfterAnswer()``); empty for nearly every
    ///   stanza.
    mutating func countInbound(_ element: XMLElement) -> [Action] {
        guard streamManagement.inboundHandled(element), let answer = streamManagement.answerIfDue(now: latestInstant)
        else { return [] }
        return [.answerAckRequest(answer.element)] + reaimAckRequestTimerAfterAnswer()
    }

    /// After an answer went by count: moves the ack-request timer from the
    /// answered request's deadline to the next instant the ledger needs
    /// (a stanza of ours waiting for a request by time), or cancels it when
    /// none is left.
    ///
    /// On a busy inbound stream the answers go by count
    /// (``StreamManagementConfiguration/ackAnswerThreshold``), and a server
    /// such as Prosody asks again with the first stanza after each answer.
    /// Left at the answered request's deadline, the timer would wake the
    /// idle event loop once per ``StreamManagementConfiguration/ackAnswerDelay``
    /// only to move on to the next request's (about ten wake-ups a second,
    /// each on a cold CPU). Moved here and brought forward again by the
    /// next request, it costs two timer operations per answer, made while
    /// the loop is awake anyway.
    mutating func reaimAckRequestTimerAfterAnswer() -> [Action] {
        guard let scheduled = ackRequestTimer else { return [] }
        guard let next = nextAckRequestTimerInstant else {
            ackRequestTimer = nil
            return [.cancelAckRequestTimer]
        }
        guard next > scheduled else { return [] }
        ackRequestTimer = next
        return [.scheduleAckRequestTimer(next)]
    }

    /// A stream-management element arrived on the established session (or
    /// while `<enable/>` waits for its answer).
    mutating func receivedStreamManagement(_ element: XMLElement) -> [Action] {
        let parsed: StreamManagementElement
        do {
            parsed = try StreamManagementElement(element: element)
        } catch {
            return failStreamManagement(error.streamError, detail: error.description)
        }
        do throws(StreamManagementError) {
            switch parsed {
            case .enabled(let enabled):
                let (_, requestAck) = try streamManagement.enabled(enabled, now: latestInstant)
                guard case .enablingStreamManagement(var session) = state else {
                    throw .unexpectedElement(localName: "enabled")
                }
                session.streamManagementEnabled = true
                session.resumable = streamManagement.resumableSession != nil
                var actions = announce(session)
                if requestAck { actions += writeAckRequest() }
                return actions + rescheduleAckRequestTimer()
            case .failed(let failure):
                let outcome = try streamManagement.failed(failure)
                guard case .enablingStreamManagement(let session) = state else {
                    throw .unexpectedElement(localName: "failed")
                }
                // Acknowledgements are off; the session goes on without them.
                var actions = announce(session)
                if case .enableRefused(let sent, _) = outcome, !sent.isEmpty {
                    actions.append(.stanzasNotAcknowledged(sent, .streamManagementNotEnabled))
                }
                return actions
            case .requestAck:
                if let answer = try streamManagement.ackRequested(now: latestInstant) {
                    return [.answerAckRequest(answer.element)]
                }
                return rescheduleAckRequestTimer()
            case .ack(let handled):
                liveness.ackReceived()
                switch try streamManagement.ackReceived(handled) {
                case .acknowledged(let stanzas):
                    let awaited = stanzas.lazy.map(\.token).filter(\.isAwaited)
                    return awaited.isEmpty ? [] : [.stanzasAcknowledged(Array(awaited))]
                case .stale:
                    return [.dropped(element, .staleAcknowledgement)]
                }
            case .enable, .resume, .resumed:
                // The client's elements, or a resumption never asked for.
                throw .unexpectedElement(localName: element.name.localName)
            }
        } catch {
            let sent = error.streamError ?? StreamError(.undefinedCondition, text: "stream management failed")
            return failStreamManagement(sent, detail: error.description)
        }
    }

    /// A stream-management element after our `</stream:stream>`: an `<a/>`
    /// still retires stanzas; nothing else can be answered any more.
    mutating func receivedStreamManagementWhileClosing(_ element: XMLElement) -> [Action] {
        guard case .ack(let handled)? = try? StreamManagementElement(element: element),
            case .acknowledged(let stanzas)? = try? streamManagement.ackReceived(handled)
        else { return [.dropped(element, .streamManagementWhileClosing)] }
        let awaited = stanzas.lazy.map(\.token).filter(\.isAwaited)
        return awaited.isEmpty ? [] : [.stanzasAcknowledged(Array(awaited))]
    }

    /// Ends the session for a stream-management violation: stream error
    /// `sent`, close, report.
    private mutating func failStreamManagement(_ sent: StreamError, detail: String) -> [Action] {
        fail(.streamManagementViolation(sent, detail: detail), streamError: sent)
    }

    // MARK: Requesting acknowledgements by time

    /// Schedules the ack-request timer when the ledger needs it earlier
    /// than it is scheduled (or it is not); a timer that fires with nothing
    /// due simply moves on.
    mutating func rescheduleAckRequestTimer() -> [Action] {
        guard let next = nextAckRequestTimerInstant, ackRequestTimer.map({ next < $0 }) ?? true else {
            return []
        }
        ackRequestTimer = next
        return [.scheduleAckRequestTimer(next)]
    }

    /// When the ack-request timer is next needed: one timer serves both
    /// rules, the next request by time and the waiting answer's deadline.
    var nextAckRequestTimerInstant: MonotonicInstant? {
        let answer = streamManagement.answerDueTime
        return streamManagement.nextAckRequestTime.map { request in answer.map { min(request, $0) } ?? request } ?? answer
    }

    /// The ack-request timer scheduled for `instant` fired: write the
    /// waiting answer to the server's `<r/>` when it is due, and `<r/>`
    /// when one is due, and move the timer on.
    /// - Parameters:
    ///   - instant: The instant it was scheduled for (a replaced timer is
    ///     ignored).
    ///   - now: The current instant.
    mutating func ackRequestTimerFired(at instant: MonotonicInstant, now: MonotonicInstant) -> [Action] {
        advanceClock(to: now)
        guard ackRequestTimer == instant else { return [] }
        ackRequestTimer = nil
        guard case .established = state else { return [] }
        var actions: [Action] = []
        if let answer = streamManagement.answerIfDue(now: now) {
            actions.append(.answerAckRequest(answer.element))
        }
        if streamManagement.requestAckIfDue(now: now) {
            actions += writeAckRequest()
        }
        return actions + rescheduleAckRequestTimer()
    }

    // MARK: The end

    /// Before our `</stream:stream>`: the final `<a h/>` (P39), and `<r/>`
    /// when stanzas wait for an acknowledgement; nothing when
    /// acknowledgements are off.
    mutating func closingStreamManagementWrites() -> [Action] {
        guard let acknowledgement = streamManagement.closingAcknowledgement else { return [] }
        var actions: [Action] = [.writeElement(acknowledgement.element)]
        if streamManagement.outstandingCount > 0, let request = streamManagement.requestAck() {
            actions.append(.writeElement(request.element))
        }
        return actions
    }

    /// The session is over: cancel the ack-request timer and report every
    /// stanza not acknowledged, with `error` as the reason; or, when the
    /// connection was lost and the session can be resumed, keep it for the
    /// next connection (``Action/carryOver(_:)``).
    /// - Parameters:
    ///   - error: Why the session ended.
    ///   - connectionLost: Whether the connection went away without a
    ///     clean close (a reset, a FIN without `</stream:stream>`, a TLS
    ///     failure, silence): only then may the session be resumed
    ///     (H96–H98). A stream error or a clean close ends it.
    mutating func endStreamManagement(_ error: XMPPClientError, connectionLost: Bool = false) -> [Action] {
        var actions: [Action] = []
        if ackRequestTimer != nil {
            ackRequestTimer = nil
            actions.append(.cancelAckRequestTimer)
        }
        guard streamManagement.phase != .inactive else { return actions }
        if connectionLost, streamManagement.resumableSession != nil,
            case .resumable = streamManagement.connectionLost(now: latestInstant),
            let boundJID = boundJID ?? configuration.resumption?.boundJID
        {
            let detached = DetachedSession(ledger: streamManagement, boundJID: boundJID, lastOutboundToken: lastOutboundToken)
            streamManagement = StreamManagementLedger(configuration: streamManagement.configuration)
            return actions + [.carryOver(detached)]
        }
        if configuration.resumption != nil, streamManagement.phase == .detached {
            // This connection failed otherwise (a stream error during SASL,
            // say) before it asked to resume: the session it was to resume
            // is untouched, and the next attempt may still resume it.
            return actions
        }
        let wasDetached = configuration.resumption != nil && [.detached, .resuming].contains(streamManagement.phase)
        let end = streamManagement.abandon()
        if !end.isEmpty { actions.append(.stanzasNotAcknowledged(end.unknown + end.failed, error)) }
        if wasDetached { actions.append(.carryOver(nil)) }
        return actions
    }
}
