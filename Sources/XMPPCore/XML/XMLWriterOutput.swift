/// Where ``XMLWriter`` puts bytes while it writes one element: a small
/// scratch area, normally on the machine stack, copied into the destination
/// array whenever it fills and at the end.
///
/// A stanza is written as dozens of short pieces (`<`, a name, `='`, a
/// value, …). Appended to an `Array` one by one, each piece pays a
/// uniqueness and capacity check and a generic copy; here each pays a
/// compare and a `memcpy`, and the array sees a few large appends.
///
/// The destination is moved in for the duration (``destination`` is
/// swapped with the caller's array, never copied), so it stays uniquely
/// referenced and grows in place.
struct XMLWriterOutput {
    /// Bytes of scratch to ask the caller for: enough for a typical stanza,
    /// within what `withUnsafeTemporaryAllocation` always puts on the stack
    /// (1 KiB; above that it asks the runtime, which costs more than it saves).
    static let scratchSize = 1024

    private let scratch: UnsafeMutableBufferPointer<UInt8>
    private var count = 0
    /// The array the bytes end up in; complete only after ``flush()``.
    var destination: [UInt8] = []

    /// An output that stages bytes in `scratch`, which must outlive it (with
    /// no scratch, every piece goes straight to the destination).
    init(scratch: UnsafeMutableBufferPointer<UInt8>) {
        self.scratch = scratch
    }

    /// Moves the staged bytes into ``destination``.
    mutating func flush() {
        guard count > 0 else { return }
        destination.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[..<count]))
        count = 0
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == scratch.count { flushForSpace() }
        if count < scratch.count {
            scratch[count] = byte
            count += 1
        } else {
            destination.append(byte)
        }
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count <= scratch.count &- count else {
            appendLong(bytes)
            return
        }
        // Both are nil only when nothing is to be copied.
        if let target = scratch.baseAddress, let source = bytes.baseAddress {
            (target + count).initialize(from: source, count: bytes.count)
            count += bytes.count
        }
    }

    /// Appends a literal's bytes (markup such as `='` or `</`).
    @inline(__always)
    mutating func append(_ literal: StaticString) {
        literal.withUTF8Buffer { append($0) }
    }

    /// What does not fit: the scratch is flushed, then the bytes are staged
    /// or, if longer than the whole scratch, appended directly.
    @inline(never)
    private mutating func appendLong(_ bytes: UnsafeBufferPointer<UInt8>) {
        flush()
        if bytes.count <= scratch.count, let target = scratch.baseAddress, let source = bytes.baseAddress {
            target.initialize(from: source, count: bytes.count)
            count = bytes.count
        } else {
            destination.append(contentsOf: bytes)
        }
    }

    /// ``flush()`` kept out of line, so that the inlined single-byte
    /// append stays small.
    @inline(never)
    private mutating func flushForSpace() {
        flush()
    }
}

// MARK: - Strings, names and escaping

extension XMLWriterOutput {
    /// Appends `name`'s bytes if it is a name the writer accepts (see
    /// ``XMLWriterName/isNCName(_:)``); returns whether it was. Checks and
    /// copies in one visit of the bytes.
    @inline(__always)
    mutating func appendName(_ name: String) -> Bool {
        Self.withUTF8(of: name) { bytes in
            guard XMLWriterName.isNCName(bytes) else { return false }
            append(bytes)
            return true
        }
    }

    /// Appends a string's UTF-8 bytes as they are.
    @inline(__always)
    mutating func appendUTF8(_ string: String) {
        Self.withUTF8(of: string) { append($0) }
    }

    /// Runs `body` on the UTF-8 bytes of `string`, in place for a native
    /// string (small ones are copied to the stack). `String.withUTF8` would
    /// do the same but is mutating: called on a copy, it costs a retain and
    /// a release per string written.
    @inline(__always)
    static func withUTF8<Result>(of string: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = string.utf8.withContiguousStorageIfAvailable(body) { return result }
        var contiguous = string
        return contiguous.withUTF8(body)
    }

    /// Appends `text` escaped for character data or a single-quoted
    /// attribute value.
    /// - Returns: The character XML 1.0 forbids that `text` holds (then
    ///   only part of it may have been appended), or `nil`.
    @inline(__always)
    mutating func appendEscaped(_ text: String, inAttribute: Bool) -> Unicode.Scalar? {
        // Native strings are contiguous UTF-8 already (no copy); the scan
        // then runs over raw bytes and copies clean runs in one go.
        Self.withUTF8(of: text) { appendEscaped($0, inAttribute: inAttribute) }
    }

