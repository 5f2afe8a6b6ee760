import XMPPCore

/// A XEP-0198 session whose connection was lost while it could still be
/// resumed: what the next connection needs to write `<resume/>` and to
/// carry on exactly where the old one stopped.
///
/// Made by the session machine when the connection drops without a clean
/// close (``SessionStateMachine/Action/carryOver(_:)``), and handed to the
/// machine of the next connection
/// (``SessionStateMachine/Configuration/resumption``), which resumes it
/// after authenticating, or reports its stanzas when the server refuses.
struct DetachedSession: Sendable {
    /// The ledger, detached: the SM-ID, the counts, and the stanzas the
    /// server has not acknowledged yet, in order.
    var ledger: StreamManagementLedger<OutboundStanzaToken>
    /// The full JID of the session: a resumed session keeps it.
    var boundJID: FullJID
    /// The last token number handed out, so that tokens stay unique across
    /// connections (waiters are kept by token).
    var lastOutboundToken: UInt64
}
