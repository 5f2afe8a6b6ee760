import Testing
import XMPP
import XMPPCore

@testable import XMPPExtensions

@Suite struct CarbonsTests {
    /// A carbon wrapper from `from` (no attribute when `nil`) copying a
    /// message `copyFrom` → `copyTo`.
    func carbon(
        from: String?, direction: String = "received",
        copyFrom: String = "bob@example.com/pc", copyTo: String = "alice@example.com/laptop",
        body: String = "the secret plan"
    ) -> String {
        let fromAttribute = from.map { " from='\($0)'" } ?? ""
        return """
            <message\(fromAttribute) to='alice@example.com/phone' type='chat'>\
            <\(direction) xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>\
            <delay xmlns='urn:xmpp:delay' stamp='2021-03-04T05:06:07Z'/>\
            <message xmlns='jabber:client' from='\(copyFrom)' to='\(copyTo)' type='chat' id='c1'>\
            <body>\(body)</body><stanza-id xmlns='urn:xmpp:sid:0' id='arch-1' by='alice@example.com'/></message>\
            </forwarded></\(direction)></message>
            """
    }

    @Test("enable and disable requests: IQ set with the carbons:2 payload")
    func requests() {
        #expect(CarbonsRequest.enable.type == .set)
        #expect(CarbonsRequest.enable.payload == XMLElement("enable", namespace: "urn:xmpp:carbons:2"))
        #expect(CarbonsRequest.disable.payload == XMLElement("disable", namespace: "urn:xmpp:carbons:2"))
        #expect(CarbonsRequest.privateElement == XMLElement("private", namespace: "urn:xmpp:carbons:2"))
    }

    @Test("a genuine received carbon (from our bare JID) becomes the copied message, direction receivedCarbon")
    func genuineReceived() throws {
        let reading = try ChatAccount.read(carbon(from: "alice@example.com"))
        let message = try #require(reading.message)
        #expect(message.direction == .receivedCarbon && message.isCarbonCopy)
        #expect(message.body == "the secret plan")
        #expect(message.id == "c1")
        #expect(message.peer == (try JID("bob@example.com/pc")))
        #expect(message.delay?.stamp.description == "2021-03-04T05:06:07Z")   // from <forwarded/>
        // The copy's stanza-id by our bare JID is a candidate like a direct message's.
        #expect(reading.resolved(trustingStanzaIDs: true)?.stanzaID?.id == "arch-1")
    }

    @Test("a genuine sent carbon: direction sentCarbon, the peer is its recipient")
    func genuineSent() throws {
        let xml = carbon(from: "alice@example.com", direction: "sent", copyFrom: "alice@example.com/laptop", copyTo: "bob@example.com/pc")
        let message = try #require(try ChatAccount.read(xml).message)
        #expect(message.direction == .sentCarbon)
        #expect(message.peer == (try JID("bob@example.com/pc")))
        #expect(message.body == "the secret plan")
    }

    @Test("spoofed carbons are ignored, not unwrapped and not delivered as plain messages", arguments: [
        "mallory@evil.example",          // another user (CVE-2017-5589 family)
        "bob@example.com/pc",            // the peer itself
        "alice@example.com/laptop",      // our own full JID
        "example.com",                   // our server's domain
        "alice@evil.example",            // our localpart elsewhere
    ])
    func spoofed(from: String) throws {
        for direction in ["received", "sent"] {
            let reading = try ChatAccount.read(carbon(from: from, direction: direction))
            #expect(reading.ignoredReason == .untrustedCarbon, "\(from) \(direction)")
        }
    }

    @Test("a carbon without from is ignored too")
    func spoofedWithoutFrom() throws {
        #expect(try ChatAccount.read(carbon(from: nil)).ignoredReason == .untrustedCarbon)
    }

    @Test("a carbon from our bare JID copying another account's message is ignored")
    func foreign() throws {
        let received = carbon(from: "alice@example.com", copyTo: "carol@example.com/pc")
        #expect(try ChatAccount.read(received).ignoredReason == .foreignCarbon)
        let sent = carbon(from: "alice@example.com", direction: "sent", copyFrom: "carol@example.com/pc", copyTo: "bob@example.com")
        #expect(try ChatAccount.read(sent).ignoredReason == .foreignCarbon)
    }

    @Test("malformed carbons from our bare JID are ignored: no forwarded, two wrappers, a broken copy")
    func malformed() throws {
        let cases = [
            "<message from='alice@example.com'><received xmlns='urn:xmpp:carbons:2'/></message>",
            "<message from='alice@example.com'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'/></received></message>",
            """
            <message from='alice@example.com'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>\
            <message xmlns='jabber:client' from='bob@@example.com'/></forwarded></received></message>
            """,
            """
            <message from='alice@example.com'>\
            <received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client'/></forwarded></received>\
            <sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client'/></forwarded></sent>\
            </message>
            """,
        ]
        for xml in cases {
            #expect(try ChatAccount.read(xml).ignoredReason == .malformedCarbon, "\(xml)")
        }
    }

    @Test("a nested carbon inside a genuine one is not unwrapped again")
    func nested() throws {
        // bob forwards a "carbon" inside the genuine copy of his message.
        let outer = """
            <message from='alice@example.com'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>\
            <message xmlns='jabber:client' from='bob@example.com/pc' to='alice@example.com/laptop'>\
            <received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>\
            <message xmlns='jabber:client' from='boss@example.com/pc'><body>inner</body></message>\
            </forwarded></received></message></forwarded></received></message>
            """
        let message = try #require(try ChatAccount.read(outer).message)
        #expect(message.direction == .receivedCarbon)
        #expect(message.peer == (try JID("bob@example.com/pc")))
        #expect(message.body == nil)   // the nested copy's body stays inside its wrapper
    }

    @Test("peer filter: genuine carbons with the peer pass; spoofed ones only as the spoofer's own messages")
    func peerFilter() throws {
        let reader = try ChatAccount.reader()
        let bob = try JID("bob@example.com")
        let received = try TestXML.element(carbon(from: "alice@example.com"))
        let sent = try TestXML.element(carbon(from: "alice@example.com", direction: "sent", copyFrom: "alice@example.com/laptop", copyTo: "bob@example.com"))
        let withCarol = try TestXML.element(carbon(from: "alice@example.com", copyFrom: "carol@example.com/x"))
        let spoofed = try TestXML.element(carbon(from: "mallory@evil.example"))
        #expect(reader.accepts(received, from: bob) && reader.accepts(sent, from: bob))
        #expect(!reader.accepts(withCarol, from: bob))
        #expect(!reader.accepts(spoofed, from: bob))
        #expect(reader.accepts(spoofed, from: try JID("mallory@evil.example")))   // then ignored by read()
    }

    @Test("CarbonCopy round trip; refuses another element and a wrapper without forwarded")
    func carbonCopy() throws {
        let copy = CarbonCopy(direction: .sent, forwarded: ForwardedMessage(message: Message(type: .chat, to: try JID("bob@example.com"), body: "x")))
        #expect(try CarbonCopy(element: copy.element) == copy)
        #expect(throws: StanzaParseError.self) { try CarbonCopy(element: TestXML.element("<enable xmlns='urn:xmpp:carbons:2'/>")) }
        #expect(throws: StanzaParseError.self) { try CarbonCopy(element: TestXML.element("<sent xmlns='urn:xmpp:carbons:2'/>")) }
        #expect(!CarbonCopy.matches(XMLQualifiedName("private", namespace: "urn:xmpp:carbons:2")))
    }
}
