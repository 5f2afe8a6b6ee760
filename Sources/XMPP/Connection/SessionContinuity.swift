import NIOCore
import Synchronization
import XMPPCore

/// What outlives one connection of a session that may be resumed
/// (XEP-0198): the detached session to resume, the callers waiting for
/// acknowledgements of stanzas still in flight, and where to report
/// stanzas nobody waits for that turned out not to be known delivered.
///
/// A scoped ``XMPPConnection`` gets a fresh one that it alone uses; an
/// ``XMPPClient`` keeps one for its whole life and hands it to every
/// connection, so a wait for an acknowledgement survives a reconnection
/// and completes when the resumed session's `<resumed h/>` or `<a h/>`
/// covers the stanza. Channel handlers on different event loops may touch
/// it, one at a time (a client has one connection at a time), hence the
/// lock.
final class SessionContinuity: Sendable {
    /// Reports stanzas sent without a waiter that the session could not
    /// confirm (the session ended, or the server refused to resume), with
    /// the reason.
    typealias UnacknowledgedReporter = @Sendable ([XMLElement], XMPPClientError) -> Void

    private struct State {
        var detached: DetachedSession?
        var waiters: [OutboundStanzaToken: EventLoopPromise<Void>] = [:]
    }

    private let state: Mutex<State>
    /// Where unawaited stanzas not known to be delivered are reported;
    /// `nil` logs them only.
    let reportUnacknowledged: UnacknowledgedReporter?
    /// A client's message answerers, which each of its connections runs
    /// besides its own; `nil` for a connection of its own, whose reads then
    /// skip them without a lock.
    let answerers: SharedMessageAnswerers?

    /// Creates an empty continuity.
    /// - Parameters:
    ///   - reportUnacknowledged: Where unawaited stanzas not known to be
    ///     delivered are reported, besides the log.
    ///   - answerers: A client's message answerers, if any.
    init(reportUnacknowledged: UnacknowledgedReporter? = nil, answerers: SharedMessageAnswerers? = nil) {
        self.state = Mutex(State())
        self.reportUnacknowledged = reportUnacknowledged
        self.answerers = answerers
    }

    /// The session to resume on the next connection, if any.
    var detached: DetachedSession? {
        state.withLock { $0.detached }
    }

    /// Replaces the session to resume (`nil` once it was resumed, refused
    /// or given up).
    func setDetached(_ session: DetachedSession?) {
        state.withLock { $0.detached = session }
    }

    /// Whether a session waits to be resumed.
    var isResumable: Bool { detached != nil }

    /// Registers a caller waiting for `token`'s acknowledgement.
    func addWaiter(_ promise: EventLoopPromise<Void>, for token: OutboundStanzaToken) {
        state.withLock { $0.waiters[token] = promise }
    }

    /// Removes and returns the waiter of `token`, if one waits.
    func takeWaiter(_ token: OutboundStanzaToken) -> EventLoopPromise<Void>? {
        state.withLock { $0.waiters.removeValue(forKey: token) }
    }

    /// Removes and returns every waiter (the session ended for good).
    func takeAllWaiters() -> [EventLoopPromise<Void>] {
        state.withLock { state in
            let all = Array(state.waiters.values)
            state.waiters.removeAll()
            return all
        }
    }

    /// How many callers wait for an acknowledgement.
    var waiterCount: Int { state.withLock { $0.waiters.count } }
}
