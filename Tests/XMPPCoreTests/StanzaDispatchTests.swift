import Testing
import XMPPCore

/// Builds an element with attributes in the given order and these children.
fileprivate func node(
    _ localName: String,
    namespace: String = XMLNamespace.client,
    _ attributes: KeyValuePairs<String, String> = [:],
    text: String? = nil,
    _ children: [XMLElement] = []
) -> XMLElement {
    var result = XMLElement(localName, namespace: namespace, attributes: attributes)
    if let text { result.append(text: text) }
    for child in children { result.append(child) }
    return result
}

fileprivate let pingElement = node("ping", namespace: "urn:xmpp:ping")

@Suite("AnyStanza dispatch")
struct StanzaDispatchTests {
    @Test("The three stanza names dispatch to their models")
    func dispatch() throws {
        let message = node("message", ["id": "m1", "to": "romeo@example.net"], [node("body", text: "hi")])
        guard case .message(let parsedMessage)? = try AnyStanza.parse(message) else {
            Issue.record("not a message")
            return
        }
        #expect(parsedMessage.body == "hi")

        let presence = node("presence", ["from": "juliet@example.com/balcony", "type": "unavailable"])
        guard case .presence(let parsedPresence)? = try AnyStanza.parse(presence) else {
            Issue.record("not a presence")
            return
        }
        #expect(parsedPresence.type == .unavailable)

        let iq = node("iq", ["id": "i1", "type": "get"], [pingElement])
        guard case .iq(let parsedIQ)? = try AnyStanza.parse(iq) else {
            Issue.record("not an iq")
            return
        }
        #expect(parsedIQ.payload == pingElement)
    }

    @Test("Common accessors and writing go through to the stanza")
    func accessors() throws {
        let xml = node("message", ["from": "juliet@example.com/balcony", "id": "m1", "to": "romeo@example.net"])
        let stanza = try #require(try AnyStanza.parse(xml))
        #expect(stanza.id == "m1")
        #expect(stanza.to == (try JID("romeo@example.net")))
        #expect(stanza.from == (try JID("juliet@example.com/balcony")))
        #expect(stanza.element == xml)
        #expect(stanza.stanza is Message)
        #expect(try AnyStanza.parse(node("iq", ["id": "i9", "type": "result"]))?.id == "i9")
    }

    @Test(
        "Other top-level elements are not stanzas",
        arguments: [
            node("features", namespace: XMLNamespace.streams),
            node("error", namespace: XMLNamespace.streams),
            node("r", namespace: "urn:xmpp:sm:3"),
            node("message", namespace: "jabber:server"),
            node("iq", namespace: XMLNamespace.stanzaErrors),
            node("body"),
        ]
    )
    func notStanzas(xml: XMLElement) throws {
        #expect(try AnyStanza.parse(xml) == nil)
        #expect(!AnyStanza.isStanza(xml))
    }

    @Test("A stream's own content namespace decides what is a stanza")
    func serverNamespace() throws {
        let xml = node("presence", namespace: "jabber:server", ["from": "a@example.com", "to": "b@example.net"])
        #expect(try AnyStanza.parse(xml) == nil)
        let stanza = try #require(try AnyStanza.parse(xml, namespace: "jabber:server"))
        #expect(stanza.element(namespace: "jabber:server") == xml)
    }

    @Test("An invalid stanza throws rather than returning nil")
    func invalidStanza() {
        #expect(throws: StanzaParseError(.missingAttribute, subject: "id")) {
            try AnyStanza.parse(node("iq", ["type": "get"], [pingElement]))
        }
    }

    // MARK: Answering unreadable stanzas

    @Test("A stanza with a malformed address is answered with jid-malformed from the raw element")
    func errorReplyForMalformedAddress() throws {
        let xml = node("message", ["from": "romeo@example.net/orchard", "id": "m7", "to": "juliet@", "type": "chat"], [
            node("body", text: "hi"),
        ])
        let parseError = try #require(#expect(throws: StanzaParseError.self) { try AnyStanza.parse(xml) })
        let reply = try #require(AnyStanza.errorReply(to: xml, error: StanzaError(parseError.replyCondition)))
        #expect(reply == node("message", ["from": "juliet@", "id": "m7", "to": "romeo@example.net/orchard", "type": "error"], [
            node("error", ["type": "modify"], [node("jid-malformed", namespace: XMLNamespace.stanzaErrors)]),
        ]))
    }

    @Test("An IQ request with a bad payload count is answered with bad-request")
    func errorReplyForIQ() throws {
        let xml = node("iq", ["from": "example.com", "id": "q2", "type": "set"])
        let parseError = try #require(#expect(throws: StanzaParseError.self) { try AnyStanza.parse(xml) })
        let reply = try #require(AnyStanza.errorReply(to: xml, error: StanzaError(parseError.replyCondition)))
        let parsed = try IQ(element: reply)
        #expect(parsed.type == .error)
        #expect(parsed.id == "q2")
        #expect(parsed.to == (try JID("example.com")))
        #expect(parsed.error?.condition == .badRequest)
    }

    @Test(
        "No reply to errors, IQ results or non-stanzas",
        arguments: [
            node("message", ["type": "error"]),
            node("presence", ["type": "error"]),
            node("iq", ["id": "q", "type": "error"]),
            node("iq", ["id": "q", "type": "result"]),
            node("features", namespace: XMLNamespace.streams),
        ]
    )
    func noReply(xml: XMLElement) {
        #expect(AnyStanza.errorReply(to: xml, error: StanzaError(.badRequest)) == nil)
    }
}
