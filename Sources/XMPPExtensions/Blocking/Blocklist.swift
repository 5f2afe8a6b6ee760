import Logging
import XMPP
public import XMPPCore

/// The account's blocklist (XEP-0191): the JIDs whose stanzas the server
/// drops or bounces, and ours to them.
///
/// Get one with ``XMPPConnection/blocklist(timeout:)``, which checks that
/// the server supports blocking and starts answering its pushes:
///
/// ```swift
/// let blocklist = try await connection.blocklist()
/// try await blocklist.fetch()
/// try await blocklist.block([try JID("spammer@example.net")])
/// for await change in blocklist.changes { print(change) }
/// ```
///
/// ``items`` follows our own requests once the server confirms them, and
/// the server's pushes about changes other sessions of the account make.
/// Prosody pushes only to sessions that fetched the list, so call
/// ``fetch()`` first.
public final actor Blocklist {
    /// How many unread changes ``changes`` holds before dropping the oldest.
    public static let changeBufferLimit = 256

    /// The changes, in order, made by this session or pushed by the server;
    /// each lists only what actually changed. Holds the newest
    /// ``changeBufferLimit`` unread ones (``items`` is always current) and
    /// finishes when the session ends. Iterate it from one task.
    public nonisolated let changes: AsyncStream<BlocklistChange>

    private let connection: XMPPConnection
    private let changesContinuation: AsyncStream<BlocklistChange>.Continuation
    private var state = BlocklistState()

    /// Runs on the connection's event loop, like the connection.
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        connection.unownedExecutor
    }

    init(connection: XMPPConnection) {
        self.connection = connection
        (changes, changesContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(Self.changeBufferLimit))
        let continuation = changesContinuation
        connection.whenClosed { continuation.finish() }
    }

    /// The blocked JIDs, as last fetched and changed since.
    public var items: [JID] { state.jids }

    /// Whether the server blocks `jid` by this list: it is listed, or its
    /// bare JID is, or its domain is (XEP-0191 §3.3 matches JIDs as
    /// RFC 6121 privacy rules do).
    /// - Parameter jid: Any JID.
    public func blocks(_ jid: JID) -> Bool {
        state.blocks(jid)
    }

    /// Fetches the blocklist (XEP-0191 §3.2) and replaces ``items``; also
    /// asks the server to push later changes to this session.
    /// - Returns: The blocked JIDs.
    /// - Throws: ``XMPPClientError``, as from
    ///   ``XMPPConnection/request(_:to:timeout:)``.
    @discardableResult
    public func fetch() async throws -> [JID] {
        state.replace(with: try await connection.request(BlocklistRequest()))
        connection.logger.debug("XMPP blocklist fetched", metadata: ["xmpp.blocklist.count": "\(state.jids.count)"])
        return state.jids
    }

    /// Blocks `jids` (XEP-0191 §3.3); ``items`` and ``changes`` follow once
    /// the server confirms. Nothing is sent for an empty list.
    /// - Parameter jids: Bare JIDs block accounts, domains whole servers,
    ///   full JIDs single resources.
    /// - Throws: ``XMPPClientError``; ``XMPPClientError/Code/stanzaError``
    ///   when the server refuses (for example `jid-malformed`).
    public func block(_ jids: [JID]) async throws {
        guard !jids.isEmpty else { return }
        try await connection.request(BlockRequest(jids))
        apply(.blocked(jids))
    }

    /// Unblocks `jids` (XEP-0191 §3.4). Nothing is sent for an empty list
    /// (which on the wire would unblock everything: use ``unblockAll()``).
    /// - Parameter jids: The JIDs, as they were blocked.
    /// - Throws: ``XMPPClientError``.
    public func unblock(_ jids: [JID]) async throws {
        guard !jids.isEmpty else { return }
        try await connection.request(UnblockRequest(jids))
        apply(.unblocked(jids))
    }

    /// Unblocks every JID (XEP-0191 §3.5).
    /// - Throws: ``XMPPClientError``.
    public func unblockAll() async throws {
        try await connection.request(UnblockRequest([]))
        apply(.unblockedAll)
    }

    /// Handles an inbound `urn:xmpp:blocking` request: a push (see
    /// ``BlocklistPush/change(in:account:)`` for what is accepted).
    func receivedPush(_ request: IQ) throws(StanzaError) -> XMLElement? {
        do {
            apply(try BlocklistPush.change(in: request, account: connection.boundJID.bare))
            return nil
        } catch {
            connection.logger.debug(
                "XMPP blocklist push ignored",
                metadata: ["xmpp.stanza_id": "\(request.id)", "xmpp.stanza_from": "\(request.from?.description ?? "")",
                           "xmpp.reason": "\(error.condition.name)"])
            throw error
        }
    }

    /// Applies a change and emits what it changed.
    private func apply(_ change: BlocklistChange) {
        guard let effective = state.apply(change) else { return }
        changesContinuation.yield(effective)
    }
}
