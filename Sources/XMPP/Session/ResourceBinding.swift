import XMPPCore

/// Resource binding (RFC 6120 §7): one `<iq type='set'><bind/></iq>`, and
/// the full JID the server answers with.
///
/// With a requested resource the request names it. When the server answers
/// `conflict` (another session holds that resource and the server will not
/// replace it), binding is retried exactly once without a resource, so the
/// server assigns one; the session's ``XMPPConnection/boundJID`` then shows
/// which resource it got. Any other error, or a conflict on the retry,
/// fails with ``XMPPClientError/Code/bindFailed``.
struct ResourceBinding: Hashable, Sendable {
    /// What the session must do after an element.
    enum Outcome: Hashable, Sendable {
        /// Send this request (the retry after a conflict).
        case send(XMLElement)
        /// Bound: the session's full JID.
        case bound(FullJID)
        /// Binding failed: the server's error, if it sent one, and a detail.
        case failed(StanzaError?, detail: String)
        /// The element is not the answer to the request.
        case unexpected
    }

    private let account: BareJID
    private var requestedResource: String?
    private var attempt = 1

    /// Creates the exchange.
    /// - Parameters:
    ///   - account: The authenticated account; the bound JID must belong to it.
    ///   - requestedResource: The resource to ask for, or `nil` to let the
    ///     server assign one.
    init(account: BareJID, requestedResource: String?) {
        self.account = account
        self.requestedResource = requestedResource
    }

    /// The `id` of the request in flight.
    var requestID: String { "bind-\(attempt)" }

    /// The request to send now.
    var request: XMLElement {
        var bind = XMLElement("bind", namespace: XMLNamespace.bind)
        if let requestedResource {
            bind.append(XMLElement("resource", namespace: XMLNamespace.bind, text: requestedResource))
        }
        return IQ(type: .set, id: requestID, payload: bind).element
    }

    /// Feeds a top-level element the server sent.
    mutating func received(_ element: XMLElement) -> Outcome {
        guard AnyStanza.isStanza(element), element.name.localName == IQ.localName,
            element[attribute: "id"] == requestID
        else { return .unexpected }
        let iq: IQ
        do {
            iq = try IQ(element: element)
        } catch {
            return .failed(nil, detail: "malformed answer (\(error))")
        }
        switch iq.type {
        case .result:
            guard let payload = iq.payload, payload.name == XMLQualifiedName("bind", namespace: XMLNamespace.bind),
                let jidElement = payload.firstChild(named: "jid", namespace: XMLNamespace.bind)
            else { return .failed(nil, detail: "the result has no JID") }
            guard let jid = try? FullJID(XMLWhitespace.trimmed(jidElement.text)) else {
                return .failed(nil, detail: "the result's JID is not a valid full JID")
            }
            guard jid.bare == account else {
                return .failed(nil, detail: "the bound JID belongs to another account")
            }
            return .bound(jid)
        case .error:
            if iq.error?.condition == .conflict, requestedResource != nil, attempt == 1 {
                requestedResource = nil
                attempt += 1
                return .send(request)
            }
            return .failed(iq.error, detail: "the server refused")
        case .get, .set:
            return .unexpected
        }
    }
}
