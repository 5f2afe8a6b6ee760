/// Why a string is not a valid Jabber Identifier (RFC 7622).
///
/// Every failure of ``JID``, ``BareJID`` and ``FullJID`` parsing and
/// construction is reported as one of these; invalid input never traps.
public struct JIDError: Error, Hashable, Sendable {
    /// The part of the address the problem concerns.
    public var part: Part
    /// What is wrong with that part.
    public var kind: Kind

    /// The parts of a JID, plus the address as a whole.
    public enum Part: Hashable, Sendable {
        /// The part before the `@`.
        case localpart
        /// The part between the `@` and the `/`.
        case domainpart
        /// The part after the first `/`.
        case resourcepart
        /// The address as a whole, for problems no single part owns.
        case jid
    }

    /// The kinds of problem.
    public enum Kind: Hashable, Sendable {
        /// The part is empty, for example `"@example.com"` or `"example.com/"`.
        case empty
        /// The part is longer than 1023 UTF-8 bytes after normalisation.
        case tooLong
        /// The part contains a code point its PRECIS profile or RFC 7622 forbids.
        case forbiddenCharacter(Unicode.Scalar)
        /// The part violates the Bidi Rule of RFC 5893.
        case bidiRule
        /// A domain label is empty, longer than 63 bytes in A-label form, or
        /// otherwise not a valid label.
        case invalidLabel
        /// An `xn--` label is not valid Punycode, or does not round-trip.
        case invalidPunycode
        /// A bracketed IPv6 literal is malformed.
        case invalidIPLiteral
        /// A ``FullJID`` was required but the address has no resourcepart.
        case missingResource
        /// A ``BareJID`` was required but the address has a resourcepart.
        case unexpectedResource
    }

    /// Creates an error.
    /// - Parameters:
    ///   - part: The part the problem concerns.
    ///   - kind: What is wrong with it.
    public init(_ part: Part, _ kind: Kind) {
        self.part = part
        self.kind = kind
    }
}

extension JIDError: CustomStringConvertible {
    /// A short description such as `"localpart: forbiddenCharacter(U+0040)"`.
    public var description: String { "\(part): \(kind)" }
}

extension JIDError.Kind: CustomStringConvertible {
    /// The case name, with `U+XXXX` notation for a forbidden character.
    public var description: String {
        switch self {
        case .empty: "empty"
        case .tooLong: "tooLong"
        case .forbiddenCharacter(let scalar): "forbiddenCharacter(\(scalar.codePointNotation))"
        case .bidiRule: "bidiRule"
        case .invalidLabel: "invalidLabel"
        case .invalidPunycode: "invalidPunycode"
        case .invalidIPLiteral: "invalidIPLiteral"
        case .missingResource: "missingResource"
        case .unexpectedResource: "unexpectedResource"
        }
    }
}

extension JIDError.Part: CustomStringConvertible {
    /// The part's name, for example `"domainpart"`.
    public var description: String {
        switch self {
        case .localpart: "localpart"
        case .domainpart: "domainpart"
        case .resourcepart: "resourcepart"
        case .jid: "jid"
        }
    }
}

extension Unicode.Scalar {
    /// The code point as `U+XXXX` (at least four upper-case hex digits).
    var codePointNotation: String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
