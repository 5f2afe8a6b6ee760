import Testing
import XMPPCore

@Suite("Message")
struct MessageTests {
    @Test("Round trip keeps addresses, texts, thread, extensions in order and unknown attributes")
    func roundTrip() throws {
        let xml = node(
            "message",
            ["from": "juliet@example.com/balcony", "id": "ktx72v49", "to": "romeo@example.net", "type": "chat"],
            lang: "en",
            extra: [XMLAttribute(XMLQualifiedName("marker", namespace: "urn:example:attr"), value: "1")],
            [
                node("subject", text: "Balcony"),
                node("body", text: "Art thou not Romeo, and a Montague?"),
                node("body", lang: "cs", text: "Nejsi ty Romeo, a Montek?"),
                node("thread", ["parent": "7edac73ab41e45c4aafa7b2d7b749080"], text: "e0ffe42b28561960c6b12b944a092794b9683a38"),
                node("active", namespace: "http://jabber.org/protocol/chatstates"),
                node("request", namespace: "urn:xmpp:receipts"),
                node("x", namespace: "jabber:x:oob", [:], [node("url", namespace: "jabber:x:oob", text: "https://example.com/a.png")]),
            ]
        )
        let message = try Message(element: xml)
        #expect(message.type == Message.StanzaType.chat)
        #expect(message.from == (try JID("juliet@example.com/balcony")))
        #expect(message.to == (try JID("romeo@example.net")))
        #expect(message.id == "ktx72v49")
        #expect(message.language == "en")
        #expect(message.subject == "Balcony")
        #expect(message.bodies == [
            LanguageTaggedText("Art thou not Romeo, and a Montague?"),
            LanguageTaggedText("Nejsi ty Romeo, a Montek?", language: "cs"),
        ])
        #expect(message.thread == Message.Thread("e0ffe42b28561960c6b12b944a092794b9683a38", parent: "7edac73ab41e45c4aafa7b2d7b749080"))
        #expect(message.extensions.map { $0.name.localName } == ["active", "request", "x"])
        #expect(message.additionalAttributes.count == 1)
        #expect(message.error == nil)
        #expect(message.element == xml)
    }

    @Test("An empty message round-trips to an empty normal message")
    func empty() throws {
        let xml = node("message")
        let message = try Message(element: xml)
        #expect(message == Message())
        #expect(message.body == nil)
        #expect(message.element == xml)
    }

    @Test("Defined types read and write back", arguments: ["chat", "groupchat", "headline"])
    func definedTypes(raw: String) throws {
        let xml = node("message", ["type": raw])
        let message = try Message(element: xml)
        #expect(message.type.rawValue == raw)
        #expect(message.element == xml)
    }

    @Test("RFC 6121 §5.2.2: absent, `normal` and unknown types mean normal", arguments: [nil, "normal", "bogus", ""])
    func normalType(raw: String?) throws {
        var xml = node("message", [:], [node("body", text: "hi")])
        xml[attribute: "type"] = raw
        let message = try Message(element: xml)
        #expect(message.type == .normal)
        // Normal is written as the absence of `type`, its meaning on the wire.
        #expect(message.element == node("message", [:], [node("body", text: "hi")]))
    }

    // MARK: Languages

    @Test("Bodies in several languages; `body` prefers the untagged one")
    func severalLanguages() throws {
        let xml = node("message", [:], [
            node("body", lang: "de", text: "Hallo"),
            node("body", text: "Hello"),
            node("body", lang: "fr", text: "Bonjour"),
        ])
        let message = try Message(element: xml)
        #expect(message.body == "Hello")
        #expect(message.bodies.text(forLanguage: "FR") == "Bonjour")
        #expect(message.bodies.text(forLanguage: "it") == nil)
        #expect(message.bodies.map(\.language) == ["de", nil, "fr"])
        #expect(message.element == xml)
    }

    @Test("`body` falls back to the stanza's language, then to the first body")
    func bodyFallback() throws {
        let tagged = try Message(element: node("message", lang: "fr", [
            node("body", lang: "de", text: "Hallo"),
            node("body", lang: "fr", text: "Bonjour"),
        ]))
        #expect(tagged.body == "Bonjour")
        let untaggedStanza = try Message(element: node("message", [:], [node("body", lang: "de", text: "Hallo")]))
        #expect(untaggedStanza.body == "Hallo")
    }

    @Test(
        "At most one body per language",
        arguments: [
            node("message", [:], [node("body", text: "a"), node("body", text: "b")]),
            node("message", [:], [node("body", lang: "en", text: "a"), node("body", lang: "EN", text: "b")]),
            // The untagged body inherits the stanza's language.
            node("message", lang: "en", [node("body", text: "a"), node("body", lang: "en", text: "b")]),
        ]
    )
    func duplicateBodies(xml: XMLElement) {
        #expect(throws: StanzaParseError(.invalidChild, subject: "{jabber:client}body")) { try Message(element: xml) }
    }

    @Test("At most one subject per language")
    func duplicateSubjects() {
        let xml = node("message", [:], [node("subject", lang: "en", text: "a"), node("subject", lang: "en", text: "b")])
        #expect(throws: StanzaParseError(.invalidChild, subject: "{jabber:client}subject")) { try Message(element: xml) }
    }

    @Test("Setting `body` replaces the default body; nil removes every body")
    func bodySetter() {
        var message = Message(to: nil, body: "one")
        message.bodies.append(LanguageTaggedText("deux", language: "fr"))
        message.body = "two"
        #expect(message.bodies == [LanguageTaggedText("two"), LanguageTaggedText("deux", language: "fr")])
        message.body = nil
        #expect(message.bodies.isEmpty)
        message.subject = "topic"
        #expect(message.subjects == [LanguageTaggedText("topic")])
    }

    // MARK: Children

    @Test("Elements inside a body or thread, or two threads, are rejected")
    func invalidChildren() {
        let nested = node("message", [:], [node("body", [:], [node("b", namespace: "http://www.w3.org/1999/xhtml")])])
        #expect(throws: StanzaParseError(.invalidChild, subject: "{http://www.w3.org/1999/xhtml}b")) {
            try Message(element: nested)
        }
        let twoThreads = node("message", [:], [node("thread", text: "a"), node("thread", text: "b")])
        #expect(throws: StanzaParseError(.invalidChild, subject: "{jabber:client}thread")) {
            try Message(element: twoThreads)
        }
    }

    @Test("Text directly inside <message/> is dropped; content-namespace unknowns are extensions")
    func strayContent() throws {
        var xml = node("message")
        xml.append(text: "\n  ")
        xml.append(node("body", text: "hi"))
        xml.append(text: "\n")
        xml.append(node("x-unknown"))
        let message = try Message(element: xml)
        #expect(message.body == "hi")
        #expect(message.extensions == [node("x-unknown")])
    }

    // MARK: Errors

    @Test("An error message carries its StanzaError after the original content")
    func errorMessage() throws {
        let xml = node("message", ["from": "juliet@im.example.com/churchyard", "id": "sj2b371v", "to": "romeo@example.net", "type": "error"], [
            node("body", text: "Wherefore art thou?"),
            node("error", ["by": "example.net", "type": "cancel"], [
                node("gone", namespace: XMLNamespace.stanzaErrors, text: "xmpp:romeo@afterlife.example.net"),
            ]),
        ])
        let message = try Message(element: xml)
        #expect(message.type == .error)
        #expect(message.error?.condition == .gone)
        #expect(message.extensions.isEmpty)
        #expect(message.element == xml)
    }

    @Test("An error message without <error/> is rejected; two are rejected")
    func errorMessageChildCount() {
        #expect(throws: StanzaParseError(.missingChild, subject: "{jabber:client}error")) {
            try Message(element: node("message", ["type": "error"]))
        }
        let error = node("error", ["type": "cancel"], [node("conflict", namespace: XMLNamespace.stanzaErrors)])
        #expect(throws: StanzaParseError(.invalidChild, subject: "{jabber:client}error")) {
            try Message(element: node("message", ["type": "error"], [error, error]))
        }
    }

    @Test("An <error/> in a non-error message is kept as an extension")
    func errorInNonErrorMessage() throws {
        let error = node("error", ["type": "cancel"], [node("conflict", namespace: XMLNamespace.stanzaErrors)])
        let message = try Message(element: node("message", ["type": "chat"], [error]))
        #expect(message.error == nil)
        #expect(message.extensions == [error])
    }

    // MARK: Addressing and naming

    @Test(
        "A malformed address is a distinguishable typed error",
        arguments: ["to", "from"], ["", "@example.com", "juliet@", "example.com/", "juliet@exa mple.com"]
    )
    func malformedAddress(attribute: String, value: String) {
        var xml = node("message")
        xml[attribute: attribute] = value
        let error = #expect(throws: StanzaParseError.self) { try Message(element: xml) }
        #expect(error?.kind == .malformedAddress)
        #expect(error?.subject == attribute)
        #expect(error?.addressError != nil)
        #expect(error?.isMalformedAddress == true)
        #expect(error?.replyCondition == .jidMalformed)
    }

    @Test("Addresses are written in normalised form")
    func normalisedAddress() throws {
        let message = try Message(element: node("message", ["to": "Romeo@Example.NET"]))
        #expect(message.element[attribute: "to"] == "romeo@example.net")
    }

    @Test("Another name or namespace is not a message")
    func unexpectedElement() {
        #expect(throws: StanzaParseError.unexpectedElement(XMLQualifiedName("presence", namespace: XMLNamespace.client))) {
            try Message(element: node("presence"))
        }
        #expect(throws: StanzaParseError.unexpectedElement(XMLQualifiedName("message", namespace: "jabber:server"))) {
            try Message(element: node("message", namespace: "jabber:server"))
        }
    }

    @Test("jabber:server streams reuse the model; known children are read in that namespace")
    func serverNamespace() throws {
        let ns = "jabber:server"
        let xml = node("message", namespace: ns, ["from": "a@example.com", "to": "b@example.net"], [
            node("body", namespace: ns, text: "hi"),
            node("body", namespace: XMLNamespace.client, text: "not a body here"),
        ])
        let message = try Message(element: xml, namespace: ns)
        #expect(message.body == "hi")
        #expect(message.extensions.count == 1)
        #expect(message.element(namespace: ns) == xml)
    }

    @Test("The convenience initialiser builds a one-body message")
    func convenience() throws {
        let message = Message(type: .chat, to: try JID("romeo@example.net"), id: "m1", body: "Hi")
        #expect(message.element == node("message", ["id": "m1", "to": "romeo@example.net", "type": "chat"], [
            node("body", text: "Hi"),
        ]))
    }
}
