import Testing
import XMPPCore

fileprivate func presenceElement(priority: String) -> XMLElement {
    node("presence", [:], [node("priority", text: priority)])
}

@Suite("Presence")
struct PresenceTests {
    @Test("Round trip keeps show, statuses, priority, extensions in order and unknown attributes")
    func roundTrip() throws {
        let caps = node("c", namespace: "http://jabber.org/protocol/caps", ["hash": "sha-1", "node": "https://example.com", "ver": "QgayPKawpkPSDYmwT/WM94uAlu0="])
        let xml = node(
            "presence",
            ["from": "juliet@example.com/balcony", "id": "pres1"],
            lang: "en",
            extra: [XMLAttribute("x-custom", value: "yes")],
            [
                node("show", text: "dnd"),
                node("status", text: "Wooing Romeo"),
                node("status", lang: "cs", text: "Dvořím se Romeovi"),
                node("priority", text: "5"),
                caps,
                node("x", namespace: "vcard-temp:x:update", [:], [node("photo", namespace: "vcard-temp:x:update")]),
            ]
        )
        let presence = try Presence(element: xml)
        #expect(presence.type == Presence.StanzaType.available)
        #expect(presence.show == Presence.Show.dnd)
        #expect(presence.status == "Wooing Romeo")
        #expect(presence.statuses.text(forLanguage: "cs") == "Dvořím se Romeovi")
        #expect(presence.priority == 5)
        #expect(presence.extensions.first == caps)
        #expect(presence.extensions.count == 2)
        #expect(presence.additionalAttributes == [XMLAttribute("x-custom", value: "yes")])
        #expect(presence.element == xml)
    }

    @Test("An empty presence is available, priority 0")
    func empty() throws {
        let presence = try Presence(element: node("presence"))
        #expect(presence == Presence())
        #expect(presence.priority == nil)
        #expect(presence.effectivePriority == 0)
        #expect(presence.element == node("presence"))
    }

    @Test(
        "Defined types read and write back",
        arguments: ["unavailable", "subscribe", "subscribed", "unsubscribe", "unsubscribed", "probe"]
    )
    func definedTypes(raw: String) throws {
        let xml = node("presence", ["to": "romeo@example.net", "type": raw])
        let presence = try Presence(element: xml)
        #expect(presence.type.rawValue == raw)
        #expect(presence.element == xml)
    }

    @Test("Unknown types, including `available`, are rejected", arguments: ["available", "online", "", "Subscribe"])
    func unknownTypes(raw: String) {
        #expect(throws: StanzaParseError(.invalidAttribute, subject: "type")) {
            try Presence(element: node("presence", ["type": raw]))
        }
    }

    @Test("Show values", arguments: Presence.Show.allCases)
    func show(value: Presence.Show) throws {
        let xml = node("presence", [:], [node("show", text: value.rawValue)])
        let presence = try Presence(element: xml)
        #expect(presence.show == value)
        #expect(presence.element == xml)
    }

    @Test("Show tolerates surrounding whitespace")
    func showWhitespace() throws {
        #expect(try Presence(element: node("presence", [:], [node("show", text: "\n away ")])).show == .away)
    }

    @Test("Invalid show values are rejected", arguments: ["busy", "", "Away", "online"])
    func invalidShow(raw: String) {
        #expect(throws: StanzaParseError(.invalidText, subject: "{jabber:client}show")) {
            try Presence(element: node("presence", [:], [node("show", text: raw)]))
        }
    }

    @Test(
        "Priority accepts integers in -128…127",
        arguments: [("-128", Int8.min), ("127", Int8.max), ("0", 0), ("-1", -1), ("+5", 5), (" 42\n", 42), ("007", 7)]
    )
    func priority(raw: String, expected: Int8) throws {
        let presence = try Presence(element: presenceElement(priority: raw))
        #expect(presence.priority == expected)
        #expect(presence.effectivePriority == expected)
    }

    @Test(
        "Priority out of range or not an integer is rejected",
        arguments: ["128", "-129", "1000", "1.5", "", "abc", "0x10", "1e2", "5 5", "٣"]
    )
    func invalidPriority(raw: String) {
        #expect(throws: StanzaParseError(.invalidText, subject: "{jabber:client}priority")) {
            try Presence(element: presenceElement(priority: raw))
        }
    }

    @Test("Priority is written in canonical form")
    func priorityWriting() throws {
        let presence = try Presence(element: presenceElement(priority: " +007 "))
        #expect(presence.element == presenceElement(priority: "7"))
        #expect(Presence(priority: -128).element == presenceElement(priority: "-128"))
    }

    @Test("Two show or priority children are rejected; so are two statuses in one language")
    func duplicates() {
        #expect(throws: StanzaParseError(.invalidChild, subject: "{jabber:client}show")) {
            try Presence(element: node("presence", [:], [node("show", text: "away"), node("show", text: "xa")]))
        }
        #expect(throws: StanzaParseError(.invalidChild, subject: "{jabber:client}priority")) {
            try Presence(element: node("presence", [:], [node("priority", text: "1"), node("priority", text: "1")]))
        }
        #expect(throws: StanzaParseError(.invalidChild, subject: "{jabber:client}status")) {
            try Presence(element: node("presence", [:], [node("status", text: "a"), node("status", text: "b")]))
        }
    }

    @Test("Setting `status` replaces the default status; nil removes every status")
    func statusSetter() {
        var presence = Presence(language: "en", statuses: [LanguageTaggedText("Away", language: "en")])
        presence.status = "Out"
        #expect(presence.statuses == [LanguageTaggedText("Out", language: "en")])
        presence.statuses.setText("Pryč", forLanguage: "cs")
        presence.status = nil
        #expect(presence.statuses.isEmpty)
    }

    @Test("An error presence carries its StanzaError; a missing one is rejected")
    func errorPresence() throws {
        let xml = node("presence", ["from": "romeo@example.net", "to": "juliet@example.com", "type": "error"], [
            node("error", ["type": "auth"], [node("forbidden", namespace: XMLNamespace.stanzaErrors)]),
        ])
        let presence = try Presence(element: xml)
        #expect(presence.error?.condition == .forbidden)
        #expect(presence.element == xml)
        #expect(throws: StanzaParseError(.missingChild, subject: "{jabber:client}error")) {
            try Presence(element: node("presence", ["type": "error"]))
        }
    }

    @Test("A malformed address is a distinguishable typed error", arguments: ["to", "from"])
    func malformedAddress(attribute: String) {
        var xml = node("presence")
        xml[attribute: attribute] = "@example.com"
        let error = #expect(throws: StanzaParseError.self) { try Presence(element: xml) }
        #expect(error?.isMalformedAddress == true)
    }

    @Test("Another name is not a presence")
    func unexpectedElement() {
        #expect(throws: StanzaParseError.unexpectedElement(XMLQualifiedName("message", namespace: XMLNamespace.client))) {
            try Presence(element: node("message"))
        }
    }
}
