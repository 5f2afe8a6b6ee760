/// The PRECIS profiles RFC 7622 applies to localparts and resourceparts
/// (RFC 8265 §3.3 and §4.2, on the classes of RFC 8264).
enum PRECIS {
    /// Code points RFC 7622 §3.3.1 forbids in a localpart although the
    /// IdentifierClass allows them: `" & ' / : < > @`.
    private static let jidForbiddenInLocalpart: Set<Unicode.Scalar> = ["\"", "&", "'", "/", ":", "<", ">", "@"]

    /// Enforces the UsernameCaseMapped profile (RFC 8265 §3.3): width
    /// mapping, `toLowerCase`, NFC, the IdentifierClass, the Bidi Rule, plus
    /// the JID-specific forbidden characters and the 1023-byte limit.
    static func usernameCaseMapped(_ string: String, for part: JIDError.Part) throws(JIDError) -> String {
        if let fast = ASCIIFastPath.localpart(string) { return fast }
        return try usernameCaseMappedInFull(string, for: part)
    }

    /// ``usernameCaseMapped(_:for:)`` without the ASCII shortcut.
    static func usernameCaseMappedInFull(_ string: String, for part: JIDError.Part) throws(JIDError) -> String {
        try checkRawLength(string, for: part)
        let scalars = stabilized(Array(string.unicodeScalars)) { input in
            UnicodeMapping.lowercased(input.map(UnicodeMapping.widthMapped))
        }
        if let forbidden = scalars.first(where: jidForbiddenInLocalpart.contains) {
            throw JIDError(part, .forbiddenCharacter(forbidden))
        }
        try validate(scalars, for: part) { CodePointProperties.precis($0, .identifier) }
        if BidiRule.isRightToLeft(scalars) && !BidiRule.isSatisfied(by: scalars) {
            throw JIDError(part, .bidiRule)
        }
        return try checkedResult(scalars, for: part)
    }

    /// Enforces the OpaqueString profile (RFC 8265 §4.2): non-ASCII spaces
    /// become U+0020, NFC, the FreeformClass, and the 1023-byte limit. There
    /// is no case mapping and no directionality rule.
    static func opaqueString(_ string: String, for part: JIDError.Part) throws(JIDError) -> String {
        if let fast = ASCIIFastPath.resourcepart(string) { return fast }
        return try opaqueStringInFull(string, for: part)
    }

    /// ``opaqueString(_:for:)`` without the ASCII shortcut.
    static func opaqueStringInFull(_ string: String, for part: JIDError.Part) throws(JIDError) -> String {
        try checkRawLength(string, for: part)
        let scalars = stabilized(Array(string.unicodeScalars)) { input in
            input.map { $0.properties.generalCategory == .spaceSeparator ? " " : $0 }
        }
        try validate(scalars, for: part) { CodePointProperties.precis($0, .freeform) }
        return try checkedResult(scalars, for: part)
    }

    /// Checks every code point against a derived property, running the
    /// contextual rule of each CONTEXTJ or CONTEXTO one.
    static func validate(
        _ scalars: [Unicode.Scalar],
        for part: JIDError.Part,
        property: (Unicode.Scalar) -> CodePointProperties.Derived
    ) throws(JIDError) {
        for (index, scalar) in scalars.enumerated() {
            switch property(scalar) {
            case .valid:
                continue
            case .contextual where ContextRules.allows(scalars, at: index):
                continue
            case .contextual, .disallowed:
                throw JIDError(part, .forbiddenCharacter(scalar))
            }
        }
    }

    /// Applies a mapping followed by NFC until the result no longer changes,
    /// so that enforcing an enforced string is the identity (RFC 8264 §7).
    /// Two rounds suffice for every known input; four are allowed.
    static func stabilized(
        _ scalars: [Unicode.Scalar],
        mapping: ([Unicode.Scalar]) -> [Unicode.Scalar]
    ) -> [Unicode.Scalar] {
        var current = scalars
        for _ in 0..<4 {
            let next = Array(UnicodeMapping.nfc(mapping(current)).unicodeScalars)
            if next == current { break }
            current = next
        }
        return current
    }

    /// Rejects empty input, and input so long that no normalisation could
    /// bring it within 1023 bytes (mappings shrink a string at most
    /// threefold), before any work is spent on it.
    private static func checkRawLength(_ string: String, for part: JIDError.Part) throws(JIDError) {
        guard !string.isEmpty else { throw JIDError(part, .empty) }
        guard string.utf8.count <= 4 * JIDSyntax.maximumPartLength else { throw JIDError(part, .tooLong) }
    }

    /// The enforced string, after the RFC 7622 length checks (1…1023 bytes).
    private static func checkedResult(_ scalars: [Unicode.Scalar], for part: JIDError.Part) throws(JIDError) -> String {
        let result = String(String.UnicodeScalarView(scalars))
        guard !result.isEmpty else { throw JIDError(part, .empty) }
        guard result.utf8.count <= JIDSyntax.maximumPartLength else { throw JIDError(part, .tooLong) }
        return result
    }
}
