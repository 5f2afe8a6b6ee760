import XMPPCore

/// The application's outbound stanzas: counted by XEP-0198 when it is on
/// (or being enabled), followed by `<r/>` when one is due, held back while
/// the ledger is full.
extension SessionStateMachine {
    /// The application sends a stanza and waits for its acknowledgement.
    ///
    /// The machine counts it; the caller writes its bytes (serialised
    /// before, so that one that cannot be written is never counted) when
    /// the returned write says so. `<r/>` follows at once (someone waits
    /// for the answer).
    /// - Parameters:
    ///   - stanza: A stanza (a message may stay a model value).
    ///   - now: The current instant; `nil` keeps the latest one known.
    /// - Returns: The token that ``Action/stanzasAcknowledged(_:)`` or
    ///   ``Action/stanzasNotAcknowledged(_:_:)`` will name, and the write.
    /// - Throws: ``XMPPClientError/Code/connectionClosed`` unless the session
    ///   is established, ``XMPPClientError/Code/notAStanza``,
    ///   ``XMPPClientError/Code/streamManagementNotEnabled``,
    ///   ``XMPPClientError/Code/unacknowledgedLimitReached``; nothing is
    ///   counted then.
    mutating func sendAcknowledged(
        _ stanza: OutboundStanza,
        now: MonotonicInstant? = nil
    ) throws(XMPPClientError) -> (token: OutboundStanzaToken, write: StanzaWrite) {
        if let now { advanceClock(to: now) }
        try checkEstablished()
        guard stanza.isStanza else { throw .notAStanza(stanza.name) }
        guard isStreamManagementActive else { throw .streamManagementNotEnabled }
        let (token, write) = try countStanza(stanza, awaited: true)
        guard let token else { throw .streamManagementNotEnabled }
        return (token, write)
    }

    /// The application sends a top-level element (a stanza, or another
    /// element).
    ///
    /// With stream management on, a stanza is counted, and its write may be
    /// followed by `<r/>` and a move of the ack-request timer. The caller
    /// writes the bytes it serialised before, when the returned write says so.
    /// - Parameters:
    ///   - stanza: The stanza or element.
    ///   - now: The current instant; `nil` keeps the latest one known.
    /// - Throws: ``XMPPClientError/Code/connectionClosed`` unless the session
    ///   is established; ``XMPPClientError/Code/unacknowledgedLimitReached``
    ///   when the stanza cannot be counted (nothing is written).
    mutating func send(_ stanza: OutboundStanza, now: MonotonicInstant? = nil) throws(XMPPClientError) -> StanzaWrite {
        if let now { advanceClock(to: now) }
        try checkEstablished()
        return try countStanza(stanza, awaited: false).write
    }

    /// What a send leads to, for a stanza whose bytes the caller writes.
    struct StanzaWrite: Sendable {
        /// Whether the stanza is written now (else it waits in the ledger
        /// for a resumption).
        var isWritten: Bool
        /// What follows the write: an `<r/>`, a move of the ack-request timer.
        var following: [Action]

        /// The actions with the write of `element` first, if it is written.
        func actions(writing element: XMLElement) -> [Action] {
            isWritten ? [.writeElement(element)] + following : following
        }
    }

    /// Writes an element, counting it when it is a stanza and
    /// acknowledgements are on (or being enabled).
    /// - Returns: The stanza's token when counted, and the actions: the
    ///   write first, then `<r/>` when one is due (always after an awaited
    ///   stanza), then a move of the ack-request timer if needed.
    /// - Throws: ``XMPPClientError/Code/unacknowledgedLimitReached`` when
    ///   the queue is full; nothing is written.
    mutating func writeStanza(
        _ element: XMLElement,
        awaited: Bool
    ) throws(XMPPClientError) -> (token: OutboundStanzaToken?, actions: [Action]) {
        let (token, write) = try countStanza(.element(element), awaited: awaited)
        return (token, write.actions(writing: element))
    }

    /// Counts a stanza (when it is one and acknowledgements are on or being
    /// enabled) and says whether it is written now and what follows.
    /// - Throws: ``XMPPClientError/Code/unacknowledgedLimitReached`` when
    ///   the queue is full; nothing is counted.
    mutating func countStanza(
        _ stanza: OutboundStanza,
        awaited: Bool
    ) throws(XMPPClientError) -> (token: OutboundStanzaToken?, write: StanzaWrite) {
        lastOutboundToken &+= 1
        let token = OutboundStanzaToken(number: lastOutboundToken, isAwaited: awaited)
        let decision: StreamManagementLedger<OutboundStanzaToken>.SendDecision
        do {
            decision = try streamManagement.send(stanza, token: token, now: latestInstant)
        } catch {
            throw .unacknowledgedLimitReached(streamManagement.configuration.maximumUnacknowledged)
        }
        switch decision {
        case .untracked:
            return (nil, StanzaWrite(isWritten: true, following: []))
        case .write(_, let requestAck):
            var following: [Action] = []
            if requestAck || (awaited && streamManagement.requestAck() != nil) {
                following += writeAckRequest()
            }
            return (token, StanzaWrite(isWritten: true, following: following + rescheduleAckRequestTimer()))
        case .queued:
            // Never: this session never detaches, so nothing is held.
            return (token, StanzaWrite(isWritten: false, following: []))
        }
    }

    /// Sends the stanzas among `actions`' writes through the ledger (the
    /// machine's own answers); one that cannot be counted is dropped, not
    /// written uncounted.
    mutating func trackingWrites(_ actions: [Action]) -> [Action] {
        // Most inbound stanzas make no write at all: no new array for them.
        guard streamManagement.phase != .inactive, actions.contains(where: \.isElementWrite) else { return actions }
        var result: [Action] = []
        for action in actions {
            guard case .writeElement(let element) = action, AnyStanza.isStanza(element) else {
                result.append(action)
                continue
            }
            do {
                result += try writeStanza(element, awaited: false).actions
            } catch {
                result.append(.dropped(element, .unacknowledgedLimitReached))
            }
        }
        return result
    }

    /// The error a stanza would be refused with now, if any (the queue is
    /// full); checked before work that cannot be undone.
    func streamManagementRefusal() -> XMPPClientError? {
        switch streamManagement.phase {
        case .enabling, .active:
            return streamManagement.isFull
                ? .unacknowledgedLimitReached(streamManagement.configuration.maximumUnacknowledged) : nil
        case .inactive, .detached, .resuming:
            return nil
        }
    }

    /// A sender waits for room in the full queue: asks for an
    /// acknowledgement now, unless every written stanza is covered by a
    /// request already, so that the wait lasts a round trip rather than
    /// until the ack-request timer.
    mutating func senderWaitsForRoom() -> [Action] {
        guard case .established = state, streamManagement.hasUnrequestedStanzas,
            streamManagement.requestAck() != nil
        else { return [] }
        return writeAckRequest()
    }
}
