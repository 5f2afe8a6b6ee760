/// The contextual rules of RFC 5892 Appendix A, which PRECIS (RFC 8264)
/// and IDNA2008 apply to CONTEXTJ and CONTEXTO code points.
///
/// The standard library exposes neither the Script nor the Joining_Type
/// property, so both are approximated by code point ranges covering the
/// scripts the rules are about. The approximations err towards accepting.
enum ContextRules {
    /// Whether the contextual code point at `index` is allowed where it is.
    static func allows(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        let scalar = scalars[index]
        let before = index > 0 ? scalars[index - 1] : nil
        let after = index + 1 < scalars.count ? scalars[index + 1] : nil
        switch scalar.value {
        case 0x200C:  // ZERO WIDTH NON-JOINER
            return before.map(isVirama) == true || isBetweenJoiningLetters(scalars, at: index)
        case 0x200D:  // ZERO WIDTH JOINER
            return before.map(isVirama) == true
        case 0x00B7:  // MIDDLE DOT, as in Catalan "l·l"
            return before == "l" && after == "l"
        case 0x0375:  // GREEK LOWER NUMERAL SIGN
            return after.map(isGreek) == true
        case 0x05F3, 0x05F4:  // HEBREW PUNCTUATION GERESH, GERSHAYIM
            return before.map(isHebrew) == true
        case 0x30FB:  // KATAKANA MIDDLE DOT
            return scalars.contains { $0.value != 0x30FB && isHiraganaKatakanaOrHan($0) }
        case 0x0660...0x0669:  // ARABIC-INDIC DIGITS
            return !scalars.contains { (0x06F0...0x06F9).contains($0.value) }
        case 0x06F0...0x06F9:  // EXTENDED ARABIC-INDIC DIGITS
            return !scalars.contains { (0x0660...0x0669).contains($0.value) }
        default:
            return false
        }
    }

    private static func isVirama(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.canonicalCombiningClass == .virama
    }

    /// `(Joining_Type:{L,D})(Joining_Type:T)* ZWNJ (Joining_Type:T)*(Joining_Type:{R,D})`.
    private static func isBetweenJoiningLetters(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        let before = scalars[..<index].last { joiningType($0) != .transparent }
        let after = scalars[(index + 1)...].first { joiningType($0) != .transparent }
        guard let before, let after else { return false }
        let joinsAfter = [JoiningType.left, .dual].contains(joiningType(before))
        let joinsBefore = [JoiningType.right, .dual].contains(joiningType(after))
        return joinsAfter && joinsBefore
    }

    /// The Joining_Type values the ZWNJ rule distinguishes.
    private enum JoiningType {
        case dual, right, left, transparent, nonJoining
    }

    /// Joining_Type, approximated: letters of the cursive scripts join on
    /// both sides except a listed set of right-joining Arabic and Syriac
    /// letters; marks and format characters are transparent.
    private static func joiningType(_ scalar: Unicode.Scalar) -> JoiningType {
        let value = scalar.value
        if value == 0x200C || value == 0x200D { return .nonJoining }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return .transparent
        case .otherLetter, .modifierLetter: break
        default: return .nonJoining
        }
        switch value {
        case 0x0621, 0x0674: return .nonJoining  // hamza
        case 0x0622...0x0625, 0x0627, 0x0629, 0x062F...0x0632, 0x0648, 0x0671...0x0673, 0x0675...0x0677,
             0x0688...0x0699, 0x06C0, 0x06C3...0x06CB, 0x06CD, 0x06CF, 0x06D2, 0x06D3, 0x06D5, 0x06EE, 0x06EF,
             0x0759...0x075B, 0x076B, 0x076C, 0x0771, 0x0773, 0x0774, 0x0778, 0x0779,
             0x0710, 0x0715...0x0719, 0x071E, 0x0728, 0x072A, 0x072C, 0x072F, 0x074D:
            return .right
        case 0x0620...0x06FF, 0x0710...0x074F, 0x0750...0x077F, 0x07CA...0x07EA, 0x0860...0x086A, 0x08A0...0x08C9,
             0x1820...0x1878, 0x1887...0x18A8, 0xA840...0xA872, 0x10AC0...0x10AEF, 0x10B80...0x10BAF,
             0x10D00...0x10D23, 0x10F30...0x10F45, 0x1E900...0x1E943:
            return .dual
        default:
            return .nonJoining
        }
    }

    private static func isGreek(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0370...0x0373, 0x0376...0x037D, 0x037F...0x03E1, 0x03F0...0x03FF, 0x1D26...0x1D2A,
             0x1F00...0x1FFE, 0x2126, 0xAB65, 0x10140...0x1018E, 0x1D200...0x1D245:
            true
        default:
            false
        }
    }

    private static func isHebrew(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0591...0x05F4, 0xFB1D...0xFB4F: true
        default: false
        }
    }

    private static func isHiraganaKatakanaOrHan(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3041...0x309F,  // Hiragana
             0x30A0...0x30FF, 0x31F0...0x31FF, 0x32D0...0x32FE, 0x3300...0x3357, 0xFF66...0xFF9D,
             0x1AFF0...0x1B16F,  // Katakana and kana supplements
             0x2E80...0x2FD5, 0x3005, 0x3007, 0x3021...0x3029, 0x3038...0x303B, 0x3400...0x4DBF,
             0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x3FFFF:  // Han
            true
        default:
            false
        }
    }
}
