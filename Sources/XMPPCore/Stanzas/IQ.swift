/// An `<iq/>` stanza (RFC 6120 §8.2.3): one half of a request–response
/// exchange, matched by ``id``.
///
/// The content is a single ``payload`` element, kept verbatim; protocol
/// extensions parse it. The rules on how many children each type carries
/// are checked when reading, not when building.
public struct IQ: Stanza, Hashable {
    /// Request or response.
    public var type: StanzaType
    /// The identifier that ties a response to its request; required.
    public var id: String
    /// The intended recipient; `nil` means the sender's own account.
    public var to: JID?
    /// The sender.
    public var from: JID?
    /// The default language (`xml:lang`).
    public var language: String?
    /// The request or response content: required for `get` and `set`,
    /// optional for `result`, and for `error` optionally the request's
    /// payload sent back.
    public var payload: XMLElement?
    /// The error; present when ``type`` is ``StanzaType/error``.
    public var error: StanzaError?
    /// Attributes of `<iq/>` other than `to`, `from`, `id`, `type` and
    /// `xml:lang`, in document order.
    public var additionalAttributes: [XMLAttribute]

    /// Creates an IQ stanza.
    /// - Parameters:
    ///   - type: Request or response.
    ///   - id: The identifier; unique among this sender's pending requests.
    ///   - to: The intended recipient.
    ///   - from: The sender; a client leaves it `nil`.
    ///   - language: The default language.
    ///   - payload: The content element.
    ///   - error: The error, for type `error`.
    ///   - additionalAttributes: Further attributes of `<iq/>`.
    public init(
        type: StanzaType,
        id: String,
        to: JID? = nil,
        from: JID? = nil,
        language: String? = nil,
        payload: XMLElement? = nil,
        error: StanzaError? = nil,
        additionalAttributes: [XMLAttribute] = []
    ) {
        self.type = type
        self.id = id
        self.to = to
        self.from = from
        self.language = language
        self.payload = payload
        self.error = error
        self.additionalAttributes = additionalAttributes
    }

    /// The local name of the element, `"iq"`.
    public static let localName = "iq"

    /// Whether this is a request (`get` or `set`), which the recipient must
    /// answer with exactly one `result` or `error` (RFC 6120 §8.2.3).
    public var isRequest: Bool { type == .get || type == .set }
}

extension IQ {
    /// The `type` of an IQ stanza (RFC 6120 §8.2.3).
    public enum StanzaType: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
        /// A request for information.
        case get
        /// A request to change or provide data.
        case set
        /// A successful response.
        case result
        /// A failed response.
        case error

        /// The attribute value, as on the wire.
        public var description: String { rawValue }
    }
}

// MARK: - Replies

extension IQ {
    /// A `result` answering this request: same ``id``, addresses swapped.
    ///
    /// Meant for `get` and `set` only; RFC 6120 §8.2.3 forbids answering a
    /// response. A client may clear `from` and let its server stamp it.
    /// - Parameter payload: The response content, if any.
    public func makeResult(payload: XMLElement? = nil) -> IQ {
        IQ(type: .result, id: id, to: from, from: to, payload: payload)
    }

    /// An `error` answering this request: same ``id``, addresses swapped.
    ///
    /// Meant for `get` and `set` only; RFC 6120 §8.3.1 forbids answering an
    /// error with an error.
    /// - Parameters:
    ///   - error: Why the request failed.
    ///   - includingPayload: Whether to send the request's payload back,
    ///     which RFC 6120 §8.3.1 allows so the sender can inspect it. Off by
    ///     default: it costs bandwidth and the sender still has it.
    public func makeError(_ error: StanzaError, includingPayload: Bool = false) -> IQ {
        IQ(type: .error, id: id, to: from, from: to, payload: includingPayload ? payload : nil, error: error)
    }
}

// MARK: - XML

extension IQ {
    /// Reads an `<iq/>` stanza, enforcing RFC 6120 §8.2.3: `get` and `set`
    /// carry exactly one child element, `result` at most one, and `error`
    /// one `<error/>` plus at most one other (the original payload).
    ///
    /// Character data directly inside `<iq/>` (typically whitespace) is not
    /// counted and not kept.
    /// - Parameters:
    ///   - element: The stanza element.
    ///   - namespace: The stream's content namespace; `jabber:client` by default.
    /// - Throws: ``StanzaParseError``:
    ///   - `unexpectedElement` if the element is not `<iq/>` in `namespace`;
    ///   - `invalidAttribute` (subject `to`/`from`) for a malformed address,
    ///     see ``StanzaParseError/isMalformedAddress``;
    ///   - `missingAttribute` (subject `id` or `type`) when one is absent;
    ///   - `invalidAttribute` (subject `type`) for another type value;
    ///   - `missingChild` (subject: the iq element) for a request without
    ///     payload, or (subject: `error`) for an error without `<error/>`;
    ///   - `invalidChild` (subject: the first surplus child) for too many
    ///     children;
    ///   - whatever ``StanzaError/init(element:namespace:)`` throws.
    public init(element: XMLElement, namespace: String = XMLNamespace.client) throws(StanzaParseError) {
        let header = try StanzaHeader(element: element, localName: Self.localName, namespace: namespace)
        guard let id = header.id else { throw StanzaParseError(.missingAttribute, subject: "id") }
        guard let rawType = header.type else { throw StanzaParseError(.missingAttribute, subject: "type") }
        guard let type = StanzaType(rawValue: rawType) else {
            throw StanzaParseError(.invalidAttribute, subject: "type")
        }

        var children = element.elements
        var error: StanzaError?
        if type == .error {
            let errorName = XMLQualifiedName("error", namespace: namespace)
            let errors = children.filter { $0.name == errorName }
            guard let errorElement = errors.first else {
                throw StanzaParseError(.missingChild, subject: errorName.description)
            }
            guard errors.count == 1 else { throw StanzaParseError(.invalidChild, subject: errorName.description) }
            error = try StanzaError(element: errorElement, namespace: namespace)
            children.removeAll { $0.name == errorName }
        }
        if children.count > 1 {
            throw StanzaParseError(.invalidChild, subject: children[1].name.description)
        }
        if type == .get || type == .set, children.isEmpty {
            throw StanzaParseError(.missingChild, subject: element.name.description)
        }

        self.init(
            type: type,
            id: id,
            to: header.to,
            from: header.from,
            language: header.language,
            payload: children.first,
            error: error,
            additionalAttributes: header.additionalAttributes
        )
    }

    /// The `<iq/>` element in the given content namespace: the payload,
    /// then the error (the order of RFC 6120's examples).
    /// - Parameter namespace: The stream's content namespace.
    public func element(namespace: String) -> XMLElement {
        let header = StanzaHeader(
            to: to,
            from: from,
            id: id,
            type: type.rawValue,
            language: language,
            additionalAttributes: additionalAttributes
        )
        var children: [XMLNode] = []
        children.reserveCapacity((payload == nil ? 0 : 1) + (error == nil ? 0 : 1))
        if let payload { children.append(.element(payload)) }
        if let error { children.append(.element(error.element(namespace: namespace))) }
        return header.makeElement(localName: Self.localName, namespace: namespace, children: children)
    }
}
