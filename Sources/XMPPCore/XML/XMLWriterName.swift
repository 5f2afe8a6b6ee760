/// What ``XMLWriter`` checks about names: which it accepts, and a key that
/// lets the duplicate-attribute check compare names as bytes.
enum XMLWriterName {
    /// ASCII letters and `_`, as bits: bytes 0–63 in the first word
    /// (none), 64–127 in the second.
    private static let startBits: (low: UInt64, high: UInt64) = (0, 0x07FF_FFFE_87FF_FFFE)
    /// Name characters: the start characters plus digits, `-` and `.`.
    private static let bits: (low: UInt64, high: UInt64) = (0x03FF_6000_0000_0000, 0x07FF_FFFE_87FF_FFFE)

    @inline(__always)
    private static func isMember(_ byte: UInt8, of bits: (low: UInt64, high: UInt64)) -> Bool {
        guard byte < 0x80 else { return false }
        let word = byte < 0x40 ? bits.low : bits.high
        return word & (1 << UInt64(byte & 0x3F)) != 0
    }

    /// A conservative NCName check: ASCII letters, digits, '_', '-' and '.',
    /// not empty, no leading digit, '-' or '.'. Non-ASCII names are refused:
    /// which of them are names depends on the XML edition, and Expat (ours
    /// and most servers') rejects many that XML 1.0 (5th edition) allows, such
    /// as `÷`, a leading combining mark or anything outside the BMP.
    static func isNCName(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = bytes.first, isMember(first, of: startBits) else { return false }
        var index = 1
        while index < bytes.count {
            guard isMember(bytes[index], of: bits) else { return false }
            index += 1
        }
        return true
    }

    /// Whether `string` equals `literal`, an ASCII string without `K`,
    /// `;` or `` ` ``, as Swift compares strings; the lengths decide first.
    ///
    /// Swift's `==` is canonical equivalence, so in general strings of
    /// different byte lengths can be equal. Not when one side is ASCII free
    /// of those three: the only characters canonically equivalent to an
    /// ASCII one are U+212A KELVIN SIGN (`K`), U+037E GREEK QUESTION MARK
    /// (`;`) and U+1FEF GREEK VARIA (`` ` ``), and combining marks never
    /// compose into ASCII (a test pins both). So a string equal to such a
    /// literal has its very bytes, and most mismatches cost a length
    /// compare instead of a call into the string comparison.
    @inline(__always)
    static func equals(_ string: String, literal: String) -> Bool {
        string.utf8.count == literal.utf8.count && string == literal
    }

    /// Whether an element in `namespace` must be refused: XML reserves the
    /// `xml` and `xmlns` namespaces (both URIs qualify for ``equals(_:literal:)``).
    @inline(__always)
    static func isReservedForElements(_ namespace: String) -> Bool {
        equals(namespace, literal: XMLNamespace.xml) || equals(namespace, literal: XMLNamespace.xmlns)
    }

    /// An attribute name as the duplicate check compares it: a hash of the
    /// local name's bytes, whether that is a name the writer accepts, and
    /// whether the name has a namespace. Plain integers, so keeping one per
    /// attribute costs no reference counting (keeping the names did).
    ///
    /// Names are equal as Swift compares strings: canonically equivalent
    /// ones are equal whatever their bytes (`K` and the Kelvin sign `K` are
    /// the same name). For names the writer accepts, ASCII only, that is
    /// equality of bytes; so two accepted names with different keys are
    /// different names. Equal keys (a duplicate, or rarely a collision) are
    /// settled by comparing the names themselves, as is a name the writer
    /// does not accept (refused right after the check anyway).
    struct Key: Equatable {
        private var hash: UInt64
        private var hasNamespace: Bool
        /// Whether the local name is one the writer accepts (an NCName).
        private(set) var isNCName: Bool

        /// The key of the name `localName` (in a namespace if `hasNamespace`).
        init(localName: String, hasNamespace: Bool) {
            self.hasNamespace = hasNamespace
            // Checks and hashes (FNV-1a) the bytes in place, no copy made.
            (hash, isNCName) = XMLWriterOutput.withUTF8(of: localName) { bytes in
                var hash: UInt64 = 0xCBF2_9CE4_8422_2325
                for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
                return (hash, XMLWriterName.isNCName(bytes))
            }
        }

        static func == (lhs: Key, rhs: Key) -> Bool {
            lhs.hash == rhs.hash && lhs.hasNamespace == rhs.hasNamespace
        }
    }
}
