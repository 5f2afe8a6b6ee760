import Logging
import XMPPCore

/// The metadata keys the session layer logs with, in one place (so a log
/// pipeline can rely on them).
enum XMPPLoggingKey {
    /// The account's bare JID.
    static let jid = "xmpp.jid"
    /// The full JID the server bound.
    static let boundJID = "xmpp.bound_jid"
    /// The endpoint connected to.
    static let endpoint = "xmpp.endpoint"
    /// The negotiation step a deadline guards.
    static let step = "xmpp.step"
    /// A top-level element's qualified name (Clark notation).
    static let element = "xmpp.element"
    /// Raw XML, only at `trace`, with SASL payloads redacted.
    static let xml = "xmpp.xml"
    /// The SASL mechanism used.
    static let mechanism = "xmpp.sasl_mechanism"
    /// A `see-other-host` target.
    static let redirect = "xmpp.redirect"
    /// How many redirects led to this connection.
    static let redirectCount = "xmpp.redirect_count"
    /// The `id` of a stanza.
    static let stanzaID = "xmpp.stanza_id"
    /// The `from` of a stanza, as sent.
    static let stanzaFrom = "xmpp.stanza_from"
    /// The payload an IQ handler is registered for (Clark notation).
    static let handler = "xmpp.iq_handler"
    /// Why an element was dropped.
    static let reason = "xmpp.reason"
    /// The machine's token of an outbound stanza under XEP-0198.
    static let outboundStanza = "xmpp.sm_stanza"
    /// How many stanzas were not acknowledged when the session ended.
    static let unacknowledgedCount = "xmpp.sm_unacknowledged"
    /// An error's description.
    static let error = "error"
}

/// Makes elements safe to log: SASL payloads (`<auth/>`, `<response/>`,
/// `<challenge/>`, `<success/>`) carry credentials or values derived from
/// them (PLAIN carries the password itself), so their text is replaced.
enum XMLLogRedaction {
    /// The text that replaces a redacted payload.
    static let placeholder = "[redacted]"

    /// `element`, or a copy whose SASL payload is replaced.
    static func redacted(_ element: XMLElement) -> XMLElement {
        guard element.name.namespace == XMLNamespace.sasl,
            ["auth", "response", "challenge", "success"].contains(element.name.localName),
            !element.text.isEmpty
        else { return element }
        var copy = element
        copy.children = [.text(placeholder)]
        return copy
    }

    /// The element as XML for a `trace` log line, redacted.
    static func xml(_ element: XMLElement, writer: XMLWriter) -> String {
        (try? writer.string(redacted(element))) ?? "<unserialisable \(element.name)>"
    }
}
