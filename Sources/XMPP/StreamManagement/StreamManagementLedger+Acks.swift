import XMPPCore

extension StreamManagementLedger {
    // MARK: Acknowledgements from the server

    /// The server sent `<a h/>`.
    /// - Returns: The stanzas it retired, or ``AckOutcome/stale(handled:)``
    ///   when `h` is behind the last one (ignored).
    /// - Throws: ``StreamManagementError/handledCountTooHigh(handled:sent:)``
    ///   when `h` covers more than was sent (end the stream with its
    ///   ``StreamManagementError/streamError``), or
    ///   ``StreamManagementError/unexpectedElement(localName:)`` when stream
    ///   management is not active.
    mutating func ackReceived(_ handled: StanzaCount) throws(StreamManagementError) -> AckOutcome {
        guard phase == .active else { throw .unexpectedElement(localName: "a") }
        guard let step = try advance(to: handled) else { return .stale(handled: handled) }
        return .acknowledged(retire(step))
    }

    // MARK: Our acknowledgements

    /// An inbound top-level element was handled: delivered to the
    /// application, answered, or dropped because it could not be read.
    /// Stanzas count while stream management is active; nothing else does.
    /// - Returns: Whether it was counted.
    mutating func inboundHandled(_ element: XMLElement) -> Bool {
        guard phase == .active, AnyStanza.isStanza(element) else { return false }
        handledCount = handledCount.next
        return true
    }

    /// The `<a h/>` to write before closing the stream gracefully, so the
    /// server does not resend what we already handled (P39); `nil` when
    /// stream management is not active.
    var closingAcknowledgement: StreamManagementElement? {
        phase == .active ? .ack(handledCount) : nil
    }

    // MARK: Requesting acknowledgements

    /// Whether `<r/>` is due now: stanzas no request covers number at least
    /// the threshold, or the oldest of them has waited the delay. When it
    /// is, the ledger counts the request as written.
    /// - Returns: Whether to write `<r/>` now.
    mutating func requestAckIfDue(now: MonotonicInstant) -> Bool {
        guard phase == .active else { return false }
        let uncovered = ackRequestMark.distance(to: sentCount)
        guard uncovered > 0 else { return false }
        let byCount = UInt64(uncovered) >= UInt64(configuration.ackRequestThreshold)
        let byTime = nextAckRequestTime.map { $0 <= now } ?? false
        guard byCount || byTime else { return false }
        ackRequestMark = sentCount
        return true
    }

    /// Whether some written stanza is covered by no `<r/>` yet.
    var hasUnrequestedStanzas: Bool {
        phase == .active && ackRequestMark.distance(to: sentCount) > 0
    }

    /// An `<r/>` regardless of the rules (a liveness probe, or before
    /// closing); `nil` when stream management is not active.
    mutating func requestAck() -> StreamManagementElement? {
        guard phase == .active else { return nil }
        ackRequestMark = sentCount
        return .requestAck
    }

    /// When the delay rule will make `<r/>` due (schedule a timer, then
    /// call ``requestAckIfDue(now:)``); `nil` while every written stanza is
    /// covered by a request or an acknowledgement.
    var nextAckRequestTime: MonotonicInstant? {
        guard phase == .active else { return nil }
        // The stanzas kept start right after the acknowledged count, so the
        // first one the mark does not cover sits at this index.
        let index = Int(acknowledgedCount.distance(to: ackRequestMark))
        guard index < stanzas.count, stanzas[index].state == .sent, let writtenAt = stanzas[index].writtenAt else {
            return nil
        }
        return writtenAt.advanced(by: configuration.ackRequestDelay)
    }
}
