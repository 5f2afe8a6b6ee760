import XMPPCore

/// Reads a blocking push (XEP-0191 §3.3, §3.4): the server telling every
/// interested session of the account that the list changed.
enum BlocklistPush {
    /// The change an inbound `{urn:xmpp:blocking}*` request carries.
    ///
    /// A push counts only from the server for our account: without `from`,
    /// or from our bare JID (security P23, as for roster pushes); anything
    /// else is answered `service-unavailable`, as if we did not implement
    /// blocking, and changes nothing. It must be a `set` of `<block/>` with
    /// at least one item or of `<unblock/>` (no items: all unblocked), every
    /// item with a valid `jid`; otherwise `bad-request`, and nothing is
    /// applied (a push is all or nothing, like the request it reports).
    /// - Parameters:
    ///   - request: The inbound request.
    ///   - account: Our bare JID.
    /// - Throws: The ``StanzaError`` to answer with.
    static func change(in request: IQ, account: BareJID) throws(StanzaError) -> BlocklistChange {
        if let from = request.from, from != JID(account) {
            throw StanzaError(.serviceUnavailable)
        }
        guard request.type == .set, let payload = request.payload else { throw StanzaError(.badRequest) }
        let jids: [JID]
        do {
            jids = try Blocking.jids(in: payload)
        } catch {
            throw StanzaError(.badRequest)
        }
        switch payload.name {
        case XMLQualifiedName("block", namespace: Blocking.namespace):
            guard !jids.isEmpty else { throw StanzaError(.badRequest) }
            return .blocked(jids)
        case XMLQualifiedName("unblock", namespace: Blocking.namespace):
            return jids.isEmpty ? .unblockedAll : .unblocked(jids)
        default:
            throw StanzaError(.badRequest)
        }
    }
}
