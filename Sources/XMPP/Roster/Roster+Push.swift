import Logging
import XMPPCore

extension Roster {
    /// Handles an inbound `{jabber:iq:roster}query` request: a roster push
    /// (RFC 6121 §2.1.6).
    ///
    /// A push counts only from the server for our account: without `from`,
    /// or from our bare JID (not a full JID, not another user or server,
    /// RFC 6121 §2.1.6, security P23). Anything else is answered
    /// `service-unavailable`, as if there were no roster, and changes
    /// nothing. A push must be a `set` with exactly one valid item;
    /// otherwise it is answered `bad-request`. A valid push updates the
    /// snapshot and the cache (with the push's `ver`), is emitted on
    /// ``changes``, and is answered with an empty result.
    func receivedPush(_ request: IQ) throws(StanzaError) -> XMLElement? {
        if let from = request.from, from != JID(connection.boundJID.bare) {
            connection.logger.debug(
                "XMPP roster push ignored: unexpected origin", metadata: [XMPPLoggingKey.stanzaID: "\(request.id)"])
            throw StanzaError(.serviceUnavailable)
        }
        guard request.type == .set, let query = request.payload else { throw StanzaError(.badRequest) }
        let elements = query.children(named: "item", namespace: RosterItem.namespace)
        guard elements.count == 1, query.elements.count == 1 else {
            connection.logger.debug(
                "XMPP roster push ignored: not exactly one item", metadata: [XMPPLoggingKey.stanzaID: "\(request.id)"])
            throw StanzaError(.badRequest)
        }
        let item: RosterItem
        do {
            item = try RosterItem(element: elements[0])
        } catch {
            connection.logger.debug(
                "XMPP roster push ignored: invalid item",
                metadata: [XMPPLoggingKey.stanzaID: "\(request.id)", XMPPLoggingKey.error: "\(error)"])
            throw StanzaError(.badRequest)
        }
        apply(item, version: query[attribute: "ver"])
        return nil
    }

    /// Applies one pushed item to the snapshot and the cache, and emits it.
    private func apply(_ item: RosterItem, version newVersion: String?) {
        let index = snapshot.firstIndex { $0.jid == item.jid }
        let change: RosterChange
        if item.subscription == .remove {
            if let index { snapshot.remove(at: index) }
            change = .removed(item)
        } else {
            if let index {
                snapshot[index] = item
            } else {
                snapshot.append(item)
            }
            change = .updated(item)
        }
        if let newVersion { version = newVersion }
        if let version { cache.store(version: version, items: snapshot) }
        changesContinuation.yield(change)
    }
}
