import XMPPCore

/// The bookkeeping of XEP-0198 stream management for one session, as a
/// pure value: no clock, no I/O. The session state machine feeds it what
/// happened (a stanza to send, an element from the server, the connection
/// lost) with the current instant, and it answers with what to write and
/// which stanzas changed state.
///
/// - **Outbound.** Every stanza (message, presence, iq) sent after
///   `<enable/>` gets the next number of the send count (P30), and stays in
///   the ledger, with the caller's token, until an `h` covers it. Counts
///   wrap from 2^32 − 1 to 0 (``StanzaCount``).
/// - **Acks.** An `h` retires every stanza up to it. An `h` beyond what was
///   sent is ``StreamManagementError/handledCountTooHigh(handled:sent:)``
///   (P31). An `h` behind the last one (read modulo 2^32 as up to 2^31
///   behind) is ignored and reported as ``AckOutcome/stale(handled:)``:
///   acknowledgements never go backwards, nothing is "un-acked", and
///   XEP-0198 asks that SM errors be treated as recoverable (H91). A
///   repeated `h` retires nothing.
/// - **Inbound.** The handled count starts at `<enabled/>` (stanzas that
///   arrive between `<enable/>` and `<enabled/>` are not counted, H89) and
///   counts every stanza the session handled, including ones the
///   application could not read (P36, H92).
/// - **Ack requests.** `<r/>` is due after ``StreamManagementConfiguration/ackRequestThreshold``
///   stanzas that no request or acknowledgement covers, or once the oldest
///   of them has waited ``StreamManagementConfiguration/ackRequestDelay``
///   (``nextAckRequestTime`` says when to look again).
/// - **Answers.** The server's `<r/>` is answered once
///   ``StreamManagementConfiguration/ackAnswerDelay`` passed or
///   ``StreamManagementConfiguration/ackAnswerThreshold`` more stanzas
///   were handled (``ackRequested(now:)``, ``answerIfDue(now:)``).
/// - **Resumption.** When the connection drops, a resumable session keeps
///   its stanzas; new ones are queued. `<resumed h/>` retires what the
///   server handled and hands back exactly the rest, in order, to write
///   before the queued ones (P33). `<failed h/>` retires what `h` covers;
///   the rest become ``StanzaDeliveryState/unknown`` (P34).
/// - **Bounded.** At most ``StreamManagementConfiguration/maximumUnacknowledged``
///   stanzas are kept; one more is refused, never dropped (P38).
///
/// Stanzas kept are always ordered: the written ones first, numbered
/// consecutively after ``acknowledgedCount`` up to ``sentCount``, then the
/// queued ones, in the order they were given.
///
/// The stored properties are open to reading; only the ledger's own
/// methods change them (they are not `private(set)` because the ledger's
/// facets live in several files).
struct StreamManagementLedger<Token: Hashable & Sendable>: Sendable {
    /// Where the stream-management session stands.
    enum Phase: Hashable, Sendable {
        /// Not enabled (or ended): stanzas are not tracked.
        case inactive
        /// `<enable/>` was written; stanzas are counted from here, and the
        /// answer has not come yet.
        case enabling
        /// Enabled (or resumed): stanzas are counted and acknowledged.
        case active
        /// The connection was lost and the session can be resumed; new
        /// stanzas are queued.
        case detached
        /// `<resume/>` was written; new stanzas are still queued.
        case resuming
    }

    /// What resuming the session needs, from `<enabled/>`.
    struct ResumableSession: Hashable, Sendable {
        /// The SM-ID (opaque, at most ``StreamManagementConfiguration/maximumSessionIDLength`` bytes).
        var id: String
        /// The server's resumption window in seconds, if it gave one.
        var maximumResumption: UInt32?
        /// The server's preferred reconnection address, as sent.
        var location: String?
    }

