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

    /// The known name equal to `name`, if any: one hash lookup (built
    /// elements take this path on every test of their name).
    package init?(_ name: XMLQualifiedName) {
        guard let known = Self.byName[name] else { return nil }
        self = known
    }

    private static let byName = Dictionary(uniqueKeysWithValues: allCases.map { ($0.qualifiedName, $0) })

    /// Whether this is the name of a stanza in `jabber:client`.
    package var isClientStanza: Bool {
        switch self {
        case .message, .presence, .iq: true
        default: false
        }
    }
}
