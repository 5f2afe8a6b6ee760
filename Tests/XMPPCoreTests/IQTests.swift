import Testing
import XMPPCore

fileprivate let rosterQuery = node("query", namespace: "jabber:iq:roster")
fileprivate let pingElement = node("ping", namespace: "urn:xmpp:ping")
fileprivate let errorElement = node("error", ["type": "cancel"], [
    node("service-unavailable", namespace: XMLNamespace.stanzaErrors),
])

/// An IQ of the given type with id `q1` and these children.
fileprivate func iqElement(_ type: String, _ children: [XMLElement]) -> XMLElement {
    node("iq", ["id": "q1", "type": type], children)
}

@Suite("IQ")
struct IQTests {
    @Test("Round trip of a request keeps addresses, language, payload and unknown attributes")
    func roundTripRequest() throws {
        let bind = node("bind", namespace: XMLNamespace.bind, [:], [node("resource", namespace: XMLNamespace.bind, text: "balcony")])
        let xml = node(
            "iq",
            ["from": "juliet@example.com/balcony", "id": "tn281v37", "to": "example.com", "type": "set"],
            lang: "en",
            extra: [XMLAttribute("x-trace", value: "abc")],
            [bind]
        )
        let iq = try IQ(element: xml)
        #expect(iq.type == .set)
        #expect(iq.id == "tn281v37")
        #expect(iq.to == (try JID("example.com")))
        #expect(iq.payload == bind)
        #expect(iq.error == nil)
        #expect(iq.isRequest)
        #expect(iq.element == xml)
    }

    @Test("Round trip of an error with the original payload, payload first")
    func roundTripError() throws {
        let xml = node("iq", ["from": "example.com", "id": "q1", "to": "juliet@example.com/balcony", "type": "error"], [
            pingElement, errorElement,
        ])
        let iq = try IQ(element: xml)
        #expect(iq.payload == pingElement)
        #expect(iq.error?.condition == .serviceUnavailable)
        #expect(!iq.isRequest)
        #expect(iq.element == xml)
    }

    @Test(
        "Valid payload counts (RFC 6120 §8.2.3)",
        arguments: [
            ("get", [rosterQuery]), ("set", [rosterQuery]),
            ("result", []), ("result", [rosterQuery]),
            ("error", [errorElement]), ("error", [rosterQuery, errorElement]), ("error", [errorElement, rosterQuery]),
        ]
    )
    func validPayloadCount(type: String, children: [XMLElement]) throws {
        let iq = try IQ(element: iqElement(type, children))
        #expect(iq.type.rawValue == type)
        #expect(iq.payload == children.first { $0 != errorElement })
        #expect((iq.error != nil) == (type == "error"))
    }

    @Test(
        "Invalid payload counts give typed errors",
        arguments: [
            ("get", [], StanzaParseError(.missingChild, subject: "{jabber:client}iq")),
            ("set", [], StanzaParseError(.missingChild, subject: "{jabber:client}iq")),
            ("get", [rosterQuery, pingElement], StanzaParseError(.invalidChild, subject: "{urn:xmpp:ping}ping")),
            ("set", [pingElement, pingElement], StanzaParseError(.invalidChild, subject: "{urn:xmpp:ping}ping")),
            ("result", [rosterQuery, pingElement], StanzaParseError(.invalidChild, subject: "{urn:xmpp:ping}ping")),
            ("error", [], StanzaParseError(.missingChild, subject: "{jabber:client}error")),
            ("error", [rosterQuery], StanzaParseError(.missingChild, subject: "{jabber:client}error")),
            ("error", [errorElement, errorElement], StanzaParseError(.invalidChild, subject: "{jabber:client}error")),
            ("error", [rosterQuery, pingElement, errorElement], StanzaParseError(.invalidChild, subject: "{urn:xmpp:ping}ping")),
        ]
    )
    func invalidPayloadCount(type: String, children: [XMLElement], expected: StanzaParseError) {
        #expect(throws: expected) { try IQ(element: iqElement(type, children)) }
    }

    @Test("Whitespace between children is not a payload")
    func whitespaceIgnored() throws {
        var xml = node("iq", ["id": "q1", "type": "get"])
        xml.append(text: "\n  ")
        xml.append(pingElement)
        xml.append(text: "\n")
        let iq = try IQ(element: xml)
        #expect(iq.payload == pingElement)
        #expect(iq.element == node("iq", ["id": "q1", "type": "get"], [pingElement]))
    }

    @Test(
        "Missing or invalid id and type give typed errors",
        arguments: [
            (node("iq", ["type": "get"], [pingElement]), StanzaParseError(.missingAttribute, subject: "id")),
            (node("iq", ["id": "q1"], [pingElement]), StanzaParseError(.missingAttribute, subject: "type")),
            (node("iq", ["id": "q1", "type": "query"], [pingElement]), StanzaParseError(.invalidAttribute, subject: "type")),
            (node("iq", ["id": "q1", "type": "GET"], [pingElement]), StanzaParseError(.invalidAttribute, subject: "type")),
            (node("iq", ["id": "q1", "to": "exa mple.com", "type": "get"], [pingElement]), StanzaParseError(.malformedAddress, subject: "to")),
            (node("iq", ["from": "", "id": "q1", "type": "get"], [pingElement]), StanzaParseError(.malformedAddress, subject: "from")),
            (node("iq", namespace: "jabber:server", ["id": "q1", "type": "get"], [pingElement]), StanzaParseError.unexpectedElement(XMLQualifiedName("iq", namespace: "jabber:server"))),
        ]
    )
    func invalidAttributes(xml: XMLElement, expected: StanzaParseError) {
        let error = #expect(throws: StanzaParseError.self) { try IQ(element: xml) }
        #expect(error?.kind == expected.kind)
        #expect(error?.subject == expected.subject)
        #expect((error?.addressError != nil) == (expected.kind == .malformedAddress))
    }

    @Test("jabber:server streams reuse the model")
    func serverNamespace() throws {
        let xml = node("iq", namespace: "jabber:server", ["from": "a.example", "id": "s1", "to": "b.example", "type": "get"], [pingElement])
        let iq = try IQ(element: xml, namespace: "jabber:server")
        #expect(iq.element(namespace: "jabber:server") == xml)
    }

    // MARK: Replies

    @Test("makeResult swaps addresses and keeps the id")
    func result() throws {
        let request = try IQ(element: node("iq", ["from": "example.com", "id": "ping1", "to": "juliet@example.com/balcony", "type": "get"], [pingElement]))
        let reply = request.makeResult()
        #expect(reply.element == node("iq", ["from": "juliet@example.com/balcony", "id": "ping1", "to": "example.com", "type": "result"]))
        #expect(try IQ(element: reply.element) == reply)
        #expect(request.makeResult(payload: rosterQuery).payload == rosterQuery)
    }

    @Test("makeError swaps addresses, keeps the id and optionally the payload")
    func errorReply() throws {
        let request = IQ(type: .get, id: "v1", to: try JID("juliet@example.com/balcony"), from: try JID("romeo@example.net/orchard"), payload: pingElement)
        let error = StanzaError(.featureNotImplemented)
        let reply = request.makeError(error)
        #expect(reply.type == .error)
        #expect(reply.id == "v1")
        #expect(reply.to == request.from)
        #expect(reply.from == request.to)
        #expect(reply.payload == nil)
        #expect(reply.error == error)
        #expect(try IQ(element: reply.element) == reply)
        let withPayload = request.makeError(error, includingPayload: true)
        #expect(withPayload.element.elements == [pingElement, error.element])
    }
}
