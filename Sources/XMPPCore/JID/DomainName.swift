/// Validation and normalisation of domainparts (RFC 7622 §3.2): IP literals,
/// or host names mapped as RFC 5895 describes and checked as IDNA2008
/// labels, stored with U-labels.
enum DomainName {
    /// The largest size of one label in A-label (ASCII) form (RFC 1034).
    static let maximumLabelLength = 63

    /// ASCII characters refused in a label that is plain ASCII. Such labels
    /// are otherwise accepted liberally (underscores, for instance, occur
    /// in real deployments): only what could not be part of an address is
    /// refused, namely controls, space and `" & ' / : < > @ [ ] DEL`.
    private static func isForbiddenInASCIILabel(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x00...0x20, 0x7F, UInt8(ascii: "\""), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "/"),
             UInt8(ascii: ":"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "@"), UInt8(ascii: "["),
             UInt8(ascii: "]"):
            true
        default:
            false
        }
    }

    /// Validates and normalises a domainpart.
    /// - Returns: The domain with lower-case ASCII labels and U-labels, no
    ///   trailing dot; or a lower-cased IP literal.
    static func normalize(_ string: String) throws(JIDError) -> String {
        if let fast = ASCIIFastPath.domainpart(string) { return fast }
        return try normalizeInFull(string)
    }

    /// ``normalize(_:)`` without the ASCII shortcut.
    static func normalizeInFull(_ string: String) throws(JIDError) -> String {
        guard !string.isEmpty else { throw JIDError(.domainpart, .empty) }
        guard string.utf8.count <= 4 * JIDSyntax.maximumPartLength else { throw JIDError(.domainpart, .tooLong) }
        if string.utf8.first == UInt8(ascii: "[") {
            return try IPLiteral.normalizeIPv6(string)
        }
        // RFC 5895 mapping: full stops, width, case, NFC.
        var scalars = string.unicodeScalars.map { scalar in
            let mapped = UnicodeMapping.widthMapped(scalar)
            return mapped == "\u{3002}" ? "." : mapped
        }
        if scalars.last == "." { scalars.removeLast() }  // the trailing dot of a fully qualified name
        guard !scalars.isEmpty else { throw JIDError(.domainpart, .empty) }
        scalars = PRECIS.stabilized(scalars, mapping: UnicodeMapping.lowercased)

        var uLabels: [[Unicode.Scalar]] = []
        var asciiLength = -1
        for label in scalars.split(separator: ".", omittingEmptySubsequences: false) {
            let (uLabel, aLabel) = try normalizeLabel(Array(label))
            uLabels.append(uLabel)
            asciiLength += aLabel.utf8.count + 1
        }
        if uLabels.contains(where: BidiRule.isRightToLeft) {
            for label in uLabels where !BidiRule.isSatisfied(by: label) {
                throw JIDError(.domainpart, .bidiRule)
            }
        }
        let result = uLabels.map { String(String.UnicodeScalarView($0)) }.joined(separator: ".")
        guard result.utf8.count <= JIDSyntax.maximumPartLength, asciiLength <= JIDSyntax.maximumPartLength else {
            throw JIDError(.domainpart, .tooLong)
        }
        return result
    }

    /// Checks one mapped label.
    /// - Returns: The label as U-label (or plain ASCII) and as A-label.
    private static func normalizeLabel(_ label: [Unicode.Scalar]) throws(JIDError) -> ([Unicode.Scalar], String) {
        guard !label.isEmpty else { throw JIDError(.domainpart, .invalidLabel) }
        guard label.allSatisfy(\.isASCII) else {
            return (label, try aLabel(forULabel: label))
        }
        let ascii = String(String.UnicodeScalarView(label))
        guard ascii.utf8.count <= maximumLabelLength else { throw JIDError(.domainpart, .invalidLabel) }
        if let forbidden = ascii.utf8.first(where: isForbiddenInASCIILabel) {
            throw JIDError(.domainpart, .forbiddenCharacter(Unicode.Scalar(forbidden)))
        }
        guard ascii.hasPrefix("xn--") else { return (label, ascii) }
        guard let decoded = Punycode.decode(ascii.dropFirst(4).utf8), !decoded.allSatisfy(\.isASCII) else {
            throw JIDError(.domainpart, .invalidPunycode)
        }
        // An A-label must decode to a valid U-label that encodes back to it.
        let normalized = PRECIS.stabilized(decoded, mapping: UnicodeMapping.lowercased)
        guard normalized == decoded else { throw JIDError(.domainpart, .invalidPunycode) }
        guard (try? aLabel(forULabel: decoded)) == ascii else { throw JIDError(.domainpart, .invalidPunycode) }
        return (decoded, ascii)
    }

    /// Validates a U-label (RFC 5891 §5.4) and returns its A-label.
    private static func aLabel(forULabel label: [Unicode.Scalar]) throws(JIDError) -> String {
        // No Punycode of more than 59 code points fits in 63 bytes.
        guard label.count <= maximumLabelLength - 4 else { throw JIDError(.domainpart, .invalidLabel) }
        guard label.first != "-", label.last != "-" else { throw JIDError(.domainpart, .invalidLabel) }
        guard !(label.count >= 4 && label[2] == "-" && label[3] == "-") else { throw JIDError(.domainpart, .invalidLabel) }
        switch label[0].properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: throw JIDError(.domainpart, .invalidLabel)
        default: break
        }
        try PRECIS.validate(label, for: .domainpart, property: CodePointProperties.idna)
        guard let encoded = Punycode.encode(label), encoded.utf8.count + 4 <= maximumLabelLength else {
            throw JIDError(.domainpart, .invalidLabel)
        }
        return "xn--" + encoded
    }

    /// The A-label form of a domainpart that ``normalize(_:)`` produced.
    static func asciiForm(ofNormalized domain: String) -> String {
        guard !domain.utf8.allSatisfy({ $0 < 0x80 }) else { return domain }
        let labels = Array(domain.unicodeScalars).split(separator: ".", omittingEmptySubsequences: false)
        return labels.map { label in
            guard !label.allSatisfy(\.isASCII) else { return String(String.UnicodeScalarView(label)) }
            // Cannot fail: normalize(_:) encoded this label already.
            return "xn--" + (Punycode.encode(Array(label)) ?? "")
        }.joined(separator: ".")
    }
}
