import XMPPCore

/// Why an element could not be read as XEP-0198 stream management.
///
/// A malformed stream-management element from the server is a protocol
/// violation: the session answers with ``streamError``
/// (`undefined-condition`) and closes (security.md H87).
enum StreamManagementParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The element is not in the `urn:xmpp:sm:3` namespace.
    case notStreamManagement(XMLQualifiedName)
    /// The element is in the namespace, but not one this client handles
    /// (for example XEP-0198's withdrawn `<t/>`).
    case unknownElement(localName: String)
    /// A required attribute is missing.
    case missingAttribute(element: String, attribute: String)
    /// An attribute's value is not what the schema allows: a count that is
    /// not a decimal `xs:unsignedInt`, a boolean that is not `true`, `false`,
    /// `1` or `0`, an empty SM-ID.
    case invalidAttribute(element: String, attribute: String, value: String)

    /// The stream error to close the stream with.
    var streamError: StreamError {
        StreamError(.undefinedCondition, text: "malformed stream management element")
    }

    /// The problem, with at most the first 32 characters of a bad value.
    var description: String {
        switch self {
        case .notStreamManagement(let name):
            "not a stream management element: \(name)"
        case .unknownElement(let localName):
            "unknown stream management element <\(localName)/>"
        case .missingAttribute(let element, let attribute):
            "<\(element)/> lacks the '\(attribute)' attribute"
        case .invalidAttribute(let element, let attribute, let value):
            "<\(element)/> has an invalid '\(attribute)': \"\(value.prefix(32))\""
        }
    }
}
