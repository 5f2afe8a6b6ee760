/// The rules that notice a dead connection (security.md P42): pure, no
/// clock, no I/O; instants come in with the inputs.
///
/// Three rules run side by side once the session is established:
/// - **Keepalive.** When nothing was written for the keepalive interval, a
///   single space goes out between top-level elements (RFC 6120 §4.6.1), so
///   that NATs and the server do not drop an idle connection.
/// - **Silence probe.** When nothing at all was read for the silence
///   interval (whitespace counts as reading), the session asks the server
///   for an answer (`<r/>` or a XEP-0199 ping; the session picks). When
///   still nothing is read within the probe timeout, the peer is
///   unresponsive: a half-open connection, or one blackholed towards us.
/// - **Ack deadline.** Every XEP-0198 `<r/>` written must be answered by an
///   `<a/>` within the probe timeout. This catches what silence cannot: our
///   direction blackholed while the server's bytes still arrive. A later
///   `<r/>` never moves the deadline (a peer that keeps failing to answer
///   must not be given more time by our own requests); any `<a/>`, even a
///   stale one, proves the server reads us and clears it.
///
/// The monitor hands out the instant it wants to hear from the clock again
/// (``nextWakeUp``). Inputs that only push the rules later (reads, writes,
/// `<a/>`) leave a scheduled wake-up where it is: it fires early, finds
/// nothing due and moves on, which saves rescheduling on every byte. Only
/// inputs that need an earlier wake-up (an `<r/>`, the start) ask for a
/// move (``rescheduleIfEarlier()``).
struct LivenessMonitor: Sendable {
    /// The intervals; every one is positive (checked where the public
    /// configuration is turned into this one).
    struct Configuration: Hashable, Sendable {
        /// Write a space after this long without writing anything; `nil`
        /// for no keepalives.
        var keepaliveInterval: Duration?
        /// Probe after this long without reading anything; `nil` for no
        /// silence probes.
        var probeAfterSilence: Duration?
        /// How long a probe, or an `<r/>`, waits for its answer.
        var probeTimeout: Duration
    }

    /// What to do when woken up.
    enum Duty: Hashable, Sendable {
        /// Write a single space: nothing was written for the keepalive
        /// interval.
        case writeWhitespace
        /// Probe the server: nothing was read for the silence interval. The
        /// monitor now waits for a read until the probe timeout.
        case probe
        /// The peer did not answer in time; end the session.
        case timeOut(Unanswered)
    }

    /// What went unanswered.
    enum Unanswered: Hashable, Sendable, CustomStringConvertible {
        /// Nothing was read for this long after a silence probe.
        case probe(Duration)
        /// No `<a/>` arrived this long after an `<r/>`.
        case ackRequest(Duration)

        /// For the error's detail, for example `"no <a/> within 30 seconds of <r/>"`.
        var description: String {
            switch self {
            case .probe(let timeout): "nothing read within \(Self.seconds(timeout)) of a probe"
            case .ackRequest(let timeout): "no <a/> within \(Self.seconds(timeout)) of <r/>"
            }
        }

        private static func seconds(_ duration: Duration) -> String {
            let (seconds, attoseconds) = duration.components
            return attoseconds == 0 ? "\(seconds) seconds" : "\(duration)"
        }
    }

    /// The intervals; `nil` when liveness is off (the monitor never runs).
    let configuration: Configuration?
    /// Whether the rules run: from ``start(at:)`` to ``stop()`` or a
    /// time-out.
    private(set) var isRunning = false
    /// The last time anything was written.
    private(set) var lastWrite = MonotonicInstant(nanoseconds: 0)
    /// The last time anything was read.
    private(set) var lastRead = MonotonicInstant(nanoseconds: 0)
    /// When the outstanding silence probe was written, if one is.
    private(set) var probeSentAt: MonotonicInstant?
    /// When the first `<r/>` no `<a/>` answered yet must be answered by.
    private(set) var ackDeadline: MonotonicInstant?
    /// The wake-up the caller has scheduled, if any.
    private(set) var scheduledWakeUp: MonotonicInstant?

    /// Creates a monitor that does nothing until ``start(at:)``.
    /// - Parameter configuration: The intervals; `nil` never runs.
    init(configuration: Configuration?) {
        self.configuration = configuration
    }

    // MARK: Inputs

