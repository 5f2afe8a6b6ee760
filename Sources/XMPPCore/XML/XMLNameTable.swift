#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the ``XMLNameStore`` index for Expat's expanded names
/// (`namespace<0x1F>local`), adding names it has not seen.
///
/// An XMPP stream repeats a few dozen names millions of times; splitting and
/// decoding two `String`s for each would be the largest avoidable cost of
/// building elements. The lookup is keyed on the whole expanded name, so one
/// probe yields the name. Bounded: the table remembers at most three quarters
/// of its largest size, and the store it indexes is replaced
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
    }

    /// The store the indices refer to; trees built now keep it alive.
    private(set) var store = XMLNameStore()
    /// `slotCount` entries, owned by the table (see ``deallocate()``).
    private var entries: UnsafeMutablePointer<Entry>
    private var slotCount = Self.initialSlotCount
    /// The bytes of every remembered name longer than 16 bytes, back to
    /// back; entries hold offsets, which stay valid when it grows.
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
        for bytes in XMLKnownName.expatNames {
            bytes.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                _ = index(base, count: buffer.count)
            }
        }
    }

    /// Frees the table's memory; it must not be used afterwards.
    mutating func deallocate() {
        entries.deallocate()
        arena.deallocate()
    }

    /// Starts a new store when the current one is half full. Called only
    /// between stanzas, so one tree never mixes two stores; the other half
    /// guarantees room for the names of the next stanza (see ``index(_:count:)``).
    /// The table keeps its size: a stream that filled half a store is
    /// likely to fill the table again, and its size is bounded.
    mutating func rotateIfNeeded() {
        guard store.count > XMLNameStore.capacity / 2 else { return }
        store = XMLNameStore()
        entries.update(repeating: Entry(), count: slotCount)
        arena.removeAll()
        filled = 0
        seedKnownNames()
    }

    /// The store index of Expat's `count` bytes at `start`, or `nil` when the
    /// store is full (more distinct names in one stanza than it has room for).
    @inline(__always)
    mutating func index(_ start: UnsafePointer<UInt8>, count: Int) -> Int32? {
        guard count <= Self.maxRememberedBytes else { return add(start, count: count) }
        let (head, tail) = Self.words(start, count: count)
        let hash = Self.mix(head: head, tail: tail, count: count)
        let mask = slotCount - 1
        var slot = Self.home(hash) & mask
        while entries[slot].hash != 0 {
            let entry = entries[slot]
            if entry.hash == hash, Int(entry.length) == count, entry.head == head, entry.tail == tail,
               count <= 16 || memcmp(arena.baseAddress + Int(entry.offset), start, count) == 0 {
                return entry.index
            }
            slot = (slot + 1) & mask
        }
        guard let index = add(start, count: count) else { return nil }
        // Growth is checked only here, on a miss, so hits cost nothing more.
        if filled >= slotCount * 3 / 4 {
            guard slotCount < Self.maxSlotCount else { return index }
            grow()
            slot = emptySlot(for: hash)
        }
        let offset = arena.count
        if count > 16 { arena.append(copying: start, count: count) }
        entries[slot] = Entry(hash: hash, head: head, tail: tail, offset: Int32(offset), length: Int32(count), index: index)
        filled += 1
        return index
    }

    /// Doubles the slots, placing every entry again from its stored hash.
    /// Entries keep their store index and arena offset, so nothing handed
    /// out before changes.
    private mutating func grow() {
        let old = entries
        let oldCount = slotCount
        slotCount = oldCount * 2
        entries = .allocate(capacity: slotCount)
        entries.initialize(repeating: Entry(), count: slotCount)
        for slot in 0..<oldCount where old[slot].hash != 0 {
            entries[emptySlot(for: old[slot].hash)] = old[slot]
        }
        // `Entry` is plain data: nothing to deinitialise.
        old.deallocate()
    }

    /// The first free slot on `hash`'s probe sequence; the table is at most
    /// three quarters full, so there is one.
    private func emptySlot(for hash: UInt64) -> Int {
        let mask = slotCount - 1
        var slot = Self.home(hash) & mask
        while entries[slot].hash != 0 { slot = (slot + 1) & mask }
        return slot
    }

    /// Where `hash`'s probe sequence starts. Its lowest bit is always set
    /// (see ``mix(head:tail:count:)``), so it is skipped: otherwise only odd
    /// slots could be home slots, which in a 64-slot table clusters names.
    @inline(__always)
    private static func home(_ hash: UInt64) -> Int {
        Int(truncatingIfNeeded: hash >> 1)
    }

    private func add(_ start: UnsafePointer<UInt8>, count: Int) -> Int32? {
        guard !store.isFull else { return nil }
        return store.append(Self.split(start, count: count))
    }

    /// The first and last eight bytes (or fewer, for short names): what the
    /// hash is made of, and for names of at most 16 bytes the whole name.
    @inline(__always)
    private static func words(_ start: UnsafePointer<UInt8>, count: Int) -> (UInt64, UInt64) {
        let raw = UnsafeRawPointer(start)
        if count >= 8 {
            return (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
        } else if count >= 4 {
            return (UInt64(raw.loadUnaligned(as: UInt32.self)), UInt64(raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)))
        } else if count > 0 {
            return (UInt64(start[0]) | UInt64(start[count >> 1]) << 8 | UInt64(start[count - 1]) << 16, 0)
        }
        return (0, 0)
    }

    /// A constant-time hash of the length and the head and tail words: XMPP
    /// names differ mostly at their ends. Never zero, which marks an empty slot.
    @inline(__always)
    private static func mix(head: UInt64, tail: UInt64, count: Int) -> UInt64 {
        var mixed = (head ^ 0x9E37_79B9_7F4A_7C15) &* 0xFF51_AFD7_ED55_8CCD
        mixed = (mixed ^ tail ^ UInt64(count)) &* 0xC4CE_B9FE_1A85_EC53
        mixed ^= mixed >> 29
        return mixed | 1
    }

    /// Splits at the separator Expat puts between namespace and local name.
    private static func split(_ start: UnsafePointer<UInt8>, count: Int) -> XMLQualifiedName {
        let buffer = UnsafeBufferPointer(start: start, count: count)
        guard let separator = buffer.firstIndex(of: XMLStreamReader.namespaceSeparator) else {
            return XMLQualifiedName(String(decoding: buffer, as: UTF8.self))
        }
        return XMLQualifiedName(
            String(decoding: UnsafeBufferPointer(rebasing: buffer[(separator + 1)...]), as: UTF8.self),
            namespace: String(decoding: UnsafeBufferPointer(rebasing: buffer[..<separator]), as: UTF8.self)
        )
    }
}
