import Testing

@testable import XMPPCore

/// Stanzas read from a parsed tree (as the reader hands them over) rather
/// than built in code: the header reads attributes by position and finds
/// recent addresses by their bytes, so these check that path against the
/// built one.
@Suite struct StanzaParsedTreeTests {
    static func parsed(_ stanza: String) throws -> XMLElement {
        let header = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"
        return try #require(elements(readEvents(header + stanza).events).first)
    }

    static let chat =
        "<message type='chat' id='m1' to='romeo@example.net/orchard' from='juliet@example.com/balcony' xml:lang='en'"
        + " xmlns:x='urn:example:attr' x:to='not-an-address' x:id='7'><body>hi</body>"
        + "<no-store xmlns='urn:xmpp:hints'/></message>"

    @Test("A parsed message reads as its built copy, read again and again (recent addresses)")
    func parsedEqualsBuilt() throws {
        let element = try Self.parsed(Self.chat)
        let fromBuilt = try Message(element: XMLElement(name: element.name, attributes: Array(element.attributes), children: Array(element.children)))
        for _ in 0..<3 {
            let message = try Message(element: element)
            #expect(message == fromBuilt)
            #expect(message.to == (try JID("romeo@example.net/orchard")))
            #expect(message.from == (try JID("juliet@example.com/balcony")))
            #expect(message.id == "m1")
            #expect(message.type == .chat)
            #expect(message.language == "en")
            #expect(message.body == "hi")
        }
    }

    @Test("Attributes named to or id in another namespace stay additional attributes")
    func namespacedAttributesAreNotAddresses() throws {
        let message = try Message(element: Self.parsed(Self.chat))
        let extra = message.additionalAttributes.map { "\($0.name.namespace) \($0.name.localName)=\($0.value)" }
        #expect(extra == ["urn:example:attr to=not-an-address", "urn:example:attr id=7"])
    }

    @Test("A malformed address in a parsed stanza is refused, even right after a good one")
    func malformedAddressStillRefused() throws {
        _ = try Message(element: Self.parsed(Self.chat))
        let bad = try Self.parsed("<message from='juliet@' to='romeo@example.net/orchard'><body>x</body></message>")
        #expect(throws: StanzaParseError.self) { _ = try Message(element: bad) }
        do {
            _ = try Message(element: bad)
        } catch {
            #expect(error.isMalformedAddress)
        }
    }

    @Test("A nested element in a parsed body is refused")
    func nestedBodyElementRefused() throws {
        let bad = try Self.parsed("<message><body>a<b/>c</body></message>")
        #expect(throws: StanzaParseError.self) { _ = try Message(element: bad) }
    }
}
