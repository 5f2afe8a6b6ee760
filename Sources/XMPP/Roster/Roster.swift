import Logging
import NIOCore
public import XMPPCore

/// The user's roster (RFC 6121 §2): the contact list the server keeps, its
/// changes pushed by the server, and a cache for versioned fetches.
///
/// Get one with ``XMPPConnection/roster(cache:)``, which also starts
/// answering roster pushes:
///
/// ```swift
/// let roster = try await connection.roster(cache: cache)
/// for item in try await roster.fetch() { print(item.jid, item.subscription) }
/// try await roster.setItem(RosterItem(jid: try BareJID("carol@example.com"), name: "Carol"))
/// ```
///
/// The snapshot (``items``) changes only through ``fetch()`` and roster
/// pushes; ``setItem(_:)`` and ``remove(_:)`` ask the server, whose push
/// then reaches the snapshot and ``changes``.
public final actor Roster {
    /// The roster changes the server pushed, in order; finishes when the
    /// session ends. It has one consumer: iterate it from one task.
    public nonisolated let changes: AsyncStream<RosterChange>

    let connection: XMPPConnection
    let cache: any RosterCache
    let changesContinuation: AsyncStream<RosterChange>.Continuation
    /// The snapshot, in the server's order; pushes append new contacts.
    var snapshot: [RosterItem] = []
    /// The version of ``snapshot``, if the server gave one.
    var version: String?

    /// Runs on the connection's event loop, like the connection.
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        connection.unownedExecutor
    }

    init(connection: XMPPConnection, cache: any RosterCache) {
        self.connection = connection
        self.cache = cache
        (changes, changesContinuation) = AsyncStream<RosterChange>.makeStream()
        if let cached = cache.load() {
            snapshot = cached.items
            version = cached.version
        }
        let continuation = changesContinuation
        connection.channel.closeFuture.whenComplete { _ in continuation.finish() }
    }

    /// The contacts as last fetched or pushed (at first, what the cache
    /// held).
    public var items: [RosterItem] { snapshot }

    /// Whether the server announced roster versioning
    /// (`<ver xmlns='urn:xmpp:features:rosterver'/>`).
    public nonisolated var serverSupportsVersioning: Bool {
        connection.streamFeatures.element.firstChild(named: "ver", namespace: "urn:xmpp:features:rosterver") != nil
    }

    /// Fetches the roster (RFC 6121 §2.2) and replaces the snapshot.
    ///
    /// When the server supports versioning, the request carries the cached
    /// version (RFC 6121 §2.6): an empty result means the cache is current
    /// and its items are kept; a full result replaces them, and it and its
    /// new version are stored in the cache. Items that do not parse (an
    /// invalid JID, an unknown subscription) are skipped and logged at
    /// `debug`.
    /// - Returns: The roster.
    /// - Throws: ``XMPPClientError``, as from
    ///   ``XMPPConnection/request(_:to:timeout:)``.
    @discardableResult
    public func fetch() async throws -> [RosterItem] {
        let cached = cache.load()
        let sentVersion = serverSupportsVersioning ? (cached?.version ?? "") : nil
        let result = try await connection.request(RosterGet(version: sentVersion))
        guard let query = result else {
            // Empty result: the version we sent is current (RFC 6121 §2.6.3).
            snapshot = cached?.items ?? []
            version = cached?.version
            connection.logger.debug(
                "XMPP roster is current; cached items kept", metadata: ["xmpp.roster.version": "\(version ?? "")"])
            return snapshot
        }
        snapshot = items(in: query)
        version = query[attribute: "ver"]
        if let version { cache.store(version: version, items: snapshot) }
        connection.logger.debug(
            "XMPP roster fetched",
            metadata: ["xmpp.roster.version": "\(version ?? "")", "xmpp.roster.count": "\(snapshot.count)"])
        return snapshot
    }

    /// Adds a contact or updates one (RFC 6121 §2.3, §2.4): its name and
    /// groups. The subscription is the server's to manage and is not sent.
    ///
    /// The snapshot changes when the server's push arrives, not here.
    /// - Parameter item: The contact.
    /// - Throws: ``XMPPClientError``; ``XMPPClientError/Code/stanzaError``
    ///   when the server refused (for example `not-acceptable` for a name
    ///   that is too long).
    public func setItem(_ item: RosterItem) async throws {
        var item = item
        if item.subscription == .remove { item.subscription = .none }
        try await connection.request(RosterSet(item: item))
    }

    /// Removes a contact (RFC 6121 §2.5), which also cancels the presence
    /// subscriptions with it.
    ///
    /// The snapshot changes when the server's push arrives, not here.
    /// - Parameter jid: The contact's bare JID.
    /// - Throws: ``XMPPClientError``; ``XMPPClientError/Code/stanzaError``
    ///   with `item-not-found` when the contact is not in the roster.
    public func remove(_ jid: BareJID) async throws {
        try await connection.request(RosterSet(item: RosterItem(jid: jid, subscription: .remove)))
    }

    /// The items of a roster query; those that do not parse are skipped.
    func items(in query: XMLElement) -> [RosterItem] {
        var items: [RosterItem] = []
        for element in query.children(named: "item", namespace: RosterItem.namespace) {
            do {
                let item = try RosterItem(element: element)
                if let index = items.firstIndex(where: { $0.jid == item.jid }) {
                    items[index] = item
                } else {
                    items.append(item)
                }
            } catch {
                connection.logger.debug("XMPP roster item skipped", metadata: [XMPPLoggingKey.error: "\(error)"])
            }
        }
        return items
    }
}

/// A change to the roster that the server pushed (RFC 6121 §2.1.6).
public enum RosterChange: Hashable, Sendable {
    /// A contact was added or changed; the item as it is now.
    case updated(RosterItem)
    /// A contact was removed; the pushed item (subscription `remove`).
    case removed(RosterItem)

    /// The pushed item.
    public var item: RosterItem {
        switch self {
        case .updated(let item), .removed(let item): item
        }
    }
}

extension XMPPConnection {
    /// The roster of this session, answering roster pushes
    /// (RFC 6121 §2.1.6) from now until the session ends.
    ///
    /// ```swift
    /// let roster = try await connection.roster()
    /// let contacts = try await roster.fetch()
    /// ```
    ///
    /// Call it once per session: it registers the handler for
    /// `{jabber:iq:roster}query`.
    /// - Parameter cache: Where the roster and its version are kept between
    ///   sessions; by default a new ``InMemoryRosterCache``.
    /// - Returns: The roster; its ``Roster/items`` start as the cache's.
    /// - Throws: ``XMPPClientError/Code/handlerAlreadyRegistered`` when the
    ///   roster (or another handler for its payload) already exists;
    ///   ``XMPPClientError/Code/connectionClosed`` after the session ended.
    public func roster(cache: any RosterCache = InMemoryRosterCache()) throws(XMPPClientError) -> Roster {
        let roster = Roster(connection: self, cache: cache)
        try handleIQ(namespace: RosterItem.namespace, localName: "query") { [weak roster] request in
            guard let roster else { throw StanzaError(.serviceUnavailable) }
            return try await roster.receivedPush(request)
        }
        return roster
    }
}
