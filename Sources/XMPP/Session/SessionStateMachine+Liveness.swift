import XMPPCore

/// Liveness on the established session (security.md P42) around the pure
/// ``LivenessMonitor``: whitespace keepalives, a probe after silence and a
/// deadline for every XEP-0198 `<r/>`.
///
/// - **Start and stop.** The monitor starts when the session is announced
///   (``announce(_:)``), never during negotiation, whose steps have
///   deadlines of their own. Once the session leaves `established`
///   (closing, failed, closed) a wake-up does nothing and schedules no
///   other, so nothing is written after a close.
/// - **Inputs.** The handler reports every read (``bytesRead(now:)``) and
///   every write (``bytesWritten(now:)``); the machine itself reports each
///   `<r/>` it writes (``writeAckRequest()``) and each `<a/>` it reads.
/// - **One timer.** ``Action/scheduleLivenessTimer(_:)`` moves it earlier
///   when needed; reads and writes only push the rules later, so they leave
///   it alone and a wake-up that finds nothing due simply moves on.
/// - **The probe** is an `<r/>` when acknowledgements are on (its `<a/>` is
///   the answer, and it sets the ack deadline like any `<r/>`), else a
///   XEP-0199 ping to our server sent as one of the machine's own IQ
///   requests: counted like any stanza, matched by id and origin, and never
///   delivered (its completion names no waiting caller). Any byte read
///   counts as the answer, an error answer included.
/// - **No answer** ends the session with ``XMPPClientError/Code/peerUnresponsive``
///   through ``fail(_:closingStream:sending:streamError:)``, as a lost
///   connection: the connection closes at once (after `</stream:stream>`,
///   except when the XEP-0198 session is to be resumed), requests in flight
///   fail, and unacknowledged stanzas are reported or carried over for
///   resumption.
extension SessionStateMachine {
    /// The namespace of the XEP-0199 ping the probe sends without
    /// acknowledgements.
    static let pingNamespace = "urn:xmpp:ping"

    /// The session was just announced: start the monitor (when configured)
    /// at the latest instant known.
    mutating func startLiveness() -> [Action] {
        liveness = LivenessMonitor(configuration: configuration.liveness)
        return liveness.start(at: latestInstant).map { [.scheduleLivenessTimer($0)] } ?? []
    }

    /// Bytes arrived from the server now (any bytes, whitespace included).
    /// Only pushes the rules later, so nothing needs doing at once.
    mutating func bytesRead(now: MonotonicInstant) {
        advanceClock(to: now)
        liveness.bytesRead(at: now)
    }

    /// Bytes were written to the server now (an element, a header, a space).
    /// Only pushes the keepalive later, so nothing needs doing at once.
    mutating func bytesWritten(now: MonotonicInstant) {
        advanceClock(to: now)
        liveness.wrote(at: now)
    }

    /// Writes an `<r/>` and starts its ack deadline (unless one is already
    /// running): every `<r/>` of the established session goes through here.
    /// - Returns: The write, and a move of the liveness timer if needed.
    mutating func writeAckRequest() -> [Action] {
        var actions: [Action] = [.writeElement(StreamManagementElement.requestAck.element)]
        if let next = liveness.ackRequested(at: latestInstant) { actions.append(.scheduleLivenessTimer(next)) }
        return actions
    }

    /// The liveness timer scheduled for `instant` fired: write a keepalive,
    /// probe, or end the session when the server did not answer in time;
    /// then move the timer on.
    /// - Parameters:
    ///   - instant: The instant it was scheduled for (a replaced timer is
    ///     ignored).
    ///   - now: The current instant.
    mutating func livenessTimerFired(at instant: MonotonicInstant, now: MonotonicInstant) -> [Action] {
        advanceClock(to: now)
        guard liveness.wakeUpFired(at: instant) else { return [] }
        guard case .established = state else {
            liveness.stop()
            return []
        }
        var actions: [Action] = []
        switch liveness.due(at: now) {
        case .timeOut(let unanswered):
            // No `</stream:stream>` when the session is to be resumed: the
            // server would take it for a clean close and end the session.
            return fail(.peerUnresponsive(detail: unanswered.description), closingStream: streamManagement.resumableSession == nil)
        case .probe:
            actions = probe()
        case .writeWhitespace:
            actions = [.writeWhitespace]
        case nil:
            break
        }
        if let next = liveness.rescheduleIfEarlier() { actions.append(.scheduleLivenessTimer(next)) }
        return actions
    }

    /// The silence probe: `<r/>` with acknowledgements on, else a ping to
    /// our server through the IQ ledger.
    private mutating func probe() -> [Action] {
        if isStreamManagementActive, streamManagement.requestAck() != nil {
            return writeAckRequest()
        }
        guard let timeout = configuration.liveness?.probeTimeout else { return [] }
        // The server answers pings for the account's domain (XEP-0199 §4.3);
        // the domain comes from a valid JID, so this does not fail.
        let server = try? JID(localpart: nil, domainpart: configuration.jid.domainpart, resourcepart: nil)
        // The ledger's deadline matches the probe's: the liveness timer,
        // not the request timer, decides what a missing answer means.
        let (id, timer) = requests.add(recipient: server, deadline: latestInstant.advanced(by: timeout))
        let ping = IQ(type: .get, id: id, to: server, payload: XMLElement("ping", namespace: Self.pingNamespace)).element
        var actions = trackingWrites([.writeElement(ping)])
        if let timer { actions.append(.scheduleRequestTimer(timer)) }
        return actions
    }
}
