public import XMPP
public import XMPPCore

/// An item an entity hosts or knows of (XEP-0030 §4), for example a
/// server's multi-user chat service.
public struct DiscoItem: Hashable, Sendable {
    /// The item's address.
    public var jid: JID
    /// The node at that address, if any.
    public var node: String?
    /// A human-readable name, if any.
    public var name: String?

    /// Creates an item.
    /// - Parameters:
    ///   - jid: The address.
    ///   - node: The node.
    ///   - name: A human-readable name.
    public init(jid: JID, node: String? = nil, name: String? = nil) {
        self.jid = jid
        self.node = node
        self.name = name
    }

    /// The `<item/>` element.
    public var element: XMLElement {
        var item = XMLElement("item", namespace: Disco.itemsNamespace, attributes: ["jid": jid.description])
        item[attribute: "node"] = node
        item[attribute: "name"] = name
        return item
    }

    /// Reads the items of a
    /// `<query xmlns='http://jabber.org/protocol/disco#items'/>`.
    ///
    /// Items without a `jid` or with one that is not a valid JID are
    /// skipped: one bad entry should not hide the others.
    /// - Throws: ``StanzaParseError`` `unexpectedElement` for another
    ///   element.
    public static func items(in element: XMLElement) throws(StanzaParseError) -> [DiscoItem] {
        guard element.name == XMLQualifiedName("query", namespace: Disco.itemsNamespace) else {
            throw .unexpectedElement(element.name)
        }
        return element.children(named: "item", namespace: Disco.itemsNamespace).compactMap { item in
            guard let text = item[attribute: "jid"], let jid = try? JID(text) else { return nil }
            return DiscoItem(jid: jid, node: item[attribute: "node"], name: item[attribute: "name"])
        }
    }
}

/// Asks an entity which items it hosts (XEP-0030 §4): a server's
/// components, a chat service's rooms.
///
/// ```swift
/// let items = try await connection.request(DiscoItemsRequest(), to: JID(connection.boundJID.domainpart))
/// for item in items { print(item.jid, item.name ?? "") }
/// ```
public struct DiscoItemsRequest: IQRequest, Hashable {
    /// The node to list, or `nil` for the entity's top level.
    public var node: String?

    /// Creates the request.
    /// - Parameter node: The node, if any.
    public init(node: String? = nil) {
        self.node = node
    }

    /// `get`.
    public var type: IQRequestType { .get }

    /// `<query xmlns='http://jabber.org/protocol/disco#items' node='…'/>`.
    public var payload: XMLElement {
        var query = XMLElement("query", namespace: Disco.itemsNamespace)
        query[attribute: "node"] = node
        return query
    }

    /// Reads the answer; see ``DiscoItem/items(in:)``.
    /// - Throws: ``StanzaParseError``: `missingChild` for an empty result,
    ///   `unexpectedElement` for another payload.
    public func response(from result: IQ) throws(StanzaParseError) -> [DiscoItem] {
        guard let payload = result.payload else {
            throw StanzaParseError(.missingChild, subject: "{\(Disco.itemsNamespace)}query")
        }
        return try DiscoItem.items(in: payload)
    }
}
