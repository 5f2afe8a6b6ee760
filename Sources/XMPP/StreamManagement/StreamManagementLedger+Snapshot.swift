extension StreamManagementLedger {
    /// Everything needed to resume a session later, perhaps in another
    /// process (P40): the SM-ID, the three counts and the stanzas kept.
    /// Writing it to storage is the caller's business.
    struct Snapshot: Hashable, Sendable {
        /// The session to resume.
        var session: ResumableSession
        /// The send count.
        var sentCount: StanzaCount
        /// The last `h` from the server.
        var acknowledgedCount: StanzaCount
        /// Our handled count.
        var handledCount: StanzaCount
        /// The written stanzas waiting for an `h`, then the queued ones.
        var stanzas: [TrackedStanza<Token>]
    }

    /// The state to persist, while the session is resumable; `nil`
    /// otherwise. Take it after every change that matters (a send, an ack).
    var snapshot: Snapshot? {
        guard let resumableSession, [.active, .detached, .resuming].contains(phase) else { return nil }
        return Snapshot(
            session: resumableSession,
            sentCount: sentCount,
            acknowledgedCount: acknowledgedCount,
            handledCount: handledCount,
            stanzas: stanzas
        )
    }

    /// A detached ledger restored from a snapshot, ready for
    /// ``resume(now:)``. The resumption window is unknown after a restart,
    /// so ``resumptionDeadline`` is `nil`: the server decides.
    /// - Throws: ``StreamManagementError/invalidSnapshot`` when the counts
    ///   and the stanzas disagree, or there are more stanzas than the
    ///   configuration allows.
    init(restoring snapshot: Snapshot, configuration: StreamManagementConfiguration = StreamManagementConfiguration())
        throws(StreamManagementError)
    {
        self.init(configuration: configuration)
        guard snapshot.stanzas.count <= configuration.maximumUnacknowledged,
            !snapshot.session.id.isEmpty,
            Self.ordered(snapshot.stanzas, acknowledged: snapshot.acknowledgedCount, sent: snapshot.sentCount)
        else { throw .invalidSnapshot }
        phase = .detached
        requestedResumption = true
        resumableSession = snapshot.session
        sentCount = snapshot.sentCount
        acknowledgedCount = snapshot.acknowledgedCount
        handledCount = snapshot.handledCount
        ackRequestMark = snapshot.acknowledgedCount
        stanzas = snapshot.stanzas
    }

    /// Whether the ledger's invariants hold: the stanzas are ordered and
    /// numbered as the counts say, within the bound, and only the phases
    /// that allow them hold queued stanzas (or any at all). For tests and
    /// restored state.
    var isConsistent: Bool {
        guard stanzas.count <= configuration.maximumUnacknowledged,
            Self.ordered(stanzas, acknowledged: acknowledgedCount, sent: sentCount),
            acknowledgedCount.distance(to: ackRequestMark) <= outstandingCount
        else { return false }
        let hasQueued = stanzas.contains { $0.state == .queued }
        switch phase {
        case .inactive: return stanzas.isEmpty && sentCount == .zero
        case .enabling, .active: return !hasQueued
        case .detached, .resuming: return resumableSession != nil
        }
    }

    /// Whether `stanzas` are written ones numbered `acknowledged + 1`
    /// through `sent`, then queued ones without numbers.
    private static func ordered(_ stanzas: [TrackedStanza<Token>], acknowledged: StanzaCount, sent: StanzaCount) -> Bool {
        let outstanding = acknowledged.distance(to: sent)
        guard UInt64(outstanding) <= UInt64(stanzas.count) else { return false }
        for (offset, stanza) in stanzas.enumerated() {
            if offset < Int(outstanding) {
                guard stanza.state == .sent, stanza.sequenceNumber == acknowledged.advanced(by: UInt32(offset) + 1) else {
                    return false
                }
            } else {
                guard stanza.state == .queued, stanza.sequenceNumber == nil else { return false }
            }
        }
        return true
    }
}
