import XMPPCore

/// The roster get (RFC 6121 §2.2), with the cached version when the server
/// supports versioning (RFC 6121 §2.6.2).
struct RosterGet: IQRequest {
    /// The `ver` to send: `nil` for none, `""` when nothing is cached.
    var version: String?

    var type: IQRequestType { .get }

    var payload: XMLElement {
        XMLElement(
            name: XMLQualifiedName("query", namespace: RosterItem.namespace),
            attributes: version.map { [XMLAttribute("ver", value: $0)] } ?? [])
    }

    /// The result's query, or `nil` for an empty result (the cached
    /// version is current).
    func response(from result: IQ) throws(StanzaParseError) -> XMLElement? {
        guard let query = result.payload else { return nil }
        guard query.name == XMLQualifiedName("query", namespace: RosterItem.namespace) else {
            throw StanzaParseError.unexpectedElement(query.name)
        }
        return query
    }
}

/// A roster set (RFC 6121 §2.3–2.5): one item to add, update or remove.
struct RosterSet: IQRequest {
    /// The item; its subscription is sent only when it is `remove`.
    var item: RosterItem

    var type: IQRequestType { .set }

    var payload: XMLElement {
        XMLElement(name: XMLQualifiedName("query", namespace: RosterItem.namespace), children: [.element(item.setElement)])
    }
}