    /// The limits and habits of this ledger.
    let configuration: StreamManagementConfiguration
    /// Where the session stands.
    var phase: Phase = .inactive
    /// Set once `<enabled/>` allowed resumption with a usable SM-ID.
    var resumableSession: ResumableSession?
    /// The send count: the number of the last stanza written under stream
    /// management.
    var sentCount: StanzaCount = .zero
    /// The last `h` the server gave: every stanza up to it is retired.
    var acknowledgedCount: StanzaCount = .zero
    /// The handled count: inbound stanzas handled since `<enabled/>`.
    var handledCount: StanzaCount = .zero
    /// The send count that the last `<r/>` or `<a/>` covers; stanzas after
    /// it drive the next ack request.
    var ackRequestMark: StanzaCount = .zero
    /// The stanzas kept: written ones waiting for an `h`, then queued ones.
    /// An array: an `<a h/>` retiring from the front moves the rest down,
    /// once per acknowledgement (every 100 stanzas by default), while an
    /// idle session's empty array costs no allocation (a ring buffer
    /// allocated 16 slots up front, 1.3 KiB per idle session).
    var stanzas: [TrackedStanza<Token>] = []
    /// The server's `<r/>` our answer to which waits, if one does.
    var pendingAnswer: PendingAnswer?
    /// When the connection was lost, while detached or resuming.
    var detachedAt: MonotonicInstant?
    /// Whether the `<enable/>` written asked for resumption.
    var requestedResumption = false

    /// Creates an inactive ledger.
    init(configuration: StreamManagementConfiguration = StreamManagementConfiguration()) {
        self.configuration = configuration
    }

    /// How many written stanzas wait for an `h`.
    var outstandingCount: UInt32 { acknowledgedCount.distance(to: sentCount) }

    /// Whether the next stanza would be refused as
    /// ``StreamManagementError/queueFull(limit:)``.
    var isFull: Bool { stanzas.count >= configuration.maximumUnacknowledged }

    // MARK: Enabling

    /// `<enable/>` is to be written now: the send count starts at zero.
    /// - Returns: The element to write.
    /// - Throws: ``StreamManagementError/alreadyEnabled`` unless inactive.
    mutating func enable() throws(StreamManagementError) -> StreamManagementElement {
        guard phase == .inactive else { throw .alreadyEnabled }
        resetCounts()
        phase = .enabling
        requestedResumption = configuration.requestsResumption
        return .enable(resume: requestedResumption, preferredMaximum: configuration.preferredMaximumResumption)
    }

    /// The server answered `<enabled/>`: acknowledgements are on, and the
    /// handled count starts at zero.
    ///
    /// The session is resumable only if we asked, the server agreed, and
    /// gave an SM-ID that is neither empty nor longer than
    /// ``StreamManagementConfiguration/maximumSessionIDLength`` (H85, H86);
    /// otherwise acknowledgements still work.
    /// - Returns: Whether the session is resumable, and whether `<r/>` is
    ///   due already (for stanzas written while waiting).
    /// - Throws: ``StreamManagementError/unexpectedElement(localName:)``
    ///   unless `<enable/>` is waiting for its answer.
    mutating func enabled(_ enabled: StreamManagementEnabled, now: MonotonicInstant) throws(StreamManagementError) -> (
        resumable: Bool, requestAck: Bool
    ) {
        guard phase == .enabling else { throw .unexpectedElement(localName: "enabled") }
        phase = .active
        handledCount = .zero
        pendingAnswer = nil
        if requestedResumption, enabled.resume, let id = enabled.id, !id.isEmpty,
            id.utf8.count <= configuration.maximumSessionIDLength
        {
            resumableSession = ResumableSession(id: id, maximumResumption: enabled.maximumResumption, location: enabled.location)
        }
        return (resumableSession != nil, requestAckIfDue(now: now))
    }

    // MARK: Sending

