import XMPPCore

/// A stanza (or another top-level element) on its way out, as the
/// application handed it over.
///
/// A ``XMPPCore/Message`` stays a message: the writer serialises it
/// straight from the model, and its element is built only if it is needed
/// again (a resend after resumption, a report that it was not
/// acknowledged). Building the element and turning its addresses into
/// strings was most of what sending a message cost.
enum OutboundStanza: Hashable, Sendable {
    /// An element, written as it is.
    case element(XMLElement)
    /// A message in the `jabber:client` namespace.
    case message(Message)

    /// The element as it is written.
    var element: XMLElement {
        switch self {
        case .element(let element): element
        case .message(let message): message.element
        }
    }

    /// Whether it is a stanza: what XEP-0198 counts.
    var isStanza: Bool {
        switch self {
        case .element(let element): AnyStanza.isStanza(element)
        case .message: true
        }
    }

    /// Its qualified name, for errors and logs.
    var name: XMLQualifiedName {
        switch self {
        case .element(let element): element.name
        case .message: XMLQualifiedName(Message.localName, namespace: XMLNamespace.client)
        }
    }

    /// Its serialised bytes.
    /// - Throws: What the writer refuses.
    func bytes(with writer: XMLWriter) throws(XMLWriterError) -> [UInt8] {
        switch self {
        case .element(let element): try writer.bytes(element)
        case .message(let message): try writer.bytes(message)
        }
    }
}