    /// Bytes below 0x40 that need more than copying in character data:
    /// the controls, `&`, `<` and `>`, as bits of a mask.
    private static let textAttentionMask: UInt64 =
        0xFFFF_FFFF | 1 << UInt64(UInt8(ascii: "&")) | 1 << UInt64(UInt8(ascii: "<")) | 1 << UInt64(UInt8(ascii: ">"))
    /// The same in an attribute value, plus both quotes.
    private static let attributeAttentionMask: UInt64 =
        textAttentionMask | 1 << UInt64(UInt8(ascii: "'")) | 1 << UInt64(UInt8(ascii: "\""))

    /// Whether `byte` needs more than copying: markup, a control
    /// character, a quote inside an attribute (per `mask`), or the lead
    /// byte of a possible U+FFFE / U+FFFF.
    @inline(__always)
    private static func needsAttention(_ byte: UInt8, mask: UInt64) -> Bool {
        byte < 0x40 ? mask & (1 << UInt64(byte)) != 0 : byte == 0xEF
    }

    /// Whether any of the eight bytes in `word` may need attention: a
    /// control, `"`, `&`, `'`, `<`, `>` or 0xEF (and, harmlessly, `#`).
    /// Lets the scan pass over clean text a word at a time; the bytes of a
    /// word that may need attention are looked at one by one.
    ///
    /// Each term has its top bit set in some byte exactly when the word
    /// holds a byte of its kind (the classic "has a zero byte" test on the
    /// word itself or on the word xor a repeated byte).
    @inline(__always)
    private static func mayNeedAttention(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let control = (word &- ones &* 0x20) & ~word
        // `<` and `>` differ in bit 1: both become 0x3E.
        let angles = (word | ones &* 0x02) ^ (ones &* 0x3E)
        // `"`, `#`, `&` and `'` differ in bits 0 and 2: all become 0x27.
        let quotes = (word | ones &* 0x05) ^ (ones &* 0x27)
        let lead = word ^ (ones &* 0xEF)
        let zeroes = control | (angles &- ones) & ~angles | (quotes &- ones) & ~quotes | (lead &- ones) & ~lead
        return zeroes & (ones &* 0x80) != 0
    }

    /// ``appendEscaped(_:inAttribute:)`` over UTF-8 bytes.
    private mutating func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, inAttribute: Bool) -> Unicode.Scalar? {
        guard let base = bytes.baseAddress else { return nil }
        var index = 0
        var pendingStart = 0
        let count = bytes.count
        let mask = inAttribute ? Self.attributeAttentionMask : Self.textAttentionMask
        while true {
            while count &- index >= 8, !Self.mayNeedAttention(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)) {
                index &+= 8
            }
            guard index < count else { break }
            // Fewer than eight left: the last eight bytes (overlapping ones
            // already seen) may show that the rest is clean.
            if count &- index < 8, count >= 8,
                !Self.mayNeedAttention(UnsafeRawPointer(base + (count &- 8)).loadUnaligned(as: UInt64.self))
            {
                break
            }
            let stop = min(index &+ 8, count)
            repeat {
                let byte = base[index]
                if Self.needsAttention(byte, mask: mask) {
                    let replacement: StaticString?
                    switch byte {
                    case UInt8(ascii: "&"): replacement = "&amp;"
                    case UInt8(ascii: "<"): replacement = "&lt;"
                    // '>' only matters in "]]>", but escaping it always is cheaper than looking back.
                    case UInt8(ascii: ">"): replacement = "&gt;"
                    case UInt8(ascii: "'"): replacement = "&apos;"
                    case UInt8(ascii: "\""): replacement = "&quot;"
                    // A reader normalises raw CR (and, in attributes, tab and LF) away;
                    // character references survive.
                    case 0x0D: replacement = "&#13;"
                    case 0x09: replacement = inAttribute ? "&#9;" : nil
                    case 0x0A: replacement = inAttribute ? "&#10;" : nil
                    case 0x00..<0x20:
                        return Unicode.Scalar(byte)
                    default:
                        // 0xEF: U+FFFE and U+FFFF are EF BF BE / EF BF BF.
                        if index + 2 < count, base[index + 1] == 0xBF, base[index + 2] == 0xBE || base[index + 2] == 0xBF {
                            return Unicode.Scalar(UInt32(base[index + 2] == 0xBE ? 0xFFFE : 0xFFFF)) ?? "?"
                        }
                        replacement = nil
                    }
                    if let replacement {
                        append(UnsafeBufferPointer(start: base + pendingStart, count: index - pendingStart))
                        append(replacement)
                        pendingStart = index + 1
                    }
                }
                index &+= 1
            } while index < stop
        }
        append(UnsafeBufferPointer(start: base + pendingStart, count: count - pendingStart))
        return nil
    }
}
