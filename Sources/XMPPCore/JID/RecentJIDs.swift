import Synchronization

/// Addresses parsed lately, by their text, so that a stream's recurring
/// `from` and `to` values (the peer, the own full JID) are validated and
/// normalised once rather than on every stanza.
///
/// Parsing is a pure function of the text, so a remembered result is the
/// result. Only successes are remembered (a malformed address is checked,
/// and refused, every time). The table is small and fixed (direct-mapped
/// slots, the newest entry wins a slot) and skips long texts, so it costs
/// a few KiB per process at most and cannot grow with what peers send.
/// `package`: the subscription filters look addresses up here too.
package enum RecentJIDs {
    /// How many addresses are remembered; a power of two.
    static let slotCount = 64
    /// Longer texts are not remembered (real addresses are far shorter).
    static let maxRememberedBytes = 128

    /// A class, so that a lookup takes one reference out of the table
    /// instead of copying the address and its JID's three strings (and
    /// retaining and releasing each). Immutable, so it is read after the
    /// lock is released.
    private final class Entry: Sendable {
        /// The address's UTF-8, compared byte for byte.
        let utf8: [UInt8]
        let jid: JID

        init(text: String, jid: JID) {
            self.utf8 = Array(text.utf8)
            self.jid = jid
        }

        func matches(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            utf8.withUnsafeBufferPointer { UTF8Equality.bytesEqual($0, bytes) }
        }
    }

    private static let table = Mutex<[Entry?]>(Array(repeating: nil, count: slotCount))

    /// The address parsed from exactly these bytes earlier, if remembered.
    static func lookup(_ text: String) -> JID? {
        text.utf8.withContiguousStorageIfAvailable(lookup(bytes:)) ?? nil
    }

    /// The JID remembered for the address whose UTF-8 is `bytes` (an
    /// attribute value still in the parsed tree), without making a string.
    package static func lookup(bytes: UnsafeBufferPointer<UInt8>) -> JID? {
        guard let slot = slot(of: bytes), let entry = table.withLock({ $0[slot] }), entry.matches(bytes) else {
            return nil
        }
        return entry.jid
    }

    /// Remembers what `text` parsed to.
    static func remember(_ text: String, as jid: JID) {
        guard let slot = slot(of: text) else { return }
        table.withLock { $0[slot] = Entry(text: text, jid: jid) }
    }

    /// Forgets everything (for tests).
    static func forgetAll() {
        table.withLock { table in
            for index in table.indices { table[index] = nil }
        }
    }

    /// The text's slot, or `nil` when it is not remembered at all.
    private static func slot(of text: String) -> Int? {
        text.utf8.withContiguousStorageIfAvailable(slot(of:)) ?? nil
    }

    /// Mixes eight bytes at a time (an address is read for every stanza,
    /// and a byte-at-a-time hash was a chain of 20–40 multiplications);
    /// the slot is the top bits of a final multiplication, which every
    /// input bit reaches.
    private static func slot(of bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard bytes.count <= maxRememberedBytes else { return nil }
        let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
        let raw = UnsafeRawBufferPointer(bytes)
        var hash = UInt64(raw.count)
        var offset = 0
        while offset + 8 <= raw.count {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* multiplier
            hash ^= hash >> 32
            offset += 8
        }
        var tail: UInt64 = 0
        while offset < raw.count {
            tail = tail << 8 | UInt64(raw[offset])
            offset += 1
        }
        hash = (hash ^ tail) &* multiplier
        return Int(truncatingIfNeeded: hash >> (UInt64.bitWidth - slotCount.trailingZeroBitCount))
    }
}
