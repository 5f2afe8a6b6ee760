import XMPPCore

/// The RFC 3921 session (`urn:ietf:params:xml:ns:xmpp-session`), which
/// RFC 6121 dropped but older servers still require: one
/// `<iq type='set'><session/></iq>` after binding.
///
/// It is sent only when the server announced the feature without
/// `<optional/>`; a server that marks it optional (Prosody, ejabberd) or does
/// not announce it never sees it.
struct SessionEstablishment: Hashable, Sendable {
    /// What the session must do after an element.
    enum Outcome: Hashable, Sendable {
        /// The server accepted.
        case established
        /// The server refused, with its error if it sent one.
        case failed(StanzaError?)
        /// The element is not the answer to the request.
        case unexpected
    }

    /// The `id` of the request.
    static let requestID = "session-1"

    /// The request to send.
    static var request: XMLElement {
        IQ(type: .set, id: requestID, payload: XMLElement("session", namespace: XMLNamespace.session)).element
    }

    /// Feeds a top-level element the server sent.
    func received(_ element: XMLElement) -> Outcome {
        guard AnyStanza.isStanza(element), element.name.localName == IQ.localName,
            element[attribute: "id"] == Self.requestID
        else { return .unexpected }
        switch element[attribute: "type"] {
        case "result":
            return .established
        case "error":
            return .failed((try? IQ(element: element))?.error)
        default:
            return .unexpected
        }
    }
}
