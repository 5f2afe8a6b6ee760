public import XMPPCore

/// Answers disco#info (XEP-0030 §3) about this entity: its identities and
/// features. Usually made by ``XMPPConnection/serve(_:identities:features:)``,
/// which collects the features from the other responders.
///
/// A request for a node is answered `item-not-found`: this entity has none,
/// except its XEP-0115 node (``capabilitiesNode``), which answers the same.
public struct DiscoInfoResponder: IQResponder, Hashable {
    /// The answer: identities, and features including disco#info itself.
    public var info: DiscoInfo
    /// The XEP-0115 node (`node#ver`, see ``EntityCapabilities/discoNode``)
    /// that is answered with ``info`` too, so that entities that saw our
    /// `<c/>` can ask for it; `nil` when we advertise no capabilities.
    public var capabilitiesNode: String?

    /// Creates the responder.
    /// - Parameters:
    ///   - identities: Who this entity is.
    ///   - features: Features implemented outside `responders`.
    ///   - responders: Responders whose features to advertise.
    public init(identities: [DiscoIdentity], features: Set<String> = [], advertising responders: [any IQResponder] = []) {
        var all = features.union([Disco.infoNamespace])
        for responder in responders { all.formUnion(responder.features) }
        info = DiscoInfo(identities: identities, features: all)
    }

    /// `{http://jabber.org/protocol/disco#info}query`.
    public var payload: XMLQualifiedName { XMLQualifiedName("query", namespace: Disco.infoNamespace) }

    /// `http://jabber.org/protocol/disco#info`.
    public var features: Set<String> { [Disco.infoNamespace] }

    /// The ``info`` for a `get` without a node, or for
    /// ``capabilitiesNode`` (echoing the node, XEP-0115 §6.2).
    /// - Parameter request: The disco#info request.
    /// - Throws: ``StanzaError``: `bad-request` for a `set`,
    ///   `item-not-found` for another node.
    public func respond(to request: IQ) throws(StanzaError) -> XMLElement? {
        try requireGet(request)
        guard let node = request.payload?[attribute: "node"] else { return info.element }
        guard node == capabilitiesNode else { throw StanzaError(.itemNotFound) }
        var answer = info
        answer.node = node
        return answer.element
    }
}

/// Answers disco#items (XEP-0030 §4) with an empty list: a client hosts
/// no items. Advertises `http://jabber.org/protocol/disco#items`.
public struct DiscoItemsResponder: IQResponder, Hashable {
    /// Creates the responder.
    public init() {}

    /// `{http://jabber.org/protocol/disco#items}query`.
    public var payload: XMLQualifiedName { XMLQualifiedName("query", namespace: Disco.itemsNamespace) }

    /// `http://jabber.org/protocol/disco#items`.
    public var features: Set<String> { [Disco.itemsNamespace] }

    /// An empty `<query/>` for a `get` without a node.
    /// - Parameter request: The disco#items request.
    /// - Throws: ``StanzaError``: `bad-request` for a `set`,
    ///   `item-not-found` for a node.
    public func respond(to request: IQ) throws(StanzaError) -> XMLElement? {
        try requireGet(request)
        guard request.payload?[attribute: "node"] == nil else { throw StanzaError(.itemNotFound) }
        return XMLElement("query", namespace: Disco.itemsNamespace)
    }
}
