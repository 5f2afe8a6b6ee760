public import XMPPCore

/// XEP-0334 message processing hints: what servers on the way should (not)
/// do with a message.
///
/// A message may carry several: add them with ``XMPPCore/Message/addPayload(_:)``
/// and read them with ``XMPPCore/Message/payloads(_:)``.
public enum MessageProcessingHint: String, MessagePayload, Hashable, CaseIterable {
    /// Do not keep it in a permanent archive (MAM).
    case noPermanentStore = "no-permanent-store"
    /// Do not store it at all (no archive, no offline storage).
    case noStore = "no-store"
    /// Do not copy it to other resources (carbons).
    case noCopy = "no-copy"
    /// Store it, even if it has no body (for example a reaction).
    case store

    /// `urn:xmpp:hints`.
    public static let namespace = "urn:xmpp:hints"

    /// Any element in the hints namespace.
    public static func matches(_ name: XMLQualifiedName) -> Bool {
        name.namespace == namespace
    }

    /// Reads a hint such as `<no-copy xmlns='urn:xmpp:hints'/>`.
    /// - Throws: ``StanzaParseError`` `unexpectedElement` for an unknown hint.
    public init(element: XMLElement) throws(StanzaParseError) {
        guard element.name.namespace == Self.namespace, let hint = Self(rawValue: element.name.localName) else {
            throw .unexpectedElement(element.name)
        }
        self = hint
    }

    /// The hint's element.
    public var element: XMLElement { XMLElement(rawValue, namespace: Self.namespace) }
}
