import Logging
import NIOCore
public import XMPPCore

/// The presence side of a session (RFC 6121 §3–4): what we announce, the
/// subscriptions we ask for and answer, and what our contacts and our
/// other resources announce.
///
/// Get one with ``XMPPConnection/presenceTracker()``, which starts reading
/// every inbound presence:
///
/// ```swift
/// let tracker = connection.presenceTracker()
/// try await tracker.becomeAvailable(Availability(show: .chat, status: "Ready"))
/// try await tracker.requestSubscription(to: try BareJID("bob@example.com"))
/// for await update in tracker.updates {
///     let state = update.contact.best.map { $0.show?.description ?? "online" } ?? "offline"
///     print(update.contact.jid, state)
/// }
/// ```
///
/// - Our presence: ``becomeAvailable(_:)``, ``becomeUnavailable(status:)``,
///   and directed presence (``sendDirectedPresence(_:to:)``), remembered
///   until ``endDirectedPresence(to:status:)``. Everything goes out through
///   ``XMPPConnection/send(_:)-(Presence)``, so standing extensions such as
///   capabilities are added.
/// - Subscriptions: ``requestSubscription(to:status:)``,
///   ``approveSubscription(from:)``, ``denySubscription(from:)``,
///   ``cancelSubscription(from:)``, ``unsubscribe(from:)``,
///   ``preApproveSubscription(from:)``; what contacts send arrives on
///   ``subscriptionEvents``.
/// - Their presence: a ``PresenceLedger`` (``snapshot``, ``contact(_:)``,
///   ``contacts``, ``ownAccount``), each change also on ``updates``.
public final actor PresenceTracker {
    /// How many undelivered items each stream keeps for a consumer that
    /// does not keep up (the newest are kept), so a tracker whose streams
    /// nobody reads stays bounded.
    static let bufferLimit = 1024

    /// The changes to what is known of everyone's presence, in order;
    /// finishes when the session ends. It has one consumer: iterate it from
    /// one task. Unread, it keeps the newest 1,024.
    public nonisolated let updates: AsyncStream<PresenceUpdate>
    /// The subscription stanzas contacts send (requests, approvals,
    /// cancellations), in order; finishes when the session ends. It has one
    /// consumer. Unread, it keeps the newest 1,024.
    public nonisolated let subscriptionEvents: AsyncStream<PresenceSubscriptionEvent>

    let connection: XMPPConnection
    let updatesContinuation: AsyncStream<PresenceUpdate>.Continuation
    let subscriptionContinuation: AsyncStream<PresenceSubscriptionEvent>.Continuation
    var ledger: PresenceLedger
    /// What we last broadcast while available; `nil` while unavailable.
    var announced: Availability?
    /// Where directed available presence went, oldest first.
    var directed: [(recipient: JID, availability: Availability)] = []

    /// Runs on the connection's event loop, like the connection.
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        connection.unownedExecutor
    }

    init(connection: XMPPConnection) {
        self.connection = connection
        ledger = PresenceLedger(account: connection.boundJID)
        (updates, updatesContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(Self.bufferLimit))
        (subscriptionEvents, subscriptionContinuation) = AsyncStream.makeStream(
            bufferingPolicy: .bufferingNewest(Self.bufferLimit))
        let updates = updatesContinuation
        let events = subscriptionContinuation
        connection.channel.closeFuture.whenComplete { _ in
            updates.finish()
            events.finish()
        }
    }

    /// Everything known of everyone's presence now.
    public var snapshot: PresenceLedger { ledger }

    /// What is known of one account's presence (ours included); `nil` when
    /// nothing is.
    /// - Parameter jid: The account's bare JID.
    public func contact(_ jid: BareJID) -> ContactPresence? {
        ledger.contact(jid)
    }

    /// Every other account with an available resource or an error.
    public var contacts: [ContactPresence] { ledger.contacts }

    /// Our own account's available resources (this one once the server
    /// echoed our broadcast).
    public var ownAccount: ContactPresence? { ledger.ownAccount }

    /// What we last broadcast with ``becomeAvailable(_:)``; `nil` before
    /// that and after ``becomeUnavailable(status:)``.
    public var availability: Availability? { announced }

    /// Where directed available presence went and has not been ended, in
    /// the order it was first sent.
    public var directedPresenceRecipients: [JID] { directed.map(\.recipient) }

    /// Reads the connection's presences until the session ends.
    func consume(_ feed: XMPPStanzaStream<Presence>) async {
        do {
            for try await presence in feed {
                receive(presence)
            }
        } catch {
            connection.logger.debug("XMPP presence feed ended", metadata: [XMPPLoggingKey.error: "\(error)"])
        }
        updatesContinuation.finish()
        subscriptionContinuation.finish()
    }

    /// Routes one inbound presence: subscription stanzas to
    /// ``subscriptionEvents``, the others to the ledger and ``updates``.
    func receive(_ presence: Presence) {
        let metadata: Logger.Metadata = [
            XMPPLoggingKey.stanzaFrom: "\(presence.from?.description ?? "")",
            "xmpp.presence_type": "\(presence.type)",
        ]
        if PresenceSubscriptionEvent.isSubscriptionType(presence.type) {
            // RFC 6121 §3.1.3: the server stamps the bare JID; a full JID
            // (or no from) did not come through the contact's server.
            guard let event = PresenceSubscriptionEvent(presence) else {
                connection.logger.debug("XMPP subscription presence ignored: sender is not a bare JID", metadata: metadata)
                return
            }
            subscriptionContinuation.yield(event)
            return
        }
        guard let update = ledger.apply(presence) else {
            connection.logger.debug("XMPP presence not recorded", metadata: metadata)
            return
        }
        updatesContinuation.yield(update)
    }
}

extension XMPPConnection {
    /// A new presence tracker for this session: it reads every inbound
    /// presence from now until the session ends.
    ///
    /// ```swift
    /// let tracker = connection.presenceTracker()
    /// try await tracker.becomeAvailable()
    /// ```
    ///
    /// Make one per session, at the top of the `withConnection` body. It
    /// subscribes to ``presences(from:)``, so it also receives the
    /// presences held because they arrived before anybody asked for them
    /// (a subscription made later no longer finds those). It lives, and
    /// reads, until the session ends, whether or not you keep it; a second
    /// tracker would keep a state of its own.
    /// - Returns: The tracker; nothing is sent until you call it.
    public nonisolated func presenceTracker() -> PresenceTracker {
        let tracker = PresenceTracker(connection: self)
        let feed = presences()
        Task { await tracker.consume(feed) }
        return tracker
    }
}
