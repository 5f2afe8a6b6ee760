/// What the three stanza kinds (RFC 6120 §8) have in common: addressing,
/// a default language, and a lossless mapping to and from ``XMLElement``.
///
/// Deliberately small: the `id` is not here because an ``IQ`` must have one
/// (`String`) while ``Message`` and ``Presence`` may not (`String?`); use
/// ``AnyStanza/id`` to read it from any stanza.
public protocol Stanza: Sendable {
    /// The local name of the stanza element: `"message"`, `"presence"` or `"iq"`.
    static var localName: String { get }

    /// The intended recipient; `nil` means the sender's own account or server.
    var to: JID? { get set }
    /// The sender; a client leaves it `nil`, its server stamps it.
    var from: JID? { get set }
    /// The stanza's default language (`xml:lang`), inherited by its
    /// human-readable children that carry none of their own.
    var language: String? { get set }

    /// Reads the stanza from an element.
    /// - Parameters:
    ///   - element: A top-level element of the stream.
    ///   - namespace: The stream's content namespace, for example
    ///     `jabber:client` or `jabber:server`.
    /// - Throws: ``StanzaParseError`` if the element is not a valid stanza
    ///   of this kind.
    init(element: XMLElement, namespace: String) throws(StanzaParseError)

    /// The stanza as an element in the given content namespace.
    func element(namespace: String) -> XMLElement
}

extension Stanza {
    /// The stanza as an element in the client content namespace, `jabber:client`.
    public var element: XMLElement { element(namespace: XMLNamespace.client) }
}
