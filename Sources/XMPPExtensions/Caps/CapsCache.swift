import Synchronization

/// What a verified disco#info answer is stored under: the verification
/// string and the hash function that made it.
public struct CapsCacheKey: Hashable, Sendable {
    /// The hash function.
    public var hashAlgorithm: CapsHashAlgorithm
    /// The verification string (`ver`).
    public var verification: String

    /// Creates a key.
    /// - Parameters:
    ///   - hashAlgorithm: The hash function.
    ///   - verification: The verification string.
    public init(hashAlgorithm: CapsHashAlgorithm, verification: String) {
        self.hashAlgorithm = hashAlgorithm
        self.verification = verification
    }
}

/// Where an ``EntityCapabilitiesResolver`` keeps what each verification
/// string stands for (XEP-0115 §6.3), so that one disco#info query serves
/// every contact running the same software.
///
/// The resolver stores only answers whose hash it checked, so an
/// implementation may keep entries across sessions and share them between
/// accounts: implement it over a file or a database for that;
/// ``InMemoryCapsCache`` keeps them for the life of the value. Calls may
/// come from several tasks at once.
public protocol CapsCache: Sendable {
    /// What `key` stands for, if stored.
    /// - Parameter key: The hash function and verification string.
    func discoInfo(for key: CapsCacheKey) -> DiscoInfo?

    /// Stores a verified answer.
    /// - Parameters:
    ///   - info: The identities, features and forms, without a node.
    ///   - key: The hash function and verification string it hashes to.
    func store(_ info: DiscoInfo, for key: CapsCacheKey)
}

/// A ``CapsCache`` in memory, bounded: once full, storing evicts the entry
/// stored longest ago. The bound matters because anyone who can send us
/// presence can make up new verification strings (each a valid hash of
/// made-up features) as fast as we answer them.
public final class InMemoryCapsCache: CapsCache {
    private struct Storage {
        var entries: [CapsCacheKey: DiscoInfo] = [:]
        /// Keys in the order stored, for eviction.
        var order: [CapsCacheKey] = []
    }

    private let storage = Mutex(Storage())
    /// How many entries are kept at most.
    public let capacity: Int

    /// Creates an empty cache.
    /// - Parameter capacity: How many verification strings to keep at most;
    ///   at least 1.
    public init(capacity: Int = 1024) {
        self.capacity = max(1, capacity)
    }

    /// How many entries are stored.
    public var count: Int { storage.withLock { $0.entries.count } }

    /// What `key` stands for, if stored.
    /// - Parameter key: The hash function and verification string.
    public func discoInfo(for key: CapsCacheKey) -> DiscoInfo? {
        storage.withLock { $0.entries[key] }
    }

    /// Stores an answer, evicting the oldest entry when full.
    /// - Parameters:
    ///   - info: The answer.
    ///   - key: What it hashes to.
    public func store(_ info: DiscoInfo, for key: CapsCacheKey) {
        let capacity = self.capacity
        storage.withLock { storage in
            if storage.entries.updateValue(info, forKey: key) != nil { return }
            storage.order.append(key)
            if storage.order.count > capacity {
                storage.entries[storage.order.removeFirst()] = nil
            }
        }
    }
}
