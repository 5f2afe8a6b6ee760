import Synchronization

/// Where a ``Roster`` keeps the roster between sessions, so that a versioned
/// fetch (RFC 6121 §2.6) can skip an unchanged roster.
///
/// Implement it over a file or a database to keep the roster across
/// launches; ``InMemoryRosterCache`` keeps it for the life of the value.
/// Calls come from the roster's actor, one at a time.
public protocol RosterCache: Sendable {
    /// The stored roster and its version, or `nil` when nothing is stored.
    func load() -> (version: String, items: [RosterItem])?

    /// Replaces what is stored.
    /// - Parameters:
    ///   - version: The server's roster version (`ver`) for these items.
    ///   - items: The whole roster.
    func store(version: String, items: [RosterItem])
}

/// A ``RosterCache`` in memory: share one value across sessions of a
/// process to fetch only what changed.
public final class InMemoryRosterCache: RosterCache {
    private let stored = Mutex<(version: String, items: [RosterItem])?>(nil)

    /// Creates an empty cache.
    public init() {}

    /// The stored roster and its version, or `nil` before the first store.
    public func load() -> (version: String, items: [RosterItem])? {
        stored.withLock { $0 }
    }

    /// Replaces what is stored.
    /// - Parameters:
    ///   - version: The roster version.
    ///   - items: The whole roster.
    public func store(version: String, items: [RosterItem]) {
        stored.withLock { $0 = (version, items) }
    }
}
