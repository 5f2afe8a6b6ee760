public import XMPPCore

/// The presence of everyone we hear from (RFC 6121 §4), per account and
/// per resource: a pure value that applies one presence at a time and says
/// what changed. ``PresenceTracker`` keeps one per session.
///
/// ```swift
/// var ledger = PresenceLedger(account: try FullJID("alice@example.com/phone"))
/// let update = ledger.apply(Presence(from: try JID("bob@example.com/laptop"), show: .away))
/// print(update?.change as Any, ledger.contact(try BareJID("bob@example.com"))?.best?.show as Any)
/// ```
///
/// - An available presence from a full JID records that resource (and
///   clears the account's error). One from a bare JID is not recorded: a
///   client is always a resource.
/// - An unavailable presence removes the resource, or all of the account's
///   resources when it comes from a bare JID.
/// - A presence of type `error` records the error on the account and
///   removes the sender's resources, since they cannot be reached.
/// - Our own account is an account like the others (our other resources,
///   and this one's own broadcast, which the server echoes), kept apart
///   from ``contacts``.
/// - Presences without `from`, probes and subscription requests change
///   nothing: ``apply(_:)`` returns `nil`.
///
/// The number of accounts and of resources per account is bounded, so a
/// flood of presences from made-up addresses cannot grow it without end;
/// beyond the bounds, new accounts and resources are not recorded.
public struct PresenceLedger: Hashable, Sendable {
    /// The session's own full JID.
    public let account: FullJID
    /// At most this many accounts (besides our own) are recorded.
    public let maximumContacts: Int
    /// At most this many resources per account are recorded.
    public let maximumResourcesPerContact: Int

    private var entries: [BareJID: ContactPresence] = [:]

    /// Creates an empty ledger.
    /// - Parameters:
    ///   - account: The session's bound JID.
    ///   - maximumContacts: How many other accounts may be recorded.
    ///   - maximumResourcesPerContact: How many resources each may have.
    public init(account: FullJID, maximumContacts: Int = 10_000, maximumResourcesPerContact: Int = 64) {
        self.account = account
        self.maximumContacts = max(0, maximumContacts)
        self.maximumResourcesPerContact = max(0, maximumResourcesPerContact)
    }

    /// What is known of an account (our own included); `nil` when nothing.
    /// - Parameter jid: The account's bare JID.
    public func contact(_ jid: BareJID) -> ContactPresence? {
        entries[jid]
    }

    /// Every account other than our own that has an available resource or
    /// an error, ordered by JID.
    public var contacts: [ContactPresence] {
        entries.values.filter { $0.jid != account.bare }.sorted { $0.jid.description < $1.jid.description }
    }

    /// Our own account: our other available resources and, once the
    /// server echoed our broadcast, this one.
    public var ownAccount: ContactPresence? {
        entries[account.bare]
    }

    /// Applies one inbound presence.
    /// - Parameter presence: A presence the server delivered.
    /// - Returns: What changed, or `nil` when the presence does not describe
    ///   availability (a probe or subscription request), has no `from`, is
    ///   an available presence from a bare JID, or would exceed the bounds.
    public mutating func apply(_ presence: Presence) -> PresenceUpdate? {
        guard let from = presence.from else { return nil }
        var contact = entries[from.bare] ?? ContactPresence(jid: from.bare)
        let change: PresenceUpdate.Change
        switch presence.type {
        case .available:
            guard let full = from.full else { return nil }
            let isKnown = contact.resource(full.resourcepart) != nil
            guard isKnown || admits(newResourceOf: contact) else { return nil }
            let resource = ResourcePresence(jid: full, presence: presence)
            contact.error = nil
            change = contact.record(resource) ? .available(resource) : .updated(resource)
        case .unavailable:
            contact.error = nil
            change = .unavailable(from.full.map { contact.remove($0) } ?? contact.removeAll())
        case .error:
            guard let error = presence.error, entries[from.bare] != nil || admits(newContact: from.bare) else {
                return nil
            }
            contact.error = error
            change = .failed(error, removed: from.full.map { contact.remove($0) } ?? contact.removeAll())
        case .probe, .subscribe, .subscribed, .unsubscribe, .unsubscribed:
            return nil
        }
        entries[from.bare] = contact.isEmpty ? nil : contact
        return PresenceUpdate(
            jid: from, change: change, presence: presence, contact: contact, isOwnAccount: from.bare == account.bare)
    }

    /// Forgets everything, as when we go unavailable and the server stops
    /// sending us presence (RFC 6121 §4.5).
    /// - Returns: One update per account that had available resources, as
    ///   from ``forget(_:)``.
    public mutating func removeAll() -> [PresenceUpdate] {
        let known = entries.values.sorted { $0.jid.description < $1.jid.description }
        entries.removeAll()
        return known.compactMap(madeUnavailable)
    }

    /// Forgets one account, as when we unsubscribe from it (RFC 6121 §3.3)
    /// and its presence stops coming: what we knew would only go stale.
    /// - Parameter jid: The account's bare JID.
    /// - Returns: ``PresenceUpdate/Change/unavailable(_:)`` with the
    ///   resources it had, caused by an unavailable presence from its bare
    ///   JID made here; `nil` when none was available.
    public mutating func forget(_ jid: BareJID) -> PresenceUpdate? {
        entries.removeValue(forKey: jid).flatMap(madeUnavailable)
    }

    /// The update that says a forgotten account's resources are gone.
    private func madeUnavailable(_ contact: ContactPresence) -> PresenceUpdate? {
        guard contact.isAvailable else { return nil }
        let jid = JID(contact.jid)
        return PresenceUpdate(
            jid: jid, change: .unavailable(contact.resources), presence: Presence(type: .unavailable, from: jid),
            contact: ContactPresence(jid: contact.jid), isOwnAccount: contact.jid == account.bare)
    }

    /// Whether one more resource of `contact` may be recorded.
    private func admits(newResourceOf contact: ContactPresence) -> Bool {
        contact.resources.count < maximumResourcesPerContact
            && (entries[contact.jid] != nil || admits(newContact: contact.jid))
    }

    /// Whether one more account may be recorded; ours always may.
    private func admits(newContact jid: BareJID) -> Bool {
        let others = entries.count - (entries[account.bare] == nil ? 0 : 1)
        return jid == account.bare || others < maximumContacts
    }
}
