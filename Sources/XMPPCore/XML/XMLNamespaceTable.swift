#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Gives each distinct namespace URI a reader meets a small number, so that
/// ``XMLNameTable`` keys names on (namespace number, local name): a stanza
/// names its namespace once, in a declaration, and then every element in it
/// is found by its short local name alone.
///
/// Exact: one URI has one number for the table's life, which the duplicate
/// attribute check relies on (two prefixes bound to one namespace). Bounded:
/// at most ``capacity`` URIs; ``XMLNameTable`` starts afresh between stanzas
/// once half of them are used, so a peer that declares endless distinct
/// URIs makes the reader refuse one stanza at most, never grow.
/// Memory is owned manually: the owner calls ``deallocate()`` once.
struct XMLNamespaceTable {
    /// The number of "no namespace" (the empty URI).
    static let none: Int32 = 0
    /// The number of the namespace bound to the `xml` prefix.
    static let xml: Int32 = 1
    /// At most this many URIs, the two above included.
    static let capacity = 256
    private static let initialSlotCount = 16

    /// One numbered URI; its bytes are in `arena`. Looked up only at
    /// declarations, so a hit is confirmed with `memcmp`.
    private struct Entry {
        var hash: UInt64 = 0
        var number: Int32 = 0
        var offset: Int32 = 0
        var length: Int32 = 0
    }

    /// `slotCount` entries.
    private var entries: UnsafeMutablePointer<Entry>
    private var slotCount = Self.initialSlotCount
    /// Each URI's length in bytes, by number.
    private var lengths = ScratchBuffer<Int32>(capacity: 8)
    /// The bytes of every URI, back to back.
    private var arena = ScratchBuffer<UInt8>(capacity: 128)
    /// Each URI as a string, by number: what the names made with it share.
    private(set) var uris: [String] = []

    init() {
        entries = .allocate(capacity: Self.initialSlotCount)
        entries.initialize(repeating: Entry(), count: Self.initialSlotCount)
        seed()
    }

    /// How many URIs have a number.
    var count: Int { uris.count }

    /// The length in bytes of URI `number`.
    @inline(__always)
    func length(_ number: Int32) -> Int {
        Int(lengths[Int(number)])
    }

    /// Forgets every URI but the two fixed ones.
    mutating func removeAll() {
        entries.update(repeating: Entry(), count: slotCount)
        lengths.removeAll()
        arena.removeAll()
        uris.removeAll(keepingCapacity: true)
        seed()
    }

    /// Frees the memory; the table must not be used afterwards.
    mutating func deallocate() {
        entries.deallocate()
        lengths.deallocate()
        arena.deallocate()
    }

    private mutating func seed() {
        for uri in ["", XMLNamespace.xml] {
            var uri = uri
            uri.withUTF8 { buffer in
                // The empty URI has no bytes to point at; any address does.
                withUnsafePointer(to: 0 as UInt8) { empty in
                    _ = number(buffer.baseAddress ?? empty, count: buffer.count)
                }
            }
        }
    }

    /// The number of the URI in `count` bytes at `start`, given one if new;
    /// `nil` once ``capacity`` URIs have numbers.
    @inline(__always)
    mutating func number(_ start: UnsafePointer<UInt8>, count: Int) -> Int32? {
        let (head, tail) = XMLNameHash.words(start, count: count)
        let hash = XMLNameHash.mix(head: head, tail: tail, extra: UInt64(count))
        let mask = slotCount - 1
        var slot = XMLNameHash.home(hash) & mask
        while entries[slot].hash != 0 {
            let entry = entries[slot]
            if entry.hash == hash, Int(entry.length) == count,
               memcmp(arena.baseAddress + Int(entry.offset), start, count) == 0 {
                return entry.number
            }
            slot = (slot + 1) & mask
        }
        guard uris.count < Self.capacity else { return nil }
        if (uris.count + 1) * 2 > slotCount {
            // Kept at most half full: URIs are few, and probes stay short.
            entries = XMLNameHash.regrow(entries, oldCount: slotCount, newCount: slotCount * 2, empty: Entry(), hashOf: { $0.hash })
            slotCount *= 2
            slot = XMLNameHash.emptySlot(for: hash, in: entries, slotCount: slotCount, hashOf: { $0.hash })
        }
        let offset = arena.count
        arena.append(copying: start, count: count)
        let number = Int32(uris.count)
        entries[slot] = Entry(hash: hash, number: number, offset: Int32(offset), length: Int32(count))
        lengths.append(Int32(count))
        uris.append(String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self))
        return number
    }
}
