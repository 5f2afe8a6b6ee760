import Testing
import XMPPCore

fileprivate func condition(_ name: String, text: String? = nil) -> XMLElement {
    node(name, namespace: XMLNamespace.stanzaErrors, text: text)
}

@Suite("StanzaError")
struct StanzaErrorTests {
    // MARK: Conditions

    @Test("RFC 6120 §8.3.3 defines 22 distinct conditions")
    func definedConditions() {
        let names = StanzaError.Condition.defined.map(\.name)
        #expect(names.count == 22)
        #expect(Set(names).count == 22)
        #expect(StanzaError.Condition.defined.allSatisfy { $0.isDefined })
        #expect(!StanzaError.Condition("x-custom").isDefined)
        #expect(StanzaError.Condition.jidMalformed.description == "jid-malformed")
    }

    @Test(
        "Default type follows RFC 6120 §8.3.3",
        arguments: [
            ("bad-request", StanzaError.ErrorType.modify), ("conflict", .cancel),
            ("feature-not-implemented", .cancel), ("forbidden", .auth), ("gone", .cancel),
            ("internal-server-error", .cancel), ("item-not-found", .cancel), ("jid-malformed", .modify),
            ("not-acceptable", .modify), ("not-allowed", .cancel), ("not-authorized", .auth),
            ("policy-violation", .modify), ("recipient-unavailable", .wait), ("redirect", .modify),
            ("registration-required", .auth), ("remote-server-not-found", .cancel),
            ("remote-server-timeout", .wait), ("resource-constraint", .wait),
            ("service-unavailable", .cancel), ("subscription-required", .auth),
            ("undefined-condition", .cancel), ("unexpected-request", .wait), ("x-unknown", .cancel),
        ]
    )
    func defaultType(name: String, expected: StanzaError.ErrorType) {
        let condition = StanzaError.Condition(name)
        #expect(condition.defaultType == expected)
        #expect(StanzaError(condition).type == expected)
    }

    @Test("An explicit type overrides the default")
    func explicitType() {
        #expect(StanzaError(.policyViolation, type: .wait).type == .wait)
    }

    // MARK: RFC 6120 examples

    @Test("§8.3.2: service-unavailable, no text")
    func serviceUnavailable() throws {
        let xml = node("error", ["type": "cancel"], [condition("service-unavailable")])
        let error = try StanzaError(element: xml)
        #expect(error.type == .cancel)
        #expect(error.condition == .serviceUnavailable)
        #expect(error.text == nil)
        #expect(error.applicationCondition == nil)
        #expect(error.by == nil)
        #expect(error.element == xml)
    }

    @Test("§8.3.2: text with language and an application-specific condition")
    func textAndApplicationCondition() throws {
        let application = node("too-many-parameters", namespace: "http://example.org/ns")
        let xml = node("error", ["type": "modify"], [
            condition("bad-request"),
            node("text", namespace: XMLNamespace.stanzaErrors, lang: "en", text: "Too many parameters"),
            application,
        ])
        let error = try StanzaError(element: xml)
        #expect(error.condition == .badRequest)
        #expect(error.text == "Too many parameters")
        #expect(error.textLanguage == "en")
        #expect(error.applicationCondition == application)
        #expect(error.element == xml)
    }

    @Test("§8.3.3.5: gone carries the new address, and `by`")
    func gone() throws {
        let xml = node("error", ["by": "example.net", "type": "cancel"], [
            condition("gone", text: "xmpp:romeo@afterlife.example.net"),
        ])
        let error = try StanzaError(element: xml)
        #expect(error.condition == .gone)
        #expect(error.redirectURI == "xmpp:romeo@afterlife.example.net")
        #expect(error.by == (try JID("example.net")))
        #expect(error.element == xml)
    }

