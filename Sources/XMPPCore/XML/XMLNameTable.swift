/// Turns the byte strings Expat hands out into Swift `String`s, handing back
/// the same `String` for bytes it has seen before.
///
/// An XMPP stream repeats a few dozen names and namespace URIs millions of
/// times; creating (and validating, and often allocating) a fresh `String`
/// for each is the largest avoidable cost of building elements. The table is
/// bounded: once full it stops remembering, so a peer that sends endless
/// distinct names cannot grow it.
struct XMLNameTable {
    private struct Entry {
        var hash: Int
        var bytes: [UInt8]
        var string: String
    }

    /// Power of two; at most three quarters are ever filled.
    private static let slotCount = 1024
    /// Longer names are rare and not worth remembering.
    private static let maxInternedBytes = 96

    private var slots: [Entry?] = Array(repeating: nil, count: XMLNameTable.slotCount)
    private var filled = 0

    /// The string for `count` UTF-8 bytes at `start`.
    mutating func string(_ start: UnsafePointer<UInt8>, count: Int) -> String {
        guard count > 0 else { return "" }
        guard count <= Self.maxInternedBytes else {
            return String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
        }
        // FNV-1a: fast on short keys and good enough for a private table.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for index in 0..<count {
            hash = (hash ^ UInt64(start[index])) &* 0x0000_0100_0000_01b3
        }
        let hashValue = Int(truncatingIfNeeded: hash)
        let mask = Self.slotCount - 1
        var slot = hashValue & mask
        while let entry = slots[slot] {
            if entry.hash == hashValue, entry.bytes.count == count,
               entry.bytes.elementsEqual(UnsafeBufferPointer(start: start, count: count)) {
                return entry.string
            }
            slot = (slot + 1) & mask
        }
        let string = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
        if filled < Self.slotCount * 3 / 4 {
            slots[slot] = Entry(hash: hashValue, bytes: Array(UnsafeBufferPointer(start: start, count: count)), string: string)
            filled += 1
        }
        return string
    }
}
