import XMPPCore

/// The `<stream:features/>` a server announced for one stream (RFC 6120
/// §4.3.2): what the session needs to choose its next step, plus the element
/// itself for features this library does not interpret yet.
///
/// Features are matched by namespace and local name, never by prefix
/// (RFC 6120 §4.8), and a new stream's features replace the old ones
/// entirely (RFC 6120 §4.3.3).
struct StreamFeatures: Hashable, Sendable {
    /// Whether the RFC 3921 session feature was announced, and how.
    enum SessionRequirement: Hashable, Sendable {
        /// Not announced: no session request is sent.
        case absent
        /// Announced with `<optional/>` (RFC 3921bis): not sent.
        case optional
        /// Announced without `<optional/>`: older servers require the request.
        case required
    }

    /// The namespace of XEP-0440's `<sasl-channel-binding/>`.
    static let channelBindingNamespace = "urn:xmpp:sasl-cb:0"
    /// The qualified name of the features element.
    static let elementName = XMLQualifiedName("features", namespace: XMLNamespace.streams)

    /// The features element as received.
    let element: XMLElement
    /// Whether `<starttls/>` is offered.
    let offersStartTLS: Bool
    /// The offered SASL mechanism names in the server's order; `nil` when
    /// no `<mechanisms/>` element was sent.
    let saslMechanisms: [String]?
    /// The XEP-0440 channel-binding types, or `nil` when not advertised.
    let saslChannelBindings: [ChannelBindingType]?
    /// Whether resource binding is offered.
    let offersResourceBinding: Bool
    /// Whether the RFC 3921 session is announced and required.
    let session: SessionRequirement
    /// Whether in-band registration (XEP-0077 §8) is announced.
    let offersRegistration: Bool
    /// Whether XEP-0198 stream management, version 3, is announced
    /// (`<sm xmlns='urn:xmpp:sm:3'/>`; the older `urn:xmpp:sm:2` is not used).
    let offersStreamManagement: Bool

    /// Reads a features element.
    /// - Parameter element: A `{http://etherx.jabber.org/streams}features` element.
    init(_ element: XMLElement) {
        self.element = element
        offersStartTLS = element.firstChild(named: "starttls", namespace: XMLNamespace.tls) != nil
        saslMechanisms = element.firstChild(named: "mechanisms", namespace: XMLNamespace.sasl).map { mechanisms in
            mechanisms.children(named: "mechanism", namespace: XMLNamespace.sasl)
                .map { XMLWhitespace.trimmed($0.text) }
                .filter { !$0.isEmpty }
        }
        saslChannelBindings = element.firstChild(named: "sasl-channel-binding", namespace: Self.channelBindingNamespace)
            .map { list in
                list.children(named: "channel-binding", namespace: Self.channelBindingNamespace)
                    .compactMap { $0[attribute: "type"] }
                    .map { ChannelBindingType(name: $0) }
            }
        offersResourceBinding = element.firstChild(named: "bind", namespace: XMLNamespace.bind) != nil
        offersRegistration = element.firstChild(named: "register", namespace: RegistrationNamespace.feature) != nil
        offersStreamManagement = element.firstChild(named: "sm", namespace: StreamManagementElement.namespace) != nil
        if let session = element.firstChild(named: "session", namespace: XMLNamespace.session) {
            self.session = session.firstChild(named: "optional", namespace: XMLNamespace.session) != nil
                ? .optional : .required
        } else {
            self.session = .absent
        }
    }
}

/// XML's whitespace (space, tab, CR, LF), which servers may put around
/// element text such as mechanism names and JIDs.
enum XMLWhitespace {
    /// `text` without leading and trailing XML whitespace.
    static func trimmed(_ text: String) -> String {
        let isWhitespace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isWhitespace($0) }),
            let last = scalars.lastIndex(where: { !isWhitespace($0) })
        else { return "" }
        return String(scalars[first...last])
    }
}
