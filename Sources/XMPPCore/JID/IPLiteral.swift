/// Bracketed IPv6 literals in domainparts (RFC 7622 §3.2, RFC 3986 §3.2.2).
///
/// IPv4 addresses need no special handling: as dotted decimal they are
/// valid ASCII labels already and are kept as given.
enum IPLiteral {
    /// Validates `[IPv6address]` and returns it lower-cased, otherwise as
    /// given (no compression or zero-stripping is applied).
    static func normalizeIPv6(_ string: String) throws(JIDError) -> String {
        let bytes = Array(string.utf8)
        guard bytes.count >= 4, bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]"),
              isIPv6(bytes[1..<(bytes.count - 1)])
        else { throw JIDError(.domainpart, .invalidIPLiteral) }
        return String(decoding: bytes.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    /// RFC 4291 §2.2 text forms: eight groups of one to four hex digits,
    /// one `::` standing for at least one zero group, and optionally an
    /// IPv4 address as the last 32 bits. Zone identifiers are not allowed.
    static func isIPv6(_ text: ArraySlice<UInt8>) -> Bool {
        let colon = UInt8(ascii: ":")
        var groups = 0
        var sawCompression = false
        var index = text.startIndex
        if text.starts(with: [colon, colon]) {
            sawCompression = true
            index += 2
            if index == text.endIndex { return true }  // "::"
        }
        while index < text.endIndex {
            var end = index
            while end < text.endIndex, text[end] != colon { end += 1 }
            let group = text[index..<end]
            let isLast = end == text.endIndex
            if isLast && group.contains(UInt8(ascii: ".")) {
                guard isIPv4(group) else { return false }
                groups += 2
            } else {
                guard (1...4).contains(group.count), group.allSatisfy(isHexDigit) else { return false }
                groups += 1
            }
            if isLast { break }
            index = end + 1  // past ":"
            if index < text.endIndex, text[index] == colon {
                guard !sawCompression else { return false }
                sawCompression = true
                index += 1
                if index == text.endIndex { break }  // trailing "::"
            } else if index == text.endIndex {
                return false  // trailing single ":"
            }
        }
        return sawCompression ? groups <= 7 : groups == 8
    }

    /// Dotted-decimal IPv4: four numbers 0…255 of one to three digits.
    static func isIPv4(_ text: ArraySlice<UInt8>) -> Bool {
        let parts = text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            guard (1...3).contains(part.count), part.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                return false
            }
            return part.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) } <= 255
        }
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
             UInt8(ascii: "A")...UInt8(ascii: "F"):
            true
        default:
            false
        }
    }
}
