public import XMPPCore

extension XMPPClient {
    /// Where an ``XMPPClient`` stands.
    public enum State: Hashable, Sendable, CustomStringConvertible {
        /// ``XMPPClient/run()`` has not been called yet.
        case idle
        /// Connecting; `attempt` counts from 1 since the last session.
        case connecting(attempt: Int)
        /// A session is up.
        case connected(boundJID: FullJID, resumed: Bool)
        /// Waiting before the next attempt.
        case waitingToReconnect(attempt: Int, delay: Duration)
        /// ``XMPPClient/run()`` has returned; the client is done.
        case stopped

        /// For logs, for example `"connected (resumed)"`.
        public var description: String {
            switch self {
            case .idle: "idle"
            case .connecting(let attempt): "connecting (attempt \(attempt))"
            case .connected(let jid, let resumed): "connected as \(jid)\(resumed ? " (resumed)" : "")"
            case .waitingToReconnect(let attempt, let delay): "reconnecting in \(delay) (attempt \(attempt))"
            case .stopped: "stopped"
            }
        }
    }

    /// What happened to an ``XMPPClient``'s connection, in order; see
    /// ``XMPPClient/events()``.
    public enum Event: Sendable {
        /// The state changed.
        case stateChanged(State)
        /// A session started. When it resumed the previous one, nothing was
        /// lost in between. Otherwise it is a new session: the server may
        /// have dropped stanzas addressed to the old full JID, presence was
        /// sent again (``XMPPClient/Configuration/initialPresence``), the
        /// session-start handlers ran, and `resumptionFailure` says why an
        /// earlier session could not be resumed (when there was one).
        case sessionStarted(boundJID: FullJID, resumed: Bool, resumptionFailure: XMPPClientError?)
        /// A session or a connection attempt ended with this error; the
        /// client tries again unless ``State/stopped`` follows.
        case disconnected(XMPPClientError)
        /// These stanzas, sent with ``XMPPClient/send(_:)-(XMLElement)``,
        /// are not known to have reached the server: the server did not
        /// acknowledge them before their session ended for good (for
        /// example it refused to resume it), or they were still queued
        /// when the client stopped. Nothing is ever dropped without this
        /// report; resend what matters (XEP-0359 origin-ids let receivers
        /// spot duplicates). Stanzas sent with
        /// ``XMPPClient/sendAcknowledged(_:)-(XMLElement)`` are reported to
        /// their caller instead.
        case notDelivered([XMLElement], XMPPClientError)
    }
}
