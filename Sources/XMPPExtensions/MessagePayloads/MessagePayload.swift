public import XMPPCore

/// An extension element a ``Message`` can carry (a chat state, a receipt,
/// an origin-id, …), read from and written to its ``XMLElement``.
///
/// Each payload type reads strictly: a required attribute that is missing
/// or malformed throws a ``StanzaParseError``, so a caller decides whether
/// to drop the payload or the message. The accessors on ``Message`` do the
/// usual thing: keep the well-formed payloads and leave out the rest.
///
/// ```swift
/// var message = Message(type: .chat, to: try JID("bob@example.com"), body: "Hi")
/// message.setPayload(ChatState.active)
/// let state = try message.payload(ChatState.self)   // .active
/// ```
public protocol MessagePayload: Sendable {
    /// Whether an extension element with this name is one of these
    /// payloads (the content is not looked at).
    static func matches(_ name: XMLQualifiedName) -> Bool

    /// Reads the payload.
    /// - Throws: ``StanzaParseError`` when the element is not this payload
    ///   or breaks its protocol's rules.
    init(element: XMLElement) throws(StanzaParseError)

    /// The payload as an element, ready to add to a message.
    var element: XMLElement { get }
}

extension Message {
    /// The well-formed payloads of one kind among the extensions, in
    /// document order; malformed ones are left out.
    /// - Parameter kind: The payload type.
    public func payloads<Payload: MessagePayload>(_ kind: Payload.Type) -> [Payload] {
        extensions.compactMap { element in
            guard Payload.matches(element.name) else { return nil }
            return try? Payload(element: element)
        }
    }

    /// The one payload of a kind that may appear at most once.
    /// - Parameter kind: The payload type.
    /// - Returns: The payload, or `nil` when there is none.
    /// - Throws: ``StanzaParseError``: `invalidChild` when the message
    ///   carries two of them (the protocols here allow one), or what the
    ///   payload's initialiser throws for a malformed one.
    public func payload<Payload: MessagePayload>(_ kind: Payload.Type) throws(StanzaParseError) -> Payload? {
        var found: XMLElement?
        for element in extensions where Payload.matches(element.name) {
            guard found == nil else { throw StanzaParseError(.invalidChild, subject: element.name.description) }
            found = element
        }
        guard let found else { return nil }
        return try Payload(element: found)
    }

    /// Adds `payload`, replacing every payload of the same kind.
    /// - Parameter payload: The payload.
    public mutating func setPayload<Payload: MessagePayload>(_ payload: Payload) {
        removePayloads(Payload.self)
        extensions.append(payload.element)
    }

    /// Adds `payload` next to those of its kind already there, unless an
    /// identical element is already present; for payloads a message may
    /// carry several of (processing hints, stanza-ids).
    /// - Parameter payload: The payload.
    public mutating func addPayload<Payload: MessagePayload>(_ payload: Payload) {
        let element = payload.element
        guard !extensions.contains(element) else { return }
        extensions.append(element)
    }

    /// Removes every payload of one kind, well-formed or not.
    /// - Parameter kind: The payload type.
    public mutating func removePayloads<Payload: MessagePayload>(_ kind: Payload.Type) {
        extensions.removeAll { Payload.matches($0.name) }
    }
}

extension XMLElement {
    /// The value of a required, non-empty attribute.
    /// - Throws: `missingAttribute` naming it when absent or empty.
    func requiredPayloadAttribute(_ name: String) throws(StanzaParseError) -> String {
        guard let value = self[attribute: name], !value.isEmpty else {
            throw StanzaParseError(.missingAttribute, subject: name)
        }
        return value
    }

    /// Checks that the element has this name.
    /// - Throws: `unexpectedElement` otherwise.
    func requirePayloadName(_ localName: String, namespace: String) throws(StanzaParseError) {
        guard name == XMLQualifiedName(localName, namespace: namespace) else {
            throw .unexpectedElement(name)
        }
    }

    /// Parses an optional attribute holding a JID.
    /// - Throws: `malformedAddress` naming the attribute for an invalid JID.
    func payloadAddressAttribute(_ attributeName: String) throws(StanzaParseError) -> JID? {
        guard let value = self[attribute: attributeName] else { return nil }
        do {
            return try JID(value)
        } catch {
            throw StanzaParseError(.malformedAddress, subject: attributeName, addressError: error)
        }
    }
}
