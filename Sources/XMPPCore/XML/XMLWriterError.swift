/// Why an ``XMLElement`` could not be written: it holds something XML 1.0
/// cannot express.
///
/// The writer refuses rather than repairs, so a body with a control character
/// fails loudly at the sender instead of breaking the stream at the receiver.
public struct XMLWriterError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was wrong.
    public enum Kind: Hashable, Sendable {
        /// A character XML 1.0 forbids (C0 controls other than tab, LF and
        /// CR, U+FFFE, U+FFFF).
        case illegalCharacter(Unicode.Scalar)
        /// A local name or prefix that is not a valid XML name.
        case invalidName(String)
        /// An element in the `xml` or `xmlns` namespace, or an attribute in
        /// the `xmlns` one (including a plain `xmlns` attribute): XML reserves
        /// them, and namespace declarations are the writer's to make.
        case reservedNamespace(String)
        /// Two attributes with the same qualified name on one element.
        case duplicateAttribute(XMLQualifiedName)
    }

    /// What was wrong.
    public var kind: Kind
    /// Where: the qualified name of the element concerned.
    public var element: XMLQualifiedName

    /// Creates an error.
    public init(_ kind: Kind, element: XMLQualifiedName) {
        self.kind = kind
        self.element = element
    }

    /// The kind and the element, for logs; never contains the text itself.
    public var description: String {
        switch kind {
        case .illegalCharacter(let scalar):
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return "cannot write U+\(String(repeating: "0", count: max(0, 4 - hex.count)))\(hex) in \(element)"
        case .invalidName(let name):
            return "invalid XML name '\(name.prefix(64))' in \(element)"
        case .reservedNamespace(let namespace):
            return "reserved namespace '\(namespace)' in \(element)"
        case .duplicateAttribute(let name):
            return "duplicate attribute \(name) in \(element)"
        }
    }
}
