/// The Bidi Rule of RFC 5893 §2, which UsernameCaseMapped (RFC 8265 §3.3)
/// applies to localparts with right-to-left characters and IDNA2008 applies
/// to domain names with right-to-left labels.
///
/// The standard library does not expose the Bidi_Class property, so it is
/// approximated: exact for ASCII, by block for the right-to-left scripts and
/// Arabic digits, and by general category elsewhere (letters and spacing
/// marks are L, non-spacing marks NSM, format characters BN, other symbols
/// and punctuation ON). For the letters, digits and marks that localparts
/// and U-labels consist of, that is what the Unicode data says.
enum BidiRule {
    /// The Bidi_Class values the rule distinguishes.
    enum BidiClass: Equatable {
        case l, r, al, en, es, et, cs, an, on, bn, nsm
        /// Any class the rule never allows (WS, B, S, explicit embeddings…).
        case other
    }

    /// Whether a string contains a right-to-left character (R, AL or AN),
    /// which makes the rule apply.
    static func isRightToLeft(_ scalars: some Sequence<Unicode.Scalar>) -> Bool {
        scalars.contains { [.r, .al, .an].contains(bidiClass($0)) }
    }

    /// Whether a string satisfies conditions 1–6 of RFC 5893 §2.
    static func isSatisfied(by scalars: [Unicode.Scalar]) -> Bool {
        let classes = scalars.map(bidiClass)
        guard let first = classes.first else { return true }
        let last = classes.last { $0 != .nsm }
        switch first {
        case .r, .al:  // conditions 2, 3, 4
            let allowed: [BidiClass] = [.r, .al, .an, .en, .es, .cs, .et, .on, .bn, .nsm]
            return classes.allSatisfy(allowed.contains)
                && [.r, .al, .en, .an].contains(last)
                && !(classes.contains(.en) && classes.contains(.an))
        case .l:  // conditions 5, 6
            let allowed: [BidiClass] = [.l, .en, .es, .cs, .et, .on, .bn, .nsm]
            return classes.allSatisfy(allowed.contains) && [.l, .en].contains(last)
        default:  // condition 1
            return false
        }
    }

    /// The approximate Bidi_Class of a code point.
    static func bidiClass(_ scalar: Unicode.Scalar) -> BidiClass {
        let value = scalar.value
        if value < 0x80 { return asciiClass(UInt8(value)) }
        let category = scalar.properties.generalCategory
        switch category {
        case .nonspacingMark, .enclosingMark: return .nsm
        case .format: return value == 0x200E ? .l : value == 0x200F ? .r : .bn
        case .spaceSeparator, .lineSeparator, .paragraphSeparator, .control: return .other
        default: break
        }
        switch value {
        case 0x0600...0x0605, 0x0660...0x0669, 0x066B, 0x066C, 0x06DD, 0x0890, 0x0891, 0x08E2,
             0x10D30...0x10D39, 0x10E60...0x10E7E:
            return .an
        case 0x00B2, 0x00B3, 0x00B9, 0x06F0...0x06F9, 0x2070, 0x2074...0x2079, 0x2080...0x2089,
             0x2488...0x249B, 0xFF10...0xFF19, 0x1D7CE...0x1D7FF, 0x1F100...0x1F10A, 0x1FBF0...0x1FBF9:
            return .en
        case 0x0590...0x05FF, 0x07C0...0x085F, 0xFB1D...0xFB4F, 0x10800...0x10CFF, 0x10D40...0x10EBF,
             0x10F00...0x10F2F, 0x10F70...0x10FFF, 0x1E800...0x1EC6F, 0x1ECC0...0x1ECFF, 0x1ED50...0x1EDFF,
             0x1EF00...0x1EFFF:
            return .r
        case 0x0600...0x07BF, 0x0860...0x08FF, 0xFB50...0xFDCF, 0xFDF0...0xFDFF, 0xFE70...0xFEFF,
             0x10D00...0x10D3F, 0x10EC0...0x10EFF, 0x10F30...0x10F6F, 0x1EC70...0x1ECBF, 0x1ED00...0x1ED4F,
             0x1EE00...0x1EEFF:
            return .al
        default:
            break
        }
        switch category {
        case .currencySymbol: return .et
        case .mathSymbol, .modifierSymbol, .otherSymbol, .connectorPunctuation, .dashPunctuation,
             .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return .on
        default:
            return .l
        }
    }

    /// Bidi_Class of the ASCII range, from the Unicode data.
    private static func asciiClass(_ byte: UInt8) -> BidiClass {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"): .l
        case UInt8(ascii: "0")...UInt8(ascii: "9"): .en
        case UInt8(ascii: "+"), UInt8(ascii: "-"): .es
        case UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"): .et
        case UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: ":"): .cs
        case 0x00...0x08, 0x0E...0x1B, 0x7F: .bn
        case 0x09...0x0D, 0x1C...0x20: .other
        default: .on
        }
    }
}
