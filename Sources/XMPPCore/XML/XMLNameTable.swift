#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns Expat's expanded names (`namespace<0x1F>local`) into
/// ``XMLQualifiedName``s, handing back the same value for bytes seen before.
///
/// An XMPP stream repeats a few dozen names millions of times; splitting and
/// decoding (and often allocating) two `String`s for each would be the
/// largest avoidable cost of building elements. The table is keyed on the
/// whole expanded name, so one lookup yields both parts. It is bounded: once
/// three quarters full it stops remembering, so a peer that sends endless
/// distinct names cannot grow it.
struct XMLNameTable {
    /// Power of two.
    private static let slotCount = 1024
    /// Longer names are rare and not worth remembering.
    private static let maxInternedBytes = 128

    // Parallel arrays rather than an array of entries, so a probe reads
    // plain integers and copies no strings.
    private var hashes = [UInt64](repeating: 0, count: XMLNameTable.slotCount)
    private var offsets = [Int](repeating: 0, count: XMLNameTable.slotCount)
    private var lengths = [Int](repeating: 0, count: XMLNameTable.slotCount)
    private var names = [XMLQualifiedName](repeating: XMLQualifiedName(""), count: XMLNameTable.slotCount)
    /// The bytes of every remembered name, back to back.
    private var arena: [UInt8] = []
    private var filled = 0

    /// The qualified name for Expat's `count` bytes at `start`.
    mutating func qualifiedName(_ start: UnsafePointer<UInt8>, count: Int) -> XMLQualifiedName {
        guard count <= Self.maxInternedBytes else { return Self.split(start, count: count) }
        let hash = Self.hash(start, count: count)
        let mask = Self.slotCount - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while hashes[slot] != 0 {
            if hashes[slot] == hash, lengths[slot] == count {
                let offset = offsets[slot]
                let equal = arena.withUnsafeBytes { stored in
                    guard let base = stored.baseAddress else { return false }
                    return memcmp(base + offset, start, count) == 0
                }
                if equal { return names[slot] }
            }
            slot = (slot + 1) & mask
        }
        let name = Self.split(start, count: count)
        if filled < Self.slotCount * 3 / 4 {
            hashes[slot] = hash
            offsets[slot] = arena.count
            lengths[slot] = count
            names[slot] = name
            arena.append(contentsOf: UnsafeBufferPointer(start: start, count: count))
            filled += 1
        }
        return name
    }

    /// A constant-time hash of the length and the first and last eight
    /// bytes: XMPP names differ mostly at their ends, and `memcmp` settles
    /// the rare collision. Never zero, which marks an empty slot.
    @inline(__always)
    private static func hash(_ start: UnsafePointer<UInt8>, count: Int) -> UInt64 {
        let raw = UnsafeRawPointer(start)
        let head: UInt64
        let tail: UInt64
        if count >= 8 {
            head = raw.loadUnaligned(as: UInt64.self)
            tail = raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        } else if count >= 4 {
            head = UInt64(raw.loadUnaligned(as: UInt32.self))
            tail = UInt64(raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
        } else if count > 0 {
            head = UInt64(start[0]) | UInt64(start[count >> 1]) << 8 | UInt64(start[count - 1]) << 16
            tail = 0
        } else {
            head = 0
            tail = 0
        }
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
