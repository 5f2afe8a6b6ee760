/// The names the stanza readers test on every received stanza. Every name
/// table holds them first, at these indices (``XMLNameTable`` seeds them
/// when it starts and again when it starts a new store), so a parsed node
/// or attribute has one of these names exactly when its name index is the
/// raw value: a comparison of two integers instead of two strings.
/// `package`: the session machine and the subscription filters test them too.
package enum XMLKnownName: Int32, CaseIterable, Sendable {
    case to, from, id, type, xmlLang
    case message, presence, iq, body, subject, thread, error
    case streamError

    /// The name itself.
    package var qualifiedName: XMLQualifiedName {
        switch self {
        case .to: XMLQualifiedName("to")
        case .from: XMLQualifiedName("from")
        case .id: XMLQualifiedName("id")
        case .type: XMLQualifiedName("type")
        case .xmlLang: .xmlLang
        case .message: XMLQualifiedName("message", namespace: XMLNamespace.client)
        case .presence: XMLQualifiedName("presence", namespace: XMLNamespace.client)
        case .iq: XMLQualifiedName("iq", namespace: XMLNamespace.client)
        case .body: XMLQualifiedName("body", namespace: XMLNamespace.client)
        case .subject: XMLQualifiedName("subject", namespace: XMLNamespace.client)
        case .thread: XMLQualifiedName("thread", namespace: XMLNamespace.client)
        case .error: XMLQualifiedName("error", namespace: XMLNamespace.client)
        case .streamError: XMLQualifiedName("error", namespace: XMLNamespace.streams)
        }
    }

    /// The known name equal to `name`, if any. Built elements take this
    /// path on every test of their name (the session machine and the
    /// acknowledgement ledger test each stanza sent), so it compares short
    /// strings rather than hashing both parts of the name for a dictionary:
    /// the local name picks the one candidate, and the whole name must then
    /// equal the candidate's.
    package init?(_ name: XMLQualifiedName) {
        let candidate: XMLKnownName
        switch name.localName {
        case "to": candidate = .to
        case "from": candidate = .from
        case "id": candidate = .id
        case "type": candidate = .type
        case "lang": candidate = .xmlLang
        case "message": candidate = .message
        case "presence": candidate = .presence
        case "iq": candidate = .iq
        case "body": candidate = .body
        case "subject": candidate = .subject
        case "thread": candidate = .thread
        case "error": candidate = name.namespace == XMLNamespace.streams ? .streamError : .error
        default: return nil
        }
        guard name.namespace == candidate.qualifiedName.namespace else { return nil }
        self = candidate
    }

    /// Whether this is the name of a stanza in `jabber:client`.
    package var isClientStanza: Bool {
        switch self {
        case .message, .presence, .iq: true
        default: false
        }
    }
}
