/// Shortcuts for the JID parts almost every stanza carries: plain printable
/// ASCII, for which the full PRECIS and IDNA machinery (scalar arrays,
/// width and case mapping, NFC, property lookups) reduces to a byte scan
/// and lower-casing.
///
/// Each shortcut answers only inputs whose result it knows to equal the
/// full algorithm's, and returns `nil` for anything else, which then takes
/// the full path. The equality is checked by tests that run both paths on
/// every printable ASCII character and on random ASCII strings.
enum ASCIIFastPath {
    /// The UsernameCaseMapped result for a localpart of printable ASCII
    /// (U+0021…U+007E, all PVALID in the IdentifierClass, none affected by
    /// width mapping or NFC, none right-to-left): the input lower-cased.
    /// `nil` when it has another byte or a character RFC 7622 forbids in a
    /// localpart (the full path then throws the precise error).
    static func localpart(_ string: String) -> String? {
        var hasUpper = false
        var count = 0
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "/"),
                 UInt8(ascii: ":"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "@"):
                return nil
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                hasUpper = true
            case 0x21...0x7E:
                break
            default:
                return nil
            }
            count += 1
        }
        guard count > 0, count <= JIDSyntax.maximumPartLength else { return nil }
        return hasUpper ? lowercased(string) : string
    }

    /// The OpaqueString result for a resourcepart of printable ASCII and
    /// spaces (U+0020…U+007E, all valid in the FreeformClass and unchanged
    /// by its mappings and NFC): the input itself. `nil` otherwise.
    static func resourcepart(_ string: String) -> String? {
        var count = 0
        for byte in string.utf8 {
            guard (0x20...0x7E).contains(byte) else { return nil }
            count += 1
        }
        guard count > 0, count <= JIDSyntax.maximumPartLength else { return nil }
        return string
    }

    /// The normalised form of a host name made of ASCII labels that are
    /// not A-labels: lower-cased, without the trailing dot of a fully
    /// qualified name. `nil` for IP literals, `xn--` labels, empty or
    /// over-long labels, forbidden or non-ASCII bytes, or an over-long
    /// name; the full path decides those.
    static func domainpart(_ string: String) -> String? {
        var bytes = Array(string.utf8)
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        guard !bytes.isEmpty, bytes.count <= JIDSyntax.maximumPartLength else { return nil }
        var labelStart = 0
        var changed = bytes.count != string.utf8.count
        for index in 0...bytes.count {
            guard index < bytes.count else { break }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "."):
                guard isPlainLabel(bytes[labelStart..<index]) else { return nil }
                labelStart = index + 1
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                bytes[index] = byte | 0x20
                changed = true
            case 0x00...0x20, 0x7F...0xFF, UInt8(ascii: "\""), UInt8(ascii: "&"), UInt8(ascii: "'"),
                 UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "@"),
                 UInt8(ascii: "["), UInt8(ascii: "]"):
                return nil
            default:
                break
            }
        }
        guard isPlainLabel(bytes[labelStart...]) else { return nil }
        return changed ? String(decoding: bytes, as: UTF8.self) : string
    }

    /// A label the full path keeps as it is (after lower-casing): 1…63
    /// bytes and not an A-label (`xn--`, in any case), which the full
    /// path must decode and check.
    private static func isPlainLabel(_ label: ArraySlice<UInt8>) -> Bool {
        guard !label.isEmpty, label.count <= DomainName.maximumLabelLength else { return false }
        guard label.count >= 4 else { return true }
        let start = label.startIndex
        let isALabel = label[start] | 0x20 == UInt8(ascii: "x") && label[start + 1] | 0x20 == UInt8(ascii: "n")
            && label[start + 2] == UInt8(ascii: "-") && label[start + 3] == UInt8(ascii: "-")
        return !isALabel
    }

    private static func lowercased(_ string: String) -> String {
        String(decoding: string.utf8.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
