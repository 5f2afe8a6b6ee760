import XMPPCore

/// XEP-0198 resumption: a session whose connection was lost
/// (``DetachedSession``) carries on over a new connection.
///
/// After SASL succeeds on the new stream (TLS verified, the same account:
/// P40), `<resume previd h/>` replaces resource binding.
/// - `<resumed previd h/>` with our SM-ID: `h` retires what the server had
///   handled (awaited stanzas complete), the rest is written again in
///   order, before anything new (P33), `<r/>` follows, and the session is
///   established with the old full JID and counts. Presence, roster and
///   the like are not redone (P35).
/// - `<resumed/>` with another SM-ID (H88), or an `h` beyond what was sent:
///   a stream-management violation, the session ends.
/// - `<failed h?/>`: `h` retires what it covers; every other stanza is
///   reported as not known to be delivered with
///   ``XMPPClientError/Code/resumptionRefused`` (H93, H94), never resent
///   blindly (that could duplicate). Then a new resource is bound and
///   stream management enabled afresh; the new session carries the
///   refusal (``EstablishedSession/resumptionFailure``), so the
///   application learns of the gap.
/// - No stream management offered any more: the same as a refusal,
///   without asking. A resumption window that has passed is no reason not
///   to ask: the server's `<failed h/>` still settles which stanzas arrived.
/// - The connection lost again before the answer: the session stays
///   detached, unchanged, for the next attempt (H103).
extension SessionStateMachine {
    /// Whether an error that ends the session means the connection went
    /// away underneath it (so the session may be resumed), rather than the
    /// server or the client ending it.
    static func isConnectionLoss(_ error: XMPPClientError) -> Bool {
        switch error.code {
        // `peerUnresponsive`: liveness found the connection silent, the
        // usual way a dead TCP connection shows; it must stay resumable.
        case .connectionClosed, .tlsFailed, .timeout, .peerUnresponsive: true
        default: false
        }
    }

    /// Writes `<resume/>` for the detached session, or gives it up and
    /// binds a new resource when it cannot be resumed here.
    mutating func startResumption(_ features: StreamFeatures) -> [Action] {
        guard handlesStreamManagement, features.offersStreamManagement else {
            return abandonResumption(features, .notOffered)
        }
        let resume: StreamManagementElement
        do {
            // Even past the server's window: its `<failed h/>` still tells
            // which of our stanzas it handled (see the ledger's `resume`).
            resume = try streamManagement.resume(now: latestInstant, enforcingWindow: false)
        } catch {
            // Not detached with a resumable session: cannot happen here,
            // since the machine only starts resuming when it is.
            return abandonResumption(features, .refused(nil))
        }
        state = .resumingStreamManagement(features: features)
        return [.writeElement(resume.element)] + moveDeadline(to: .streamManagement)
    }

    /// An element while `<resume/>` waits for its answer: only
    /// `<resumed/>` or `<failed/>` may come (the server sends nothing else
    /// before it has resumed the session).
    mutating func receivedWhileResuming(_ element: XMLElement, features: StreamFeatures) -> [Action] {
        guard handlesStreamManagement, StreamManagementElement.isStreamManagement(element) else {
            return failUnexpected(element.name)
        }
        do throws(StreamManagementError) {
            let parsed: StreamManagementElement
            do {
                parsed = try StreamManagementElement(element: element)
            } catch {
                return fail(.streamManagementViolation(error.streamError, detail: error.description), streamError: error.streamError)
            }
            switch parsed {
            case .resumed(let previousID, let handled):
                let resumption = try streamManagement.resumed(previousID: previousID, handled: handled, now: latestInstant)
                return resumed(resumption, features: features)
            case .failed(let failure):
                guard case .resumeRefused(let refusal) = try streamManagement.failed(failure) else {
                    throw .unexpectedElement(localName: "failed")
                }
                let failure = ResumptionFailure.refused(refusal.condition)
                let error = failure.error
                resumptionFailure = failure
                var actions: [Action] = []
                let acked = refusal.acked.lazy.map(\.token).filter(\.isAwaited)
                if !acked.isEmpty { actions.append(.stanzasAcknowledged(Array(acked))) }
                let lost = refusal.unknown + refusal.unsent
                if !lost.isEmpty { actions.append(.stanzasNotAcknowledged(lost, error)) }
                actions.append(.carryOver(nil))
                return actions + startBinding(features)
            default:
                throw .unexpectedElement(localName: element.name.localName)
            }
        } catch {
            let sent = error.streamError ?? StreamError(.undefinedCondition, text: "stream management failed")
            return fail(.streamManagementViolation(sent, detail: error.description), streamError: sent)
        }
    }

    /// The server resumed the session: establish it with the old JID,
    /// complete what `h` covered, and write the rest again.
    private mutating func resumed(
        _ resumption: StreamManagementLedger<OutboundStanzaToken>.Resumption,
        features: StreamFeatures
    ) -> [Action] {
        guard let authenticationMechanism, let previous = configuration.resumption else {
            return fail(.authenticationFailed(.unexpectedElement))
        }
        boundJID = previous.boundJID
        var session = EstablishedSession(
            boundJID: previous.boundJID, features: features, authenticationMechanism: authenticationMechanism)
        session.streamManagementEnabled = true
        session.resumed = true
        session.resumable = true
        // Established first, so that the connection adopts the waiters
        // before the acknowledgements and resends that concern them.
        var actions = announce(session) + [.carryOver(nil)]
        let acked = resumption.acked.lazy.map(\.token).filter(\.isAwaited)
        if !acked.isEmpty { actions.append(.stanzasAcknowledged(Array(acked))) }
        for stanza in resumption.resent + resumption.flushed {
            actions.append(.writeElement(stanza.element))
        }
        // Through `writeAckRequest()`, like every `<r/>`, so that liveness
        // starts its ack deadline for it.
        if resumption.requestAck { actions += writeAckRequest() }
        return actions + rescheduleAckRequestTimer()
    }

    /// The detached session cannot be resumed: report its stanzas as not
    /// known to be delivered and bind a new resource.
    private mutating func abandonResumption(_ features: StreamFeatures, _ failure: ResumptionFailure) -> [Action] {
        resumptionFailure = failure
        let error = failure.error
        let end = streamManagement.abandon()
        var actions: [Action] = []
        if !end.isEmpty { actions.append(.stanzasNotAcknowledged(end.unknown + end.failed, error)) }
        actions.append(.carryOver(nil))
        return actions + startBinding(features)
    }
}
