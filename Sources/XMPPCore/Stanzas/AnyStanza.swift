/// One stanza of any kind, as read from a stream: the dispatch point from a
/// top-level ``XMLElement`` to the typed model.
public enum AnyStanza: Hashable, Sendable {
    /// A `<message/>`.
    case message(Message)
    /// A `<presence/>`.
    case presence(Presence)
    /// An `<iq/>`.
    case iq(IQ)

    /// Reads a top-level element of a stream as a stanza.
    ///
    /// Returns `nil`, not an error, for an element that is not a stanza:
    /// streams also carry non-stanza elements (stream errors, features,
    /// Stream Management's `<r/>` and `<a/>`, a stanza name in another
    /// namespace) that the caller routes elsewhere. The element is passed
    /// in, so a `.other` case would only repeat it.
    /// - Parameters:
    ///   - element: A top-level element of the stream.
    ///   - namespace: The stream's content namespace; `jabber:client` by default.
    /// - Returns: The stanza, or `nil` if the element is not
    ///   `message`, `presence` or `iq` in `namespace`.
    /// - Throws: ``StanzaParseError`` if it is a stanza but not a valid one;
    ///   answer with ``StanzaParseError/replyCondition`` through
    ///   ``errorReply(to:error:namespace:)``.
    public static func parse(
        _ element: XMLElement,
        namespace: String = XMLNamespace.client
    ) throws(StanzaParseError) -> AnyStanza? {
        guard element.name.namespace == namespace else { return nil }
        switch element.name.localName {
        case Message.localName: return .message(try Message(element: element, namespace: namespace))
        case Presence.localName: return .presence(try Presence(element: element, namespace: namespace))
        case IQ.localName: return .iq(try IQ(element: element, namespace: namespace))
        default: return nil
        }
    }

    /// Whether the element is named like a stanza in `namespace`, whether or
    /// not it is a valid one.
    public static func isStanza(_ element: XMLElement, namespace: String = XMLNamespace.client) -> Bool {
        // The client namespace's stanza names are known names: an index test.
        if namespace == XMLNamespace.client { return element.knownName?.isClientStanza ?? false }
        let name = element.name
        guard name.namespace == namespace else { return false }
        switch name.localName {
        case Message.localName, Presence.localName, IQ.localName: return true
        default: return false
        }
    }

    /// The stanza, whatever its kind.
    public var stanza: any Stanza {
        switch self {
        case .message(let message): message
        case .presence(let presence): presence
        case .iq(let iq): iq
        }
    }

    /// The stanza identifier; always present for an IQ.
    public var id: String? {
        switch self {
        case .message(let message): message.id
        case .presence(let presence): presence.id
        case .iq(let iq): iq.id
        }
    }

    /// The intended recipient.
    public var to: JID? { stanza.to }

    /// The sender.
    public var from: JID? { stanza.from }

    /// The stanza as an element in the client content namespace, `jabber:client`.
    public var element: XMLElement { stanza.element }

    /// The stanza as an element in the given content namespace.
    public func element(namespace: String) -> XMLElement { stanza.element(namespace: namespace) }
}

// MARK: - Answering unreadable stanzas

extension AnyStanza {
    /// An error stanza answering `element`, built from the raw element
    /// because one that failed to parse has no typed model.
    ///
    /// The reply has the same name and `id`, the `to` and `from` values
    /// swapped verbatim (even malformed ones, which the server then
    /// handles), `type='error'`, and only the `<error/>` child.
    /// - Parameters:
    ///   - element: The stanza that could not be processed.
    ///   - error: Why, for example built from ``StanzaParseError/replyCondition``.
    ///   - namespace: The stream's content namespace.
    /// - Returns: The reply, or `nil` where none may be sent: the element is
    ///   not a stanza, is itself an error (RFC 6120 §8.3.1), or is an IQ
    ///   response (RFC 6120 §8.2.3).
    public static func errorReply(
        to element: XMLElement,
        error: StanzaError,
        namespace: String = XMLNamespace.client
    ) -> XMLElement? {
        guard isStanza(element, namespace: namespace) else { return nil }
        let type = element[attribute: "type"]
        if type == "error" { return nil }
        if element.name.localName == IQ.localName, type == "result" { return nil }

        var reply = XMLElement(name: element.name)
        if let to = element[attribute: "to"] { reply[attribute: "from"] = to }
        if let id = element[attribute: "id"] { reply[attribute: "id"] = id }
        if let from = element[attribute: "from"] { reply[attribute: "to"] = from }
        reply[attribute: "type"] = "error"
        reply.append(error.element(namespace: namespace))
        return reply
    }
}
