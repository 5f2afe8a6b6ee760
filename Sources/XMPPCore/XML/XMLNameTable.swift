#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the ``XMLNameStore`` index of a name, keyed on its namespace's
/// number in ``XMLNamespaceTable`` and its local name's bytes, adding names
/// it has not seen.
///
/// An XMPP stream repeats a few dozen names millions of times; splitting and
/// decoding two `String`s for each would be the largest avoidable cost of
/// building elements. With the namespace as a number, one probe on the
/// short local name yields the name. Bounded: the table remembers at most
/// three quarters of its largest size, and the store it indexes is replaced
/// (``rotateIfNeeded()``) between stanzas once half full, so a peer that
/// sends endless distinct names cannot grow either.
///
/// It starts small and doubles: an idle session meets a few dozen names, and
/// the largest table (20 KiB) in every one of thousands of readers was a
/// large share of a session's memory.
struct XMLNameTable {
    /// Powers of two. The table doubles, rehashing, once three quarters
    /// full, up to `maxSlotCount`; after that it remembers no more names.
    private static let initialSlotCount = 64
    private static let maxSlotCount = 512
    /// The arena grows by doubling; most XMPP names that need it (a
    /// namespace and a local name over 16 bytes) are 20 to 60 bytes.
    private static let initialArenaBytes = 256
    /// Longer names are rare and not worth remembering.
    private static let maxRememberedBytes = 128

    /// One remembered name. `head` and `tail` are the words the hash is
    /// made of; for names of at most 16 bytes they cover every byte, so
    /// comparing them is comparing the names.
    private struct Entry {
        var hash: UInt64 = 0
        var head: UInt64 = 0
        var tail: UInt64 = 0
        var offset: Int32 = 0
        var length: Int32 = 0
        var index: Int32 = 0
        var namespace: Int32 = 0
    }

    /// The store the indices refer to; trees built now keep it alive.
    private(set) var store = XMLNameStore()
    /// The namespaces the names are keyed on; started afresh with the store.
    var namespaces = XMLNamespaceTable()
    /// `slotCount` entries, owned by the table (see ``deallocate()``).
    private var entries: UnsafeMutablePointer<Entry>
    private var slotCount = Self.initialSlotCount
    /// The bytes of every remembered local name longer than 16 bytes, back
    /// to back; entries hold offsets, which stay valid when it grows.
    private var arena = ScratchBuffer<UInt8>(capacity: Self.initialArenaBytes)
    private var filled = 0

    init() {
        entries = .allocate(capacity: Self.initialSlotCount)
        entries.initialize(repeating: Entry(), count: Self.initialSlotCount)
        seedKnownNames()
    }

    /// Gives the ``XMLKnownName``s their fixed indices in a fresh store.
    /// Entries are never removed while a store lives, so every later
    /// occurrence of these names finds the seeded index.
    private mutating func seedKnownNames() {
        for known in XMLKnownName.allCases {
            let name = known.qualifiedName
            var namespace = XMLNamespaceTable.none
            if !name.namespace.isEmpty {
                var uri = name.namespace
                let number = uri.withUTF8 { buffer in
                    buffer.baseAddress.flatMap { namespaces.number($0, count: buffer.count) }
                }
                guard let number else { continue }
                namespace = number
            }
            var local = name.localName
            local.withUTF8 { buffer in
                guard let base = buffer.baseAddress else { return }
                _ = index(namespace: namespace, local: base, count: buffer.count)
            }
        }
    }

    /// Frees the table's memory; it must not be used afterwards.
    mutating func deallocate() {
        entries.deallocate()
        arena.deallocate()
        namespaces.deallocate()
    }

    /// Starts a new store, and numbers namespaces afresh, when the current
    /// store or the namespace table is half full. Called only between
    /// stanzas, so one tree never mixes two stores; the other half
    /// guarantees room for the names of the next stanza (see
    /// ``index(namespace:local:count:)``). The table keeps its size: a
    /// stream that filled half a store is likely to fill the table again,
    /// and its size is bounded.
    /// - Returns: Whether it started afresh: namespace numbers handed out
    ///   before are void.
    @discardableResult
    mutating func rotateIfNeeded() -> Bool {
        guard store.count > XMLNameStore.capacity / 2 || namespaces.count > XMLNamespaceTable.capacity / 2
        else { return false }
        store = XMLNameStore()
        namespaces.removeAll()
        entries.update(repeating: Entry(), count: slotCount)
        arena.removeAll()
        filled = 0
        seedKnownNames()
        return true
    }

    /// The store index of the local name in `count` bytes at `local` in
    /// namespace number `namespace` (of ``namespaces``), or `nil` when the
    /// store is full (more distinct names in one stanza than it has room for).
    @inline(__always)
    mutating func index(namespace: Int32, local start: UnsafePointer<UInt8>, count: Int) -> Int32? {
        guard count <= Self.maxRememberedBytes else { return add(namespace: namespace, start, count: count) }
        let (head, tail) = XMLNameHash.words(start, count: count)
        let hash = XMLNameHash.mix(head: head, tail: tail, extra: UInt64(count) | UInt64(UInt32(bitPattern: namespace)) << 32)
        let mask = slotCount - 1
        var slot = XMLNameHash.home(hash) & mask
        while entries[slot].hash != 0 {
            let entry = entries[slot]
            if entry.hash == hash, Int(entry.length) == count, entry.namespace == namespace, entry.head == head, entry.tail == tail,
               count <= 16 || memcmp(arena.baseAddress + Int(entry.offset), start, count) == 0 {
                return entry.index
            }
            slot = (slot + 1) & mask
        }
        guard let index = add(namespace: namespace, start, count: count) else { return nil }
        // Growth is checked only here, on a miss, so hits cost nothing more.
        if filled >= slotCount * 3 / 4 {
            guard slotCount < Self.maxSlotCount else { return index }
            grow()
            slot = emptySlot(for: hash)
        }
        let offset = arena.count
        if count > 16 { arena.append(copying: start, count: count) }
        entries[slot] = Entry(
            hash: hash, head: head, tail: tail, offset: Int32(offset), length: Int32(count), index: index, namespace: namespace)
        filled += 1
        return index
    }

    /// Doubles the slots, placing every entry again from its stored hash.
    /// Entries keep their numbers, indices and offsets, so nothing handed
    /// out before changes.
    private mutating func grow() {
        entries = XMLNameHash.regrow(entries, oldCount: slotCount, newCount: slotCount * 2, empty: Entry(), hashOf: { $0.hash })
        slotCount *= 2
    }

    private func emptySlot(for hash: UInt64) -> Int {
        XMLNameHash.emptySlot(for: hash, in: entries, slotCount: slotCount, hashOf: { $0.hash })
    }

    private func add(namespace: Int32, _ start: UnsafePointer<UInt8>, count: Int) -> Int32? {
        guard !store.isFull else { return nil }
        return store.append(XMLQualifiedName(
            String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self),
            namespace: namespaces.uris[Int(namespace)]
        ))
    }
}
