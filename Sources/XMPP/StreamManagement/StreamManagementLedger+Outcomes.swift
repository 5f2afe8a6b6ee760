import XMPPCore

extension StreamManagementLedger {
    /// What to do with a stanza given to ``send(_:token:now:)``.
    enum SendDecision: Hashable, Sendable {
        /// Write it now; it is number `sequenceNumber` of the send count.
        /// When `requestAck` is set, write `<r/>` right after it.
        case write(sequenceNumber: StanzaCount, requestAck: Bool)
        /// Hold it: the connection is down or being resumed. It is kept and
        /// handed back, in order, by ``resumed(previousID:handled:now:)``
        /// (or as `unsent` or `failed` if the session ends).
        case queued
        /// Write it; the ledger does not track it (not a stanza, or stream
        /// management is not on). The token is not kept.
        case untracked
    }

    /// What an `<a h/>` did.
    enum AckOutcome: Hashable, Sendable {
        /// These stanzas are now `acked`, oldest first; none when `h`
        /// repeats the last one.
        case acknowledged([TrackedStanza<Token>])
        /// `h` is behind the last one: ignored (log it).
        case stale(handled: StanzaCount)
    }

    /// What the connection's loss means for the session.
    enum ConnectionLoss: Hashable, Sendable {
        /// The session can be resumed: stanzas are kept, new ones queue.
        /// Reconnect and call ``resume(now:)``.
        case resumable
        /// The session is over: these are the stanzas that were in flight.
        case ended(SessionEnd)
    }

    /// The stanzas left when a session ends without resumption.
    struct SessionEnd: Hashable, Sendable {
        /// Written, never acknowledged: `unknown`, oldest first.
        var unknown: [TrackedStanza<Token>]
        /// Never written: `failed`, in the order given.
        var failed: [TrackedStanza<Token>]

        /// Whether no stanza was in flight.
        var isEmpty: Bool { unknown.isEmpty && failed.isEmpty }
    }

    /// What `<resumed/>` did.
    struct Resumption: Hashable, Sendable {
        /// Stanzas the server had handled: now `acked`, oldest first.
        var acked: [TrackedStanza<Token>]
        /// Stanzas the server had not handled: write them again, in this
        /// order, before anything else (their numbers are unchanged).
        var resent: [TrackedStanza<Token>]
        /// Stanzas queued while the connection was down, now numbered:
        /// write them after ``resent``.
        var flushed: [TrackedStanza<Token>]
        /// Whether to write `<r/>` after them (P33).
        var requestAck: Bool

        /// Everything to write, in order: ``resent``, then ``flushed``.
        var toWrite: [TrackedStanza<Token>] { resent + flushed }
    }

    /// What a `<failed/>` did.
    enum Failure: Hashable, Sendable {
        /// It refused `<enable/>`. Stream management is off; the stanzas
        /// written meanwhile stay `sent` (as on any stream without acks).
        case enableRefused(sentWithoutManagement: [TrackedStanza<Token>], condition: StanzaError.Condition?)
        /// It refused `<resume/>`; the ledger is inactive again.
        case resumeRefused(ResumeFailure)
    }

    /// The stanzas of a session the server would not resume.
    struct ResumeFailure: Hashable, Sendable {
        /// Covered by the `h` in `<failed/>`: `acked`, oldest first.
        var acked: [TrackedStanza<Token>]
        /// Written and not covered (all of them without `h`): `unknown`,
        /// oldest first. Surface them, or resend them on the new session.
        var unknown: [TrackedStanza<Token>]
        /// Queued and never written: still `queued`. Send them on the new
        /// session, after any resent ``unknown`` ones and before new stanzas.
        var unsent: [TrackedStanza<Token>]
        /// The server's reason, if it gave one (for example `item-not-found`).
        var condition: StanzaError.Condition?
    }
}
