public import XMPPCore

/// A presence subscription stanza from a contact (RFC 6121 §3), as
/// ``PresenceTracker/subscriptionEvents`` delivers it.
///
/// ```swift
/// for await event in tracker.subscriptionEvents {
///     if case .requested(let contact, _) = event { try await tracker.approveSubscription(from: contact) }
/// }
/// ```
///
/// The server stamps these with the contact's bare JID (RFC 6121 §3.1.3),
/// so one from a full JID, or without `from`, is not the contact's and is
/// never delivered.
public enum PresenceSubscriptionEvent: Hashable, Sendable {
    /// `subscribe`: the contact asks to see our presence. Answer with
    /// ``PresenceTracker/approveSubscription(from:)`` or
    /// ``PresenceTracker/denySubscription(from:)``. The presence may carry
    /// a status text or a nickname (XEP-0172).
    case requested(BareJID, Presence)
    /// `subscribed`: the contact approved our request; we receive its
    /// presence from now on.
    case approved(BareJID)
    /// `unsubscribed`: the contact denied our request, or cancelled the
    /// subscription it had granted; we no longer receive its presence.
    case cancelled(BareJID)
    /// `unsubscribe`: the contact no longer wants our presence (the server
    /// has already stopped sending it).
    case unsubscribed(BareJID)

    /// The contact the event is about.
    public var contact: BareJID {
        switch self {
        case .requested(let jid, _), .approved(let jid), .cancelled(let jid), .unsubscribed(let jid): jid
        }
    }

    /// Reads a subscription stanza.
    /// - Returns: `nil` for other presence types, and when `from` is
    ///   missing or not a bare JID.
    init?(_ presence: Presence) {
        guard let from = presence.from, from.isBare else { return nil }
        switch presence.type {
        case .subscribe: self = .requested(from.bare, presence)
        case .subscribed: self = .approved(from.bare)
        case .unsubscribed: self = .cancelled(from.bare)
        case .unsubscribe: self = .unsubscribed(from.bare)
        case .available, .unavailable, .error, .probe: return nil
        }
    }

    /// Whether a presence type is one of the four subscription types.
    static func isSubscriptionType(_ type: Presence.StanzaType) -> Bool {
        switch type {
        case .subscribe, .subscribed, .unsubscribe, .unsubscribed: true
        case .available, .unavailable, .error, .probe: false
        }
    }
}
