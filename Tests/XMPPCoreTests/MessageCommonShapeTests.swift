import Testing

@testable import XMPPCore

/// The reader of the common message shape (by index, straight from the
/// parsed tree) against the general reader: every message it accepts must
/// read exactly as the general reader reads it, and everything else must be
/// left to the general reader, which makes the errors.
@Suite struct MessageCommonShapeTests {
    static func parsed(_ stanza: String, namespace: String = "jabber:client") throws -> XMLElement {
        let header = "<stream:stream xmlns='\(namespace)' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"
        return try #require(elements(readEvents(header + stanza).events).first)
    }

    /// The common-shape reading of `element`, after making sure its
    /// addresses are among the recent ones (other tests share that cache
    /// and may evict them, hence the bounded retries).
    static func commonShape(_ element: XMLElement, addresses: [String], namespace: String = "jabber:client") throws -> Message? {
        for _ in 0..<5 {
            for address in addresses { _ = try JID(address) }
            if let message = Message.commonShape(element, namespace: namespace) { return message }
        }
        return nil
    }

    static let romeo = "romeo@example.net/orchard"
    static let juliet = "juliet@example.com/balcony"

    /// Shapes the common reader takes, with the addresses they carry.
    static let accepted: [(String, [String])] = [
        ("<message type='chat' id='m1' to='\(romeo)' from='\(juliet)' xml:lang='en'><body>hi</body>"
            + "<no-store xmlns='urn:xmpp:hints'/></message>", [romeo, juliet]),
        ("<message/>", []),
        ("<message type='normal'><subject>s</subject><body>b</body></message>", []),
        ("<message type='groupchat' from='\(juliet)'><body xml:lang='fr'>salut</body></message>", [juliet]),
        ("<message type='unknown-kind' id=''><body/></message>", []),
        ("<message>stray text<body>a &amp; b &lt;c&gt;</body>more</message>", []),
        ("<message type='headline'><x xmlns='jabber:x:oob'><url>u</url></x><body>line1\nline2</body>"
            + "<request xmlns='urn:xmpp:receipts'/></message>", []),
        ("<message to='\(romeo)'><body><![CDATA[<raw>]]> text</body></message>", [romeo]),
    ]

    @Test("Every common shape reads exactly as the general reader reads it", arguments: 0..<accepted.count)
    func acceptedShapesMatchGeneral(index: Int) throws {
        let (stanza, addresses) = Self.accepted[index]
        let element = try Self.parsed(stanza)
        let common = try #require(try Self.commonShape(element, addresses: addresses), "the common reader declined \(stanza)")
        let general = try Message(generalElement: element, namespace: "jabber:client")
        #expect(common == general)
        #expect(try Message(element: element) == general)
    }

    /// Shapes left to the general reader: valid ones (which it reads) and
    /// invalid ones (which it refuses).
    static let declined: [String] = [
        "<message type='error'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>",
        "<message type='error'><body>no error child</body></message>",
        "<message><thread>t1</thread><body>b</body></message>",
        "<message><body xml:lang='en'>a</body><body xml:lang='de'>b</body></message>",
        "<message><body>a</body><body>b</body></message>",
        "<message><subject>a</subject><subject>b</subject></message>",
        "<message><body>a<b/>c</body></message>",
        "<message><body extra='1'>a</body></message>",
        "<message custom='1'><body>a</body></message>",
        "<message xmlns:x='urn:example:attr' x:to='not-an-address'><body>a</body></message>",
        "<message from='juliet@'><body>a</body></message>",
        "<message><error type='cancel'><gone xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>",
        "<message><unknown-in-client/></message>",
    ]

    @Test("Other shapes are left to the general reader, which reads or refuses them as before", arguments: 0..<declined.count)
    func declinedShapesGoToGeneral(index: Int) throws {
        let element = try Self.parsed(Self.declined[index])
        #expect(Message.commonShape(element, namespace: "jabber:client") == nil)
        let general = Result { () throws(StanzaParseError) in try Message(generalElement: element, namespace: "jabber:client") }
        let full = Result { () throws(StanzaParseError) in try Message(element: element) }
        switch (general, full) {
        case (.success(let a), .success(let b)): #expect(a == b)
        case (.failure(let a), .failure(let b)): #expect(a == b)
        default: Issue.record("the two readers disagree on \(Self.declined[index]): \(general) against \(full)")
        }
    }

    @Test("An address not seen lately is parsed as the general reader parses it")
    func unknownAddressParsed() throws {
        // Unique per run, so no other test can have made it recent.
        let fresh = "Fresh-\(UInt64.random(in: 0...UInt64.max))@Example.ORG/r"
        let element = try Self.parsed("<message from='\(fresh)'><body>a</body></message>")
        let common = try #require(Message.commonShape(element, namespace: "jabber:client"))
        #expect(common == (try Message(generalElement: element, namespace: "jabber:client")))
        #expect(common.from == (try JID(fresh)))
        #expect(common.from?.description.hasSuffix("@example.org/r") == true, "normalised as JID(_:) normalises")
    }

    @Test("A message in another stream namespace is left to the general reader")
    func otherNamespace() throws {
        let element = try Self.parsed("<message><body>b</body></message>", namespace: "jabber:server")
        #expect(Message.commonShape(element, namespace: "jabber:client") == nil)
        #expect(Message.commonShape(element, namespace: "jabber:server") == nil)
        let message = try Message(element: element, namespace: "jabber:server")
        #expect(message.body == "b")
    }

    @Test("Built elements are left to the general reader")
    func builtElementsDeclined() {
        let built = Message(type: .chat, body: "hi").element
        #expect(Message.commonShape(built, namespace: "jabber:client") == nil)
    }
}

/// The byte comparison the common reader uses for `type`.
@Suite struct MessageStanzaTypeBytesTests {
    @Test("Each type's wire value reads as init(rawValue:) reads it; other bytes read as nothing")
    func matchesRawValue() {
        let values = Message.StanzaType.allCases.map(\.rawValue) + ["", "Chat", "chat ", "groupcha", "headlines", "errors", "x"]
        for value in values {
            let bytes = Array(value.utf8)
            let read = bytes.withUnsafeBufferPointer { Message.StanzaType(utf8: $0) }
            #expect(read == Message.StanzaType(rawValue: value), "\(value)")
        }
    }
}