    /// The session is established at `now`: the rules start, counting both
    /// directions from `now`.
    /// - Returns: The wake-up to schedule, or `nil` when liveness is off.
    mutating func start(at now: MonotonicInstant) -> MonotonicInstant? {
        guard configuration != nil else { return nil }
        isRunning = true
        lastWrite = now
        lastRead = now
        probeSentAt = nil
        ackDeadline = nil
        return rescheduleIfEarlier()
    }

    /// The rules stop (the session is closing or over); nothing is due any
    /// more and a scheduled wake-up is forgotten.
    mutating func stop() {
        isRunning = false
        probeSentAt = nil
        ackDeadline = nil
        scheduledWakeUp = nil
    }

    /// Bytes arrived (whitespace included): the peer is alive. Ends a
    /// silence probe's wait; an `<r/>` still waits for its `<a/>`.
    mutating func bytesRead(at now: MonotonicInstant) {
        guard isRunning else { return }
        if now > lastRead { lastRead = now }
        probeSentAt = nil
    }

    /// Something was written (an element, a header, a space).
    mutating func wrote(at now: MonotonicInstant) {
        guard isRunning else { return }
        if now > lastWrite { lastWrite = now }
    }

    /// An `<r/>` was written at `now`; the first one not answered sets the
    /// ack deadline, later ones leave it.
    /// - Returns: The wake-up to schedule when it must move earlier.
    mutating func ackRequested(at now: MonotonicInstant) -> MonotonicInstant? {
        guard isRunning, let configuration else { return nil }
        wrote(at: now)
        if ackDeadline == nil { ackDeadline = now.advanced(by: configuration.probeTimeout) }
        return rescheduleIfEarlier()
    }

    /// An `<a/>` arrived (any, even a stale one): the server reads us.
    mutating func ackReceived() {
        ackDeadline = nil
    }

    /// The wake-up scheduled for `instant` fired: ask ``due(at:)`` what to
    /// do, then ``rescheduleIfEarlier()`` for the next one.
    /// - Returns: Whether it is the scheduled one; a replaced one is
    ///   ignored.
    mutating func wakeUpFired(at instant: MonotonicInstant) -> Bool {
        guard scheduledWakeUp == instant else { return false }
        scheduledWakeUp = nil
        return true
    }

    /// What is due at `now`, at most one thing, and the state moved on as if
    /// it was done: a time-out stops the monitor, a probe starts its wait
    /// and counts as a write, a space counts as a write. A probe takes the
    /// place of a keepalive due at the same time (it writes too), so there
    /// is never more than one write per wake-up.
    mutating func due(at now: MonotonicInstant) -> Duty? {
        guard isRunning, let configuration else { return nil }
        if let sentAt = probeSentAt, sentAt.advanced(by: configuration.probeTimeout) <= now {
            stop()
            return .timeOut(.probe(configuration.probeTimeout))
        }
        if let ackDeadline, ackDeadline <= now {
            stop()
            return .timeOut(.ackRequest(configuration.probeTimeout))
        }
        if probeSentAt == nil, let silence = configuration.probeAfterSilence, lastRead.advanced(by: silence) <= now {
            probeSentAt = now
            wrote(at: now)
            return .probe
        }
        if let interval = configuration.keepaliveInterval, lastWrite.advanced(by: interval) <= now {
            wrote(at: now)
            return .writeWhitespace
        }
        return nil
    }

    // MARK: Scheduling

    /// The earliest instant a rule becomes due, or `nil` when none can
    /// (stopped, or everything switched off).
    var nextWakeUp: MonotonicInstant? {
        guard isRunning, let configuration else { return nil }
        var next: MonotonicInstant?
        func consider(_ instant: MonotonicInstant?) {
            guard let instant else { return }
            if next.map({ instant < $0 }) ?? true { next = instant }
        }
        if let sentAt = probeSentAt {
            consider(sentAt.advanced(by: configuration.probeTimeout))
        } else if let silence = configuration.probeAfterSilence {
            consider(lastRead.advanced(by: silence))
        }
        consider(ackDeadline)
        if let interval = configuration.keepaliveInterval { consider(lastWrite.advanced(by: interval)) }
        return next
    }

    /// Records that the wake-up is scheduled at ``nextWakeUp`` when that is
    /// earlier than the one scheduled (or none is).
    /// - Returns: The instant to schedule (replacing the one before), or
    ///   `nil` when the scheduled wake-up can stay.
    mutating func rescheduleIfEarlier() -> MonotonicInstant? {
        guard let next = nextWakeUp, scheduledWakeUp.map({ next < $0 }) ?? true else { return nil }
        scheduledWakeUp = next
        return next
    }
}
