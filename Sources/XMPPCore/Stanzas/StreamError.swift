/// A stream-level error (RFC 6120 §4.9): the condition that closed the stream.
///
/// Stream errors are unrecoverable; the stream is closed after one. They are
/// kept apart from local failures (a TLS or socket error is not a stream
/// error) and from ``StanzaError``, which concerns a single stanza.
public struct StreamError: Error, Hashable, Sendable {
    /// The defined condition (RFC 6120 §4.9.3).
    public var condition: Condition
    /// Optional human-readable text from the peer; never shown as the condition.
    public var text: String?
    /// The language of ``text``, if the peer gave one.
    public var textLanguage: String?
    /// An application-specific condition element, kept verbatim.
    public var applicationCondition: XMLElement?
    /// For `see-other-host`, the alternate host (`domain`, `domain:port`,
    /// `[IPv6]:port`) exactly as the peer sent it; `nil` otherwise.
    public var otherHost: String?

    /// Creates a stream error.
    public init(
        _ condition: Condition,
        text: String? = nil,
        textLanguage: String? = nil,
        applicationCondition: XMLElement? = nil,
        otherHost: String? = nil
    ) {
        self.condition = condition
        self.text = text
        self.textLanguage = textLanguage
        self.applicationCondition = applicationCondition
        self.otherHost = otherHost
    }
}

extension StreamError {
    /// A stream error condition. Extensible: unknown conditions from a peer
    /// are kept by name, and map to `undefined-condition` semantics.
    public struct Condition: Hashable, Sendable, CustomStringConvertible {
        /// The element name of the condition, for example `"not-well-formed"`.
        public let name: String

        /// Creates a condition from its element name.
        public init(_ name: String) { self.name = name }

        /// The element name, as on the wire.
        public var description: String { name }

        /// The entity sent XML that cannot be processed.
        public static let badFormat = Condition("bad-format")
        /// A namespace prefix is unsupported or missing.
        public static let badNamespacePrefix = Condition("bad-namespace-prefix")
        /// A new stream for this entity replaced this one.
        public static let conflict = Condition("conflict")
        /// No traffic for too long.
        public static let connectionTimeout = Condition("connection-timeout")
        /// The host is no longer served.
        public static let hostGone = Condition("host-gone")
        /// The host is not served.
        public static let hostUnknown = Condition("host-unknown")
        /// A stanza lacks a required address.
        public static let improperAddressing = Condition("improper-addressing")
        /// The server had an internal failure.
        public static let internalServerError = Condition("internal-server-error")
        /// A `from` address does not match an authorised one.
        public static let invalidFrom = Condition("invalid-from")
        /// The stream or content namespace is wrong.
        public static let invalidNamespace = Condition("invalid-namespace")
        /// The XML is invalid against the schema.
        public static let invalidXML = Condition("invalid-xml")
        /// The entity is not authorised for this action.
        public static let notAuthorized = Condition("not-authorized")
        /// The XML is not well-formed.
        public static let notWellFormed = Condition("not-well-formed")
        /// A local policy was violated (for example a size limit).
        public static let policyViolation = Condition("policy-violation")
        /// A remote connection the server needs failed.
        public static let remoteConnectionFailed = Condition("remote-connection-failed")
        /// The stream must be reset (for example after a security change).
        public static let reset = Condition("reset")
        /// The server lacks the resources to serve the stream.
        public static let resourceConstraint = Condition("resource-constraint")
        /// Restricted XML (comments, PIs, DTDs, entity references) was sent.
        public static let restrictedXML = Condition("restricted-xml")
        /// Connect to another host instead (see ``StreamError/otherHost``).
        public static let seeOtherHost = Condition("see-other-host")
        /// The server is shutting down.
        public static let systemShutdown = Condition("system-shutdown")
        /// Any other condition.
        public static let undefinedCondition = Condition("undefined-condition")
        /// The stream uses an encoding other than UTF-8.
        public static let unsupportedEncoding = Condition("unsupported-encoding")
        /// A required stream feature is not supported.
        public static let unsupportedFeature = Condition("unsupported-feature")
        /// A top-level child of an unsupported kind was sent.
        public static let unsupportedStanzaType = Condition("unsupported-stanza-type")
        /// The stream version is not supported.
        public static let unsupportedVersion = Condition("unsupported-version")

