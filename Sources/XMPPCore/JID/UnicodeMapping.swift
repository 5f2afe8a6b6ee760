/// The Unicode mappings PRECIS and IDNA2008 apply before validating a string:
/// width mapping, lower-casing and canonical composition.
enum UnicodeMapping {
    /// Maps fullwidth and halfwidth code points to their `<wide>` or
    /// `<narrow>` decomposition (the Width Mapping Rule of RFC 8265 §3.3).
    ///
    /// Those decompositions exist only for U+3000 and the Halfwidth and
    /// Fullwidth Forms block (U+FF01…U+FFEE); the block is tabulated here so
    /// that no compatibility-normalisation library is needed.
    static func widthMapped(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        let value = scalar.value
        if value == 0x3000 { return " " }
        guard (0xFF01...0xFFEE).contains(value) else { return scalar }
        let mapped: UInt32? = switch value {
        case 0xFF01...0xFF5E: value - 0xFEE0  // fullwidth ASCII
        case 0xFF5F: 0x2985
        case 0xFF60: 0x2986
        case 0xFF61...0xFF9F: halfwidthKatakana[Int(value - 0xFF61)]
        case 0xFFA0: 0x3164
        case 0xFFA1...0xFFBE: value - 0xFFA1 + 0x3131  // halfwidth Hangul consonants
        case 0xFFC2...0xFFC7: value - 0xFFC2 + 0x314F  // halfwidth Hangul vowels, in runs of six
        case 0xFFCA...0xFFCF: value - 0xFFCA + 0x3155
        case 0xFFD2...0xFFD7: value - 0xFFD2 + 0x315B
        case 0xFFDA...0xFFDC: value - 0xFFDA + 0x3161
        case 0xFFE0...0xFFE6: fullwidthSigns[Int(value - 0xFFE0)]
        case 0xFFE8...0xFFEE: halfwidthSymbols[Int(value - 0xFFE8)]
        default: nil  // unassigned gaps in the block
        }
        return mapped.flatMap(Unicode.Scalar.init) ?? scalar
    }

    /// Targets of U+FF61…U+FF9F: CJK punctuation, then the katakana.
    private static let halfwidthKatakana: [UInt32] = [
        0x3002, 0x300C, 0x300D, 0x3001, 0x30FB, 0x30F2,  // ｡｢｣､･ｦ
        0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9, 0x30E3, 0x30E5, 0x30E7, 0x30C3,  // small ｧ…ｯ
        0x30FC,  // ｰ
        0x30A2, 0x30A4, 0x30A6, 0x30A8, 0x30AA,  // ｱｲｳｴｵ
        0x30AB, 0x30AD, 0x30AF, 0x30B1, 0x30B3,  // ｶｷｸｹｺ
        0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD,  // ｻｼｽｾｿ
        0x30BF, 0x30C1, 0x30C4, 0x30C6, 0x30C8,  // ﾀﾁﾂﾃﾄ
        0x30CA, 0x30CB, 0x30CC, 0x30CD, 0x30CE,  // ﾅﾆﾇﾈﾉ
        0x30CF, 0x30D2, 0x30D5, 0x30D8, 0x30DB,  // ﾊﾋﾌﾍﾎ
        0x30DE, 0x30DF, 0x30E0, 0x30E1, 0x30E2,  // ﾏﾐﾑﾒﾓ
        0x30E4, 0x30E6, 0x30E8,  // ﾔﾕﾖ
        0x30E9, 0x30EA, 0x30EB, 0x30EC, 0x30ED,  // ﾗﾘﾙﾚﾛ
        0x30EF, 0x30F3,  // ﾜﾝ
        0x3099, 0x309A,  // ﾞﾟ become combining marks; NFC then composes them
    ]

    /// Targets of U+FFE0…U+FFE6: ¢ £ ¬ ¯ ¦ ¥ ₩.
    private static let fullwidthSigns: [UInt32] = [0xA2, 0xA3, 0xAC, 0xAF, 0xA6, 0xA5, 0x20A9]

    /// Targets of U+FFE8…U+FFEE: box drawing, arrows and shapes.
    private static let halfwidthSymbols: [UInt32] = [0x2502, 0x2190, 0x2191, 0x2192, 0x2193, 0x25A0, 0x25CB]

    /// Unicode default `toLowerCase` (full mappings, with the Final_Sigma
    /// context for U+03A3), as RFC 8265 and RFC 5895 require.
    ///
    /// `String.lowercased()` maps U+03A3 to σ everywhere; here a capital sigma
    /// that ends a word becomes ς.
    static func lowercased(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(scalars.count)
        for (index, scalar) in scalars.enumerated() {
            if scalar.isASCII {
                result.append(scalar.value >= 0x41 && scalar.value <= 0x5A ? Unicode.Scalar(UInt8(scalar.value + 0x20)) : scalar)
            } else if scalar.value == 0x3A3 {
                result.append(isFinalSigma(at: index, in: scalars) ? "\u{3C2}" : "\u{3C3}")
            } else {
                result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return result
    }

    /// The Final_Sigma condition of Unicode §3.13: a cased letter precedes
    /// and none follows, skipping case-ignorable code points either way.
    private static func isFinalSigma(at index: Int, in scalars: [Unicode.Scalar]) -> Bool {
        let before = scalars[..<index].last { !$0.properties.isCaseIgnorable }
        let after = scalars[(index + 1)...].first { !$0.properties.isCaseIgnorable }
        return before?.properties.isCased == true && after?.properties.isCased != true
    }

    /// The string in Normalization Form C.
    ///
    /// Uses the standard library's own NFC tables (`_nfcCodeUnits`, public but
    /// underscored) so that XMPPCore needs no Foundation or ICU. ASCII is
    /// returned untouched.
    static func nfc(_ scalars: [Unicode.Scalar]) -> String {
        var string = String(String.UnicodeScalarView(scalars))
        guard !scalars.allSatisfy(\.isASCII) else { return string }
        string = String(decoding: string._nfcCodeUnits, as: UTF8.self)
        return string
    }
}
