import XMPPCore

/// The top-level elements of XEP-0198 stream management, namespace
/// `urn:xmpp:sm:3`: the "nonzas" that enable acknowledgements, carry the
/// counts and resume a stream.
///
/// These are not stanzas: they are never counted and never acknowledged.
/// ``element`` builds the XML; ``init(element:)`` (in
/// `StreamManagementElement+Parsing.swift`) reads it strictly. The client
/// sends `enable`, `r`, `a` and `resume`; the server sends `enabled`, `r`,
/// `a`, `resumed` and `failed`. Both directions are built and parsed, so a
/// scripted test server can use the same type.
enum StreamManagementElement: Hashable, Sendable {
    /// `<enable/>`: turn stream management on, asking for resumption or not,
    /// optionally with the client's preferred resumption window in seconds.
    case enable(resume: Bool, preferredMaximum: UInt32?)
    /// `<enabled/>`: the server turned it on.
    case enabled(StreamManagementEnabled)
    /// `<r/>`: a request for an acknowledgement.
    case requestAck
    /// `<a h=…/>`: the sender has handled `h` stanzas (modulo 2^32).
    case ack(StanzaCount)
    /// `<resume previd=… h=…/>`: resume the stream with this SM-ID, having
    /// handled `h` of the server's stanzas.
    case resume(previousID: String, handled: StanzaCount)
    /// `<resumed previd=… h=…/>`: the stream is resumed; the server had
    /// handled `h` of ours.
    case resumed(previousID: String, handled: StanzaCount)
    /// `<failed/>`: enabling or resuming failed.
    case failed(StreamManagementFailure)

    /// The XEP-0198 namespace, version 3.
    static let namespace = "urn:xmpp:sm:3"

    /// The `<sm/>` stream feature that announces support.
    static let featureName = XMLQualifiedName("sm", namespace: namespace)

    /// Whether `element` is in the stream-management namespace (whatever
    /// its name), so it belongs to the ledger rather than the application.
    static func isStreamManagement(_ element: XMLElement) -> Bool {
        element.name.namespace == namespace
    }

    /// The element to write.
    var element: XMLElement {
        switch self {
        case .enable(let resume, let preferredMaximum):
            var element = Self.empty("enable")
            if resume { element[attribute: "resume"] = "true" }
            if let preferredMaximum { element[attribute: "max"] = String(preferredMaximum) }
            return element
        case .enabled(let enabled):
            var element = Self.empty("enabled")
            if let id = enabled.id { element[attribute: "id"] = id }
            if enabled.resume { element[attribute: "resume"] = "true" }
            if let maximum = enabled.maximumResumption { element[attribute: "max"] = String(maximum) }
            if let location = enabled.location { element[attribute: "location"] = location }
            return element
        case .requestAck:
            return Self.empty("r")
        case .ack(let handled):
            var element = Self.empty("a")
            element[attribute: "h"] = handled.description
            return element
        case .resume(let previousID, let handled):
            return Self.resumption("resume", previousID: previousID, handled: handled)
        case .resumed(let previousID, let handled):
            return Self.resumption("resumed", previousID: previousID, handled: handled)
        case .failed(let failure):
            var element = Self.empty("failed")
            if let handled = failure.handled { element[attribute: "h"] = handled.description }
            if let condition = failure.condition {
                element.append(XMLElement(name: XMLQualifiedName(condition.name, namespace: XMLNamespace.stanzaErrors)))
            }
            return element
        }
    }

    private static func empty(_ localName: String) -> XMLElement {
        XMLElement(name: XMLQualifiedName(localName, namespace: namespace))
    }

    private static func resumption(_ localName: String, previousID: String, handled: StanzaCount) -> XMLElement {
        var element = empty(localName)
        element[attribute: "previd"] = previousID
        element[attribute: "h"] = handled.description
        return element
    }
}

/// What the server said in `<enabled/>`.
struct StreamManagementEnabled: Hashable, Sendable {
    /// The SM-ID that names the session for resumption, opaque to us.
    var id: String?
    /// Whether the server will let the stream be resumed.
    var resume: Bool
    /// The server's preferred maximum resumption time, in seconds.
    var maximumResumption: UInt32?
    /// Where the server prefers the client to reconnect (`host`,
    /// `host:port` or `[IPv6]:port`), as sent. The certificate is still
    /// checked against the JID's domain when connecting there.
    var location: String?

    /// Creates the attributes of an `<enabled/>`.
    init(id: String? = nil, resume: Bool = false, maximumResumption: UInt32? = nil, location: String? = nil) {
        self.id = id
        self.resume = resume
        self.maximumResumption = maximumResumption
        self.location = location
    }
}

/// What the server said in `<failed/>`.
struct StreamManagementFailure: Hashable, Sendable {
    /// After a refused `<resume/>`: how many of our stanzas the server had
    /// handled on the old stream, if it still knew.
    var handled: StanzaCount?
    /// The stanza error condition given as the reason, if any (for example
    /// `item-not-found` for an expired session).
    var condition: StanzaError.Condition?

    /// Creates the content of a `<failed/>`.
    init(handled: StanzaCount? = nil, condition: StanzaError.Condition? = nil) {
        self.handled = handled
        self.condition = condition
    }
}
