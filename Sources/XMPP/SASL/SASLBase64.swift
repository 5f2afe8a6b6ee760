/// Base64 (RFC 4648 §4) for SASL payloads, decoded strictly.
///
/// RFC 6120 §13.9.1 leaves no room for leniency: whatever a hostile server
/// sends must either decode to exactly one byte string or be refused
/// (Pidgin's CVE-2010-3711 crashed on unchecked decode results). So the
/// decoder accepts only the standard alphabet, no whitespace or line
/// breaks, a length that is a multiple of four, padding only at the end,
/// and zero bits in the unused tail (the one canonical encoding).
package enum SASLBase64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The value of each alphabet byte, 0xFF for every other byte.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() {
            table[Int(byte)] = UInt8(index)
        }
        return table
    }()

    /// The padded encoding of `bytes`; empty for no bytes.
    package static func encode(_ bytes: some Collection<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            let group = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            output.append(alphabet[Int(group >> 18 & 0x3F)])
            output.append(alphabet[Int(group >> 12 & 0x3F)])
            output.append(second == nil ? UInt8(ascii: "=") : alphabet[Int(group >> 6 & 0x3F)])
            output.append(third == nil ? UInt8(ascii: "=") : alphabet[Int(group & 0x3F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes `text` encodes, or `nil` unless it is canonical base64.
    /// The empty string decodes to no bytes.
    package static func decode(_ text: String) -> [UInt8]? {
        let input = Array(text.utf8)
        guard input.count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 4 * 3)
        var index = 0
        while index < input.count {
            let isLast = index + 4 == input.count
            let equals = UInt8(ascii: "=")
            let padding = isLast ? (input[index + 3] == equals ? 1 : 0) + (input[index + 2] == equals ? 1 : 0) : 0
            // "x=y=" pads in the middle of a group: refuse it.
            if padding == 1, input[index + 2] == equals { return nil }
            var group: UInt32 = 0
            for offset in 0..<(4 - padding) {
                let value = values[Int(input[index + offset])]
                guard value != 0xFF else { return nil }  // also catches "=" elsewhere
                group = group << 6 | UInt32(value)
            }
            group <<= 6 * UInt32(padding)
            output.append(UInt8(group >> 16 & 0xFF))
            if padding < 2 { output.append(UInt8(group >> 8 & 0xFF)) }
            if padding < 1 { output.append(UInt8(group & 0xFF)) }
            // Non-zero bits under the padding mean a second spelling of the
            // same bytes; only the canonical one is accepted.
            if padding == 1, group & 0xFF != 0 { return nil }
            if padding == 2, group & 0xFFFF != 0 { return nil }
            index += 4
        }
        return output
    }

    /// The payload of a SASL element (`<challenge/>`, `<success/>`): no
    /// text and a lone `=` both mean empty (RFC 6120 §6.4.2); anything else
    /// must be strict base64.
    static func decodePayload(_ text: String) -> [UInt8]? {
        text == "=" ? [] : decode(text)
    }

    /// The text for a SASL element carrying `bytes`: `=` for an empty
    /// initial response (RFC 6120 §6.4.2), the encoding otherwise.
    static func encodePayload(_ bytes: [UInt8]) -> String {
        bytes.isEmpty ? "=" : encode(bytes)
    }
}