    @Test("§8.3.3.14: redirect; surrounding whitespace is trimmed")
    func redirect() throws {
        let xml = node("error", ["type": "modify"], [condition("redirect", text: "\n  xmpp:rp@characters.example.com\n")])
        let error = try StanzaError(element: xml)
        #expect(error.redirectURI == "xmpp:rp@characters.example.com")
        #expect(error.element == node("error", ["type": "modify"], [
            condition("redirect", text: "xmpp:rp@characters.example.com"),
        ]))
    }

    @Test("A gone without address reads as nil; text in other conditions is not an address")
    func addressOnlyForGoneAndRedirect() throws {
        #expect(try StanzaError(element: node("error", ["type": "cancel"], [condition("gone")])).redirectURI == nil)
        let other = try StanzaError(element: node("error", ["type": "cancel"], [condition("item-not-found", text: "x")]))
        #expect(other.redirectURI == nil)
        // Setting an address on a condition that carries none writes nothing.
        let written = StanzaError(.conflict, redirectURI: "xmpp:x@example.com").element
        #expect(written == node("error", ["type": "cancel"], [condition("conflict")]))
    }

    // MARK: Leniency and rejection

    @Test("A missing type falls back to the condition's default; legacy `code` is kept")
    func missingTypeAndLegacyCode() throws {
        let xml = node("error", ["code": "404"], [condition("item-not-found")])
        let error = try StanzaError(element: xml)
        #expect(error.type == .cancel)
        #expect(error.additionalAttributes == [XMLAttribute("code", value: "404")])
        #expect(error.element == node("error", ["type": "cancel", "code": "404"], [condition("item-not-found")]))
    }

    @Test("A missing condition reads as undefined-condition; an unknown one is kept by name")
    func missingAndUnknownCondition() throws {
        let missing = try StanzaError(element: node("error", ["type": "wait"]))
        #expect(missing.condition == .undefinedCondition)
        let unknownXML = node("error", ["type": "wait"], [condition("x-future-condition")])
        let unknown = try StanzaError(element: unknownXML)
        #expect(unknown.condition.name == "x-future-condition")
        #expect(unknown.element == unknownXML)
    }

    @Test("The first condition, text and application condition win")
    func duplicatesIgnored() throws {
        let xml = node("error", ["type": "cancel"], [
            condition("conflict"),
            condition("gone"),
            node("text", namespace: XMLNamespace.stanzaErrors, text: "first"),
            node("text", namespace: XMLNamespace.stanzaErrors, text: "second"),
            node("a", namespace: "urn:example:a"),
            node("b", namespace: "urn:example:b"),
        ])
        let error = try StanzaError(element: xml)
        #expect(error.condition == .conflict)
        #expect(error.text == "first")
        #expect(error.applicationCondition?.name.localName == "a")
    }

    @Test(
        "Invalid input gives a typed error",
        arguments: [
            (node("error", ["type": "fatal"], [condition("conflict")]), StanzaParseError(.invalidAttribute, subject: "type")),
            (node("error", ["by": "@example.net", "type": "cancel"]), StanzaParseError(.malformedAddress, subject: "by")),
            (node("error", namespace: XMLNamespace.streams), .unexpectedElement(XMLQualifiedName("error", namespace: XMLNamespace.streams))),
            (node("failure", ["type": "cancel"]), .unexpectedElement(XMLQualifiedName("failure", namespace: XMLNamespace.client))),
        ]
    )
    func invalid(xml: XMLElement, expected: StanzaParseError) {
        let error = #expect(throws: StanzaParseError.self) { try StanzaError(element: xml) }
        #expect(error?.kind == expected.kind)
        #expect(error?.subject == expected.subject)
    }

    // MARK: Writing

    @Test("Another content namespace is read and written")
    func serverNamespace() throws {
        let xml = node("error", namespace: "jabber:server", ["type": "auth"], [condition("forbidden")])
        #expect(throws: StanzaParseError.self) { try StanzaError(element: xml) }
        let error = try StanzaError(element: xml, namespace: "jabber:server")
        #expect(error.condition == .forbidden)
        #expect(error.element(namespace: "jabber:server") == xml)
        #expect(error.element.name.namespace == XMLNamespace.client)
    }

    @Test("Built errors write `by`, `type`, condition, text, application condition in order")
    func writing() throws {
        let error = StanzaError(
            .notAcceptable,
            text: "Too long",
            textLanguage: "en",
            applicationCondition: node("too-long", namespace: "urn:example"),
            by: try JID("muc.example.com")
        )
        #expect(error.element == node("error", ["by": "muc.example.com", "type": "modify"], [
            condition("not-acceptable"),
            node("text", namespace: XMLNamespace.stanzaErrors, lang: "en", text: "Too long"),
            node("too-long", namespace: "urn:example"),
        ]))
    }

    @Test("Description names type, condition, address and text")
    func description() throws {
        #expect(StanzaError(.itemNotFound, text: "No such room").description
            == "stanza error: cancel/item-not-found: No such room")
        #expect(StanzaError(.gone, redirectURI: "xmpp:a@b.example").description
            == "stanza error: cancel/gone (xmpp:a@b.example)")
        let thrown: any Error = StanzaError(.forbidden)
        #expect(thrown is StanzaError)
    }

    // MARK: Answering parse failures

    @Test("Parse failures map to jid-malformed for addresses, bad-request otherwise")
    func replyCondition() {
        #expect(StanzaParseError(.malformedAddress, subject: "to").replyCondition == .jidMalformed)
        #expect(StanzaParseError(.malformedAddress, subject: "from").isMalformedAddress)
        #expect(!StanzaParseError(.invalidAttribute, subject: "to").isMalformedAddress)
        #expect(StanzaParseError(.invalidAttribute, subject: "type").replyCondition == .badRequest)
        #expect(!StanzaParseError(.missingAttribute, subject: "to").isMalformedAddress)
    }
}
