public import XMPP
public import XMPPCore

/// The namespaces of XEP-0191 Blocking Command.
public enum Blocking {
    /// `urn:xmpp:blocking`: the protocol, and the disco#info feature a
    /// server that supports it advertises.
    public static let namespace = "urn:xmpp:blocking"
    /// `urn:xmpp:blocking:errors`: the `<blocked/>` condition in errors
    /// about stanzas to or from a blocked JID.
    public static let errorsNamespace = "urn:xmpp:blocking:errors"

    /// `<item jid='…'/>` elements for `jids`.
    static func items(_ jids: [JID]) -> [XMLNode] {
        jids.map { .element(XMLElement("item", namespace: namespace, attributes: ["jid": $0.description])) }
    }

    /// The JIDs of the `<item/>` children of `element`.
    /// - Throws: ``StanzaParseError`` `missingAttribute` or
    ///   `malformedAddress` for an item without a valid `jid`.
    static func jids(in element: XMLElement) throws(StanzaParseError) -> [JID] {
        var jids: [JID] = []
        for item in element.children(named: "item", namespace: namespace) {
            guard let text = item[attribute: "jid"] else { throw StanzaParseError(.missingAttribute, subject: "jid") }
            do {
                jids.append(try JID(text))
            } catch {
                throw StanzaParseError(.malformedAddress, subject: "jid", addressError: error)
            }
        }
        return jids
    }
}

/// Fetches the blocklist (XEP-0191 §3.2): the JIDs the account blocks.
///
/// Items whose `jid` is not a valid JID are skipped: one bad entry should
/// not hide the others. Prefer ``Blocklist/fetch()``, which also keeps the
/// list current.
public struct BlocklistRequest: IQRequest, Hashable {
    /// Creates the request.
    public init() {}

    /// `get`.
    public var type: IQRequestType { .get }

    /// `<blocklist xmlns='urn:xmpp:blocking'/>`.
    public var payload: XMLElement { XMLElement("blocklist", namespace: Blocking.namespace) }

    /// Reads the answer.
    /// - Throws: ``StanzaParseError``: `missingChild` for an empty result,
    ///   `unexpectedElement` for another payload.
    public func response(from result: IQ) throws(StanzaParseError) -> [JID] {
        guard let payload = result.payload else {
            throw StanzaParseError(.missingChild, subject: "{\(Blocking.namespace)}blocklist")
        }
        guard payload.name == XMLQualifiedName("blocklist", namespace: Blocking.namespace) else {
            throw .unexpectedElement(payload.name)
        }
        var jids: [JID] = []
        var seen: Set<JID> = []
        for item in payload.children(named: "item", namespace: Blocking.namespace) {
            guard let text = item[attribute: "jid"], let jid = try? JID(text), seen.insert(jid).inserted else { continue }
            jids.append(jid)
        }
        return jids
    }
}

/// Blocks JIDs (XEP-0191 §3.3): a bare JID blocks the account, a domain
/// the whole server, a full JID one resource.
public struct BlockRequest: IQRequest, Hashable {
    /// The JIDs to block; at least one (the server refuses an empty block).
    public var jids: [JID]

    /// Creates the request.
    /// - Parameter jids: The JIDs to block.
    public init(_ jids: [JID]) {
        self.jids = jids
    }

    /// `set`.
    public var type: IQRequestType { .set }

    /// `<block xmlns='urn:xmpp:blocking'><item jid='…'/>…</block>`.
    public var payload: XMLElement {
        XMLElement("block", namespace: Blocking.namespace, children: Blocking.items(jids))
    }
}

/// Unblocks JIDs (XEP-0191 §3.4), or, with no JIDs, every JID (§3.5).
public struct UnblockRequest: IQRequest, Hashable {
    /// The JIDs to unblock; empty unblocks all.
    public var jids: [JID]

    /// Creates the request.
    /// - Parameter jids: The JIDs to unblock; empty means all of them.
    public init(_ jids: [JID]) {
        self.jids = jids
    }

    /// `set`.
    public var type: IQRequestType { .set }

    /// `<unblock xmlns='urn:xmpp:blocking'><item jid='…'/>…</unblock>`.
    public var payload: XMLElement {
        XMLElement("unblock", namespace: Blocking.namespace, children: Blocking.items(jids))
    }
}

extension StanzaError {
    /// Whether the error says the stanza involved a blocked JID
    /// (XEP-0191 §3.6): its application condition is `<blocked/>` in
    /// `urn:xmpp:blocking:errors`, as when we message someone we block.
    public var isBlockedError: Bool {
        applicationCondition?.name == XMLQualifiedName("blocked", namespace: Blocking.errorsNamespace)
    }
}
