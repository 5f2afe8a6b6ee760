public import XMPPCore

/// XEP-0203 `<delay/>`: the stanza was not delivered when it was sent, for
/// example because it waited in offline storage or comes from an archive.
///
/// ```swift
/// if let delay = chatMessage.delay { print("sent at \(delay.stamp)") }
/// ```
public struct DelayedDelivery: MessagePayload, Hashable {
    /// `urn:xmpp:delay`.
    public static let namespace = "urn:xmpp:delay"

    /// When the stanza was originally sent (or first received by the
    /// entity that delayed it), in UTC.
    public var stamp: UTCTimestamp
    /// The entity that delayed it, if it said so (a server, a room).
    public var from: JID?
    /// Why it was delayed, in human-readable text, if given.
    public var reason: String?

    /// Creates a delay note.
    /// - Parameters:
    ///   - stamp: The original time.
    ///   - from: The entity that delayed the stanza.
    ///   - reason: Why.
    public init(stamp: UTCTimestamp, from: JID? = nil, reason: String? = nil) {
        self.stamp = stamp
        self.from = from
        self.reason = reason
    }

    /// `{urn:xmpp:delay}delay`.
    public static func matches(_ name: XMLQualifiedName) -> Bool {
        name == XMLQualifiedName("delay", namespace: namespace)
    }

    /// Reads `<delay xmlns='urn:xmpp:delay' stamp='…' from='…'>reason</delay>`.
    ///
    /// XEP-0203 requires the stamp in UTC, so only the `Z` zone is read
    /// (fractions of a second are kept to nanoseconds). An empty reason
    /// reads as `nil`.
    /// - Throws: ``StanzaParseError``: `unexpectedElement` for another
    ///   element; `missingAttribute` (`stamp`) when it is missing;
    ///   `invalidAttribute` (`stamp`) when it is not an XEP-0082 UTC
    ///   DateTime; `malformedAddress` (`from`) when `from` is not a JID.
    public init(element: XMLElement) throws(StanzaParseError) {
        try element.requirePayloadName("delay", namespace: Self.namespace)
        let text = try element.requiredPayloadAttribute("stamp")
        guard let stamp = UTCTimestamp(text) else { throw StanzaParseError(.invalidAttribute, subject: "stamp") }
        let reason = element.text
        self.init(stamp: stamp, from: try element.payloadAddressAttribute("from"), reason: reason.isEmpty ? nil : reason)
    }

    /// The `<delay/>` element; the stamp in whole seconds.
    public var element: XMLElement {
        var element = XMLElement("delay", namespace: Self.namespace, text: reason ?? "")
        element[attribute: "from"] = from?.description
        element[attribute: "stamp"] = stamp.description
        return element
    }
}
