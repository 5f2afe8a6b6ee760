/// Why an ``XMLElement`` could not be read as a stanza or protocol element.
///
/// Thrown by the typed model's initialisers; a caller that receives one from
/// the network answers with a stanza error or drops the element, it never
/// crashes.
public struct StanzaParseError: Error, Hashable, Sendable {
    /// What went wrong.
    public var kind: Kind
    /// The element or attribute the problem concerns, in Clark notation.
    public var subject: String
    /// For ``Kind/malformedAddress``, why the address is not a valid JID.
    public var addressError: JIDError?

    /// The kinds of problem.
    public enum Kind: Hashable, Sendable {
        /// The element has another name or namespace than expected.
        case unexpectedElement
        /// A required attribute is missing.
        case missingAttribute
        /// An attribute has a value the protocol does not allow.
        case invalidAttribute
        /// An address attribute (`to`, `from`, `by`) is not a valid JID;
        /// answer `jid-malformed` (RFC 6120 §8.3.3.8).
        case malformedAddress
        /// A required child element is missing.
        case missingChild
        /// A child element appears in a way the protocol does not allow.
        case invalidChild
        /// Text content has a value the protocol does not allow.
        case invalidText
    }

    /// Creates a parse error.
    public init(_ kind: Kind, subject: String, addressError: JIDError? = nil) {
        self.kind = kind
        self.subject = subject
        self.addressError = addressError
    }

    /// The element has another name than expected.
    public static func unexpectedElement(_ name: XMLQualifiedName) -> StanzaParseError {
        StanzaParseError(.unexpectedElement, subject: name.description)
    }
}

extension StanzaParseError: CustomStringConvertible {
    /// A short description naming the kind and subject.
    public var description: String { "\(kind): \(subject)" }
}

extension String {
    /// The string without leading and trailing XML whitespace (space, tab, CR, LF).
    func trimmingXMLWhitespace() -> String {
        let isWhitespace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isWhitespace($0) }),
              let last = lastIndex(where: { !isWhitespace($0) })
        else { return "" }
        return String(self[first...last])
    }
}
