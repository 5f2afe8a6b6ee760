/// The hash the reader's lookup tables (``XMLNameTable``,
/// ``XMLNamespaceTable``) share: constant time whatever the length, made of
/// the first and last eight bytes, because XMPP names and namespace URIs
/// differ mostly at their ends.
enum XMLNameHash {
    /// The first and last eight bytes (or fewer, for short keys). For keys
    /// of at most 16 bytes they cover every byte, so comparing them is
    /// comparing the keys.
    @inline(__always)
    static func words(_ start: UnsafePointer<UInt8>, count: Int) -> (UInt64, UInt64) {
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

    /// Mixes the two words with `extra` (the length, and whatever else
    /// tells keys apart). Never zero, which marks an empty slot.
    @inline(__always)
    static func mix(head: UInt64, tail: UInt64, extra: UInt64) -> UInt64 {
        var mixed = (head ^ 0x9E37_79B9_7F4A_7C15) &* 0xFF51_AFD7_ED55_8CCD
        mixed = (mixed ^ tail ^ extra) &* 0xC4CE_B9FE_1A85_EC53
        mixed ^= mixed >> 29
        return mixed | 1
    }

    /// Where `hash`'s probe sequence starts. Its lowest bit is always set
    /// (see ``mix(head:tail:extra:)``), so it is skipped: otherwise only odd
    /// slots could be home slots, which in a small table clusters keys.
    @inline(__always)
    static func home(_ hash: UInt64) -> Int {
        Int(truncatingIfNeeded: hash >> 1)
    }

    /// The first free slot (hash zero) on `hash`'s probe sequence in a
    /// table of `slotCount` entries, a power of two, never full.
    @inline(__always)
    static func emptySlot<Entry>(
        for hash: UInt64, in entries: UnsafeMutablePointer<Entry>, slotCount: Int, hashOf: (Entry) -> UInt64
    ) -> Int {
        let mask = slotCount - 1
        var slot = home(hash) & mask
        while hashOf(entries[slot]) != 0 { slot = (slot + 1) & mask }
        return slot
    }

    /// A table of `newCount` slots holding the entries of `old` (`oldCount`
    /// slots), each placed again from its stored hash; `old` is freed.
    /// Entries are plain data: nothing to deinitialise.
    static func regrow<Entry>(
        _ old: UnsafeMutablePointer<Entry>, oldCount: Int, newCount: Int, empty: Entry, hashOf: (Entry) -> UInt64
    ) -> UnsafeMutablePointer<Entry> {
        let entries = UnsafeMutablePointer<Entry>.allocate(capacity: newCount)
        entries.initialize(repeating: empty, count: newCount)
        for slot in 0..<oldCount where hashOf(old[slot]) != 0 {
            entries[emptySlot(for: hashOf(old[slot]), in: entries, slotCount: newCount, hashOf: hashOf)] = old[slot]
        }
        old.deallocate()
        return entries
    }
}
