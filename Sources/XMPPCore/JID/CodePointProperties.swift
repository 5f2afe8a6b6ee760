/// The derived properties of RFC 8264 §8 (PRECIS) and RFC 5892 §3
/// (IDNA2008), computed from the standard library's Unicode properties.
///
/// The property algorithms are followed step by step. Two inputs are not
/// exposed by the standard library and are approximated:
/// - *HasCompat* (a compatibility decomposition exists) is derived from
///   `changesWhenNFKCCaseFolded`, corrected for the few lower-case letters
///   whose NFKC_Casefold change comes from case folding alone; see
///   ``hasCompatibilityDecomposition(_:)``.
/// - *Script* and *Joining_Type*, used by contextual rules, come from code
///   point ranges (see `ContextRules`).
enum CodePointProperties {
    /// What a code point may do in a string of some class.
    enum Derived {
        /// Allowed anywhere.
        case valid
        /// Allowed where its contextual rule (RFC 5892 Appendix A) holds.
        case contextual
        /// Not allowed (including unassigned code points).
        case disallowed
    }

    /// The two PRECIS string classes.
    enum StringClass {
        /// IdentifierClass: letters, digits and ASCII printables.
        case identifier
        /// FreeformClass: also spaces, symbols, punctuation, compatibility
        /// characters.
        case freeform
    }

    /// The PRECIS derived property of a code point (RFC 8264 §8).
    static func precis(_ scalar: Unicode.Scalar, _ stringClass: StringClass) -> Derived {
        if let exception = exception(scalar) { return exception }
        let properties = scalar.properties
        let category = properties.generalCategory
        if category == .unassigned && !properties.isNoncharacterCodePoint { return .disallowed }
        if (0x21...0x7E).contains(scalar.value) { return .valid }  // ASCII7
        if properties.isJoinControl { return .contextual }
        if isOldHangulJamo(scalar) { return .disallowed }
        if properties.isDefaultIgnorableCodePoint || properties.isNoncharacterCodePoint { return .disallowed }
        if category == .control { return .disallowed }
        let isFreeform = stringClass == .freeform
        if isLetterDigit(category) {
            // HasCompat precedes LetterDigits; it only matters for those.
            return !isFreeform && hasCompatibilityDecomposition(scalar) ? .disallowed : .valid
        }
        switch category {
        case .titlecaseLetter, .letterNumber, .otherNumber, .enclosingMark,  // OtherLetterDigits
             .spaceSeparator,  // Spaces
             .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol,  // Symbols
             .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:  // Punctuation
            return isFreeform ? .valid : .disallowed
        default:
            return .disallowed
        }
    }

    /// The IDNA2008 derived property of a code point in a U-label
    /// (RFC 5892 §3).
    static func idna(_ scalar: Unicode.Scalar) -> Derived {
        if let exception = exception(scalar) { return exception }
        let properties = scalar.properties
        if properties.generalCategory == .unassigned && !properties.isNoncharacterCodePoint { return .disallowed }
        if scalar.isASCII {
            switch scalar {
            case "a"..."z", "0"..."9", "-": return .valid  // LDH
            default: return .disallowed
            }
        }
        if properties.isJoinControl { return .contextual }
        if properties.changesWhenNFKCCaseFolded { return .disallowed }  // Unstable
        if properties.isDefaultIgnorableCodePoint || properties.isNoncharacterCodePoint || properties.isWhitespace {
            return .disallowed  // IgnorableProperties
        }
        switch scalar.value {
        case 0x20D0...0x20FF, 0x1D100...0x1D24F: return .disallowed  // IgnorableBlocks
        default: break
        }
        if isOldHangulJamo(scalar) { return .disallowed }
        return isLetterDigit(properties.generalCategory) ? .valid : .disallowed
    }

    /// The Exceptions of RFC 5892 §2.6, shared by IDNA2008 and PRECIS.
    private static func exception(_ scalar: Unicode.Scalar) -> Derived? {
        switch scalar.value {
        case 0x00DF, 0x03C2, 0x06FD, 0x06FE, 0x0F0B, 0x3007:
            .valid
        case 0x00B7, 0x0375, 0x05F3, 0x05F4, 0x30FB, 0x0660...0x0669, 0x06F0...0x06F9:
            .contextual
        case 0x0640, 0x07FA, 0x302E, 0x302F, 0x3031...0x3035, 0x303B:
            .disallowed
        default:
            nil
        }
    }

    /// LetterDigits: Ll, Lu, Lo, Nd, Lm, Mn, Mc.
    private static func isLetterDigit(_ category: Unicode.GeneralCategory) -> Bool {
        switch category {
        case .lowercaseLetter, .uppercaseLetter, .otherLetter, .decimalNumber, .modifierLetter,
             .nonspacingMark, .spacingMark:
            true
        default:
            false
        }
    }

    /// OldHangulJamo: conjoining jamo of Hangul_Syllable_Type L, V or T.
    private static func isOldHangulJamo(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x1100...0x11FF, 0xA960...0xA97F, 0xD7B0...0xD7FF: true
        default: false
        }
    }

    /// Whether `NFKC(scalar) != scalar`, for a scalar that lower-casing and
    /// NFC leave unchanged (the only kind left in an enforced localpart).
    ///
    /// For such a scalar NFKC_Casefold differs from it exactly when NFKC
    /// does, or when case folding does. Lower-case letters that case folding
    /// changes are few (ß, ς, Cherokee, Greek with ypogegrammeni…); the ones
    /// among them with a compatibility decomposition are listed here.
    /// Checked against full NFKC over all of Unicode 16.
    static func hasCompatibilityDecomposition(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        guard properties.changesWhenNFKCCaseFolded else { return false }
        guard properties.changesWhenCaseFolded else { return true }
        switch scalar.value {
        case 0x00B5, 0x0149, 0x017F,  // µ ŉ ſ
             0x03D0, 0x03D1, 0x03D5, 0x03D6, 0x03F0, 0x03F1, 0x03F5,  // ϐ ϑ ϕ ϖ ϰ ϱ ϵ
             0x0587, 0x1E9A, 0x1E9B,  // և ẚ ẛ
             0xFB00...0xFB06, 0xFB13...0xFB17:  // Latin and Armenian ligatures
            return true
        default:
            return false
        }
    }
}
