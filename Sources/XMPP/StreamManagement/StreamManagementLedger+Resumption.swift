extension StreamManagementLedger {
    // MARK: Losing the connection

    /// The connection was lost without a clean close (an error, a reset, a
    /// FIN without `</stream:stream>`; H96–H98).
    ///
    /// A resumable session keeps its stanzas and queues new ones. Losing
    /// the connection again while resuming keeps it resumable (H103): the
    /// server never confirmed, so nothing changes but the phase. Any other
    /// session ends.
    /// - Parameter now: The current instant; the resumption window
    ///   (``resumptionDeadline``) runs from the first loss.
    mutating func connectionLost(now: MonotonicInstant) -> ConnectionLoss {
        switch phase {
        case .inactive:
            return .ended(SessionEnd(unknown: [], failed: []))
        case .enabling:
            return .ended(abandon())
        case .active:
            guard resumableSession != nil else { return .ended(abandon()) }
            phase = .detached
            // Requests of the lost stream are void; <resume h/> tells the count.
            pendingAnswer = nil
            detachedAt = now
            return .resumable
        case .detached, .resuming:
            phase = .detached
            return .resumable
        }
    }

    /// When the server's resumption window closes: the loss plus the `max`
    /// from `<enabled/>`; `nil` when not detached or the server gave none.
    var resumptionDeadline: MonotonicInstant? {
        guard let detachedAt, let maximum = resumableSession?.maximumResumption else { return nil }
        return detachedAt.advanced(by: .seconds(maximum))
    }

    // MARK: Resuming

    /// `<resume/>` is to be written on the new stream (after TLS and
    /// authentication; P40).
    /// - Returns: The element, with the SM-ID and our handled count.
    /// - Throws: ``StreamManagementError/notResumable`` unless detached
    ///   with a resumable session, ``StreamManagementError/resumptionExpired``
    ///   once ``resumptionDeadline`` has passed (call ``abandon()``).
    /// - Parameter enforcingWindow: Whether to refuse once the window has
    ///   passed. The session machine asks anyway: a server that still
    ///   remembers the old session (Prosody does) answers `<failed h/>`,
    ///   which settles which stanzas arrived; not asking leaves them all
    ///   unknown.
    mutating func resume(now: MonotonicInstant, enforcingWindow: Bool = true) throws(StreamManagementError)
        -> StreamManagementElement
    {
        guard phase == .detached, let session = resumableSession else { throw .notResumable }
        if enforcingWindow, let deadline = resumptionDeadline, now > deadline { throw .resumptionExpired }
        phase = .resuming
        return .resume(previousID: session.id, handled: handledCount)
    }

    /// The server answered `<resumed previd h/>`.
    ///
    /// `h` retires what the server handled, as in `<a/>`; a stale `h`
    /// retires nothing, and everything after the last acknowledgement is
    /// resent. The stanzas left are handed back to be written again, in
    /// order and with their numbers unchanged, then the queued ones get
    /// the next numbers; `<r/>` follows when anything was written (P33).
    /// The handled count carries over.
    /// - Throws: ``StreamManagementError/previousIDMismatch`` when `previd`
    ///   is not our SM-ID (H88), ``StreamManagementError/handledCountTooHigh(handled:sent:)``,
    ///   or ``StreamManagementError/unexpectedElement(localName:)`` unless
    ///   resuming. The ledger is unchanged after an error.
    mutating func resumed(previousID: String, handled: StanzaCount, now: MonotonicInstant) throws(StreamManagementError)
        -> Resumption
    {
        guard phase == .resuming, let session = resumableSession else { throw .unexpectedElement(localName: "resumed") }
        guard previousID == session.id else { throw .previousIDMismatch }
        let acked = retire(try advance(to: handled) ?? 0)
        // Requests written on the old stream will never be answered.
        ackRequestMark = acknowledgedCount
        var resent: [TrackedStanza<Token>] = []
        var flushed: [TrackedStanza<Token>] = []
        for index in stanzas.indices {
            stanzas[index].writtenAt = now
            if stanzas[index].state == .queued {
                sentCount = sentCount.next
                stanzas[index].state = .sent
                stanzas[index].sequenceNumber = sentCount
                flushed.append(stanzas[index])
            } else {
                resent.append(stanzas[index])
            }
        }
        phase = .active
        detachedAt = nil
        let requestAck = !stanzas.isEmpty
        if requestAck { ackRequestMark = sentCount }
        return Resumption(acked: acked, resent: resent, flushed: flushed, requestAck: requestAck)
    }

    // MARK: Failures

    /// The server answered `<failed/>`, to `<enable/>` or to `<resume/>`.
    ///
    /// - To `<enable/>`: stream management is off. The stanzas written
    ///   since `<enable/>` are released as `sent`.
    /// - To `<resume/>`: an `h` retires what it covers (P34, H93), the
    ///   other written stanzas become `unknown` (all of them without `h`,
    ///   H94), queued ones come back unsent. The ledger is inactive; the
    ///   caller binds a new resource and may enable again.
    /// - Throws: ``StreamManagementError/handledCountTooHigh(handled:sent:)``
    ///   for an `h` beyond what was sent, or
    ///   ``StreamManagementError/unexpectedElement(localName:)`` when
    ///   neither was asked. The ledger is unchanged after an error.
    mutating func failed(_ failure: StreamManagementFailure) throws(StreamManagementError) -> Failure {
        switch phase {
        case .enabling:
            let (written, _) = takeAll()
            return .enableRefused(sentWithoutManagement: written, condition: failure.condition)
        case .resuming:
            var step: UInt32 = 0
            if let handled = failure.handled { step = try advance(to: handled) ?? 0 }
            let acked = retire(step)
            let (written, queued) = takeAll()
            return .resumeRefused(
                ResumeFailure(
                    acked: acked,
                    unknown: written.map { $0.with(.unknown) },
                    unsent: queued,
                    condition: failure.condition
                )
            )
        case .inactive, .active, .detached:
            throw .unexpectedElement(localName: "failed")
        }
    }
}