        /// Every condition RFC 6120 §4.9.3 defines.
        public static let defined: [Condition] = [
            .badFormat, .badNamespacePrefix, .conflict, .connectionTimeout, .hostGone, .hostUnknown,
            .improperAddressing, .internalServerError, .invalidFrom, .invalidNamespace, .invalidXML,
            .notAuthorized, .notWellFormed, .policyViolation, .remoteConnectionFailed, .reset,
            .resourceConstraint, .restrictedXML, .seeOtherHost, .systemShutdown, .undefinedCondition,
            .unsupportedEncoding, .unsupportedFeature, .unsupportedStanzaType, .unsupportedVersion,
        ]

        /// Whether RFC 6120 defines this condition.
        public var isDefined: Bool { Self.defined.contains(self) }
    }
}

extension StreamError: CustomStringConvertible {
    /// The condition and, if present, the peer's text.
    public var description: String {
        var result = "stream error: \(condition.name)"
        if let otherHost { result += " (\(otherHost))" }
        if let text { result += ": \(text)" }
        return result
    }
}

// MARK: - XML

extension StreamError {
    /// The most characters of the peer's `<text/>` a parsed error keeps;
    /// longer text is cut there and marked with "…", so a hostile peer
    /// cannot push a huge string into error values and logs
    /// (security.md H26).
    public static let maximumTextLength = 1024

    /// Parses a `<stream:error/>` element.
    ///
    /// A missing or unknown condition becomes `undefined-condition` with the
    /// unknown name kept in ``condition``, so a hostile or newer peer cannot
    /// make the error unreadable. The text is cut at ``maximumTextLength``.
    /// - Throws: ``StanzaParseError`` if the element is not a stream error.
    public init(element: XMLElement) throws(StanzaParseError) {
        guard element.name == XMLQualifiedName("error", namespace: XMLNamespace.streams) else {
            throw StanzaParseError.unexpectedElement(element.name)
        }
        var condition: Condition?
        var text: String?
        var language: String?
        var application: XMLElement?
        var otherHost: String?
        for child in element.elements {
            if child.name.namespace == XMLNamespace.streamErrors {
                if child.name.localName == "text" {
                    let full = child.text
                    text = full.count > Self.maximumTextLength ? String(full.prefix(Self.maximumTextLength)) + "…" : full
                    language = child[attribute: .xmlLang]
                } else if condition == nil {
                    condition = Condition(child.name.localName)
                    if child.name.localName == "see-other-host" {
                        let host = child.text.trimmingXMLWhitespace()
                        otherHost = host.isEmpty ? nil : host
                    }
                }
            } else if application == nil {
                application = child
            }
        }
        self.init(
            condition ?? .undefinedCondition,
            text: text,
            textLanguage: language,
            applicationCondition: application,
            otherHost: otherHost
        )
    }

    /// The `<stream:error/>` element for this error.
    public var element: XMLElement {
        var result = XMLElement(name: XMLQualifiedName("error", namespace: XMLNamespace.streams))
        var conditionElement = XMLElement(name: XMLQualifiedName(condition.name, namespace: XMLNamespace.streamErrors))
        if let otherHost, condition == .seeOtherHost {
            conditionElement.append(text: otherHost)
        }
        result.append(conditionElement)
        if let text {
            var textElement = XMLElement("text", namespace: XMLNamespace.streamErrors, text: text)
            if let textLanguage { textElement[attribute: .xmlLang] = textLanguage }
            result.append(textElement)
        }
        if let applicationCondition {
            result.append(applicationCondition)
        }
        return result
    }
}