    /// A stanza (or another top-level element) is to be sent.
    ///
    /// Elements that are not stanzas, and anything sent while stream
    /// management is inactive, are not tracked.
    /// - Parameters:
    ///   - stanza: The stanza or element.
    ///   - token: The caller's handle, returned with every report on it.
    ///   - now: The current instant (for time-based ack requests).
    /// - Returns: Whether to write it now (with its number, and whether an
    ///   `<r/>` should follow it), hold it, or write it untracked.
    /// - Throws: ``StreamManagementError/queueFull(limit:)`` when the queue
    ///   is full; the stanza was not accepted.
    mutating func send(_ stanza: OutboundStanza, token: Token, now: MonotonicInstant) throws(StreamManagementError) -> SendDecision {
        guard stanza.isStanza else { return .untracked }
        switch phase {
        case .inactive:
            return .untracked
        case .enabling, .active:
            guard !isFull else { throw .queueFull(limit: configuration.maximumUnacknowledged) }
            sentCount = sentCount.next
            stanzas.append(TrackedStanza(token: token, stanza: stanza, state: .sent, sequenceNumber: sentCount, writtenAt: now))
            return .write(sequenceNumber: sentCount, requestAck: requestAckIfDue(now: now))
        case .detached, .resuming:
            guard !isFull else { throw .queueFull(limit: configuration.maximumUnacknowledged) }
            stanzas.append(TrackedStanza(token: token, stanza: stanza, state: .queued))
            return .queued
        }
    }

    // MARK: Shared steps

    /// Zeroes the counts and forgets the session (the stanzas must have
    /// been handed out already).
    mutating func resetCounts() {
        sentCount = .zero
        acknowledgedCount = .zero
        handledCount = .zero
        ackRequestMark = .zero
        pendingAnswer = nil
        resumableSession = nil
        detachedAt = nil
        requestedResumption = false
    }

    /// Gives the session up (a clean close, a resumption that cannot
    /// happen, a fatal error): everything written and not acknowledged
    /// becomes `unknown`, everything queued `failed`, and the ledger is
    /// inactive, ready for a new `<enable/>`.
    mutating func abandon() -> SessionEnd {
        let (written, queued) = takeAll()
        return SessionEnd(unknown: written.map { $0.with(.unknown) }, failed: queued.map { $0.with(.failed) })
    }

    /// Empties the ledger and makes it inactive.
    /// - Returns: The written stanzas and the queued ones, each in order.
    mutating func takeAll() -> (written: [TrackedStanza<Token>], queued: [TrackedStanza<Token>]) {
        let written = stanzas.filter { $0.state == .sent }
        let queued = stanzas.filter { $0.state == .queued }
        stanzas.removeAll()
        phase = .inactive
        resetCounts()
        return (written, queued)
    }

    /// How far `handled` moves the acknowledged count: `nil` when it is
    /// behind (stale), else the number of stanzas it retires.
    /// - Throws: ``StreamManagementError/handledCountTooHigh(handled:sent:)``
    ///   when it covers more than was sent.
    func advance(to handled: StanzaCount) throws(StreamManagementError) -> UInt32? {
        // Serial-number arithmetic: up to 2^31 behind is "behind", anything
        // else ahead. The queue bound (≤ 2^30) keeps real counts well inside.
        let step = Int32(bitPattern: acknowledgedCount.distance(to: handled))
        guard step >= 0 else { return nil }
        guard UInt32(step) <= outstandingCount else { throw .handledCountTooHigh(handled: handled, sent: sentCount) }
        return UInt32(step)
    }

    /// Retires the first `count` written stanzas (``advance(to:)`` checked
    /// that there are that many).
    /// - Returns: Them, now `acked`, oldest first.
    mutating func retire(_ count: UInt32) -> [TrackedStanza<Token>] {
        guard count > 0 else { return [] }
        let retired = stanzas.prefix(Int(count)).map { $0.with(.acked) }
        stanzas.removeFirst(Int(count))
        if count > acknowledgedCount.distance(to: ackRequestMark) {
            ackRequestMark = acknowledgedCount.advanced(by: count)
        }
        acknowledgedCount = acknowledgedCount.advanced(by: count)
        return retired
    }
}
