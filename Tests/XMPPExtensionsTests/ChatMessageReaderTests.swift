import Testing
import XMPPCore

@testable import XMPPExtensions

@Suite struct ChatMessageReaderTests {
    @Test("a chat message: every payload read into the ChatMessage")
    func payloads() throws {
        let reading = try ChatAccount.read("""
            <message from='bob@example.com/pc' to='alice@example.com/phone' id='m1' type='chat' xml:lang='en'>\
            <body>/me waves</body><thread>t1</thread>\
            <origin-id xmlns='urn:xmpp:sid:0' id='o1'/>\
            <delay xmlns='urn:xmpp:delay' stamp='2020-01-01T10:00:00Z'/>\
            <delay xmlns='urn:xmpp:delay' stamp='2020-01-01T09:00:00Z' from='example.com'/>\
            <composing xmlns='http://jabber.org/protocol/chatstates'/>\
            <request xmlns='urn:xmpp:receipts'/>\
            <received xmlns='urn:xmpp:receipts' id='earlier'/>\
            <replace xmlns='urn:xmpp:message-correct:0' id='m0'/>\
            <reactions xmlns='urn:xmpp:reactions:0' id='m0'><reaction>👍</reaction></reactions></message>
            """)
        let message = try #require(reading.message)
        #expect(message.direction == .incoming && !message.isCarbonCopy)
        #expect(message.id == "m1")
        #expect(message.body == "/me waves")
        #expect(message.meAction?.text == "waves")
        #expect(message.message.thread == Message.Thread("t1"))
        #expect(message.message.language == "en")
        #expect(message.peer == (try JID("bob@example.com/pc")))
        #expect(message.originID == OriginID(id: "o1"))
        #expect(message.delay?.from == (try JID("example.com")))   // the earliest
        #expect(message.chatState == .composing)
        #expect(message.requestsReceipt)
        #expect(message.receipt == DeliveryReceipt(id: "earlier"))
        #expect(message.correction == MessageCorrection(replacedID: "m0"))
        #expect(message.reactions == MessageReactions(messageID: "m0", emojis: ["👍"]))
        #expect(message.stanzaID == nil)
    }

    @Test("malformed payloads read as absent and the message still arrives")
    func malformedPayloads() throws {
        let message = try #require(try ChatAccount.read("""
            <message from='bob@example.com/pc' type='chat'><body>hi</body>\
            <active xmlns='http://jabber.org/protocol/chatstates'/><gone xmlns='http://jabber.org/protocol/chatstates'/>\
            <received xmlns='urn:xmpp:receipts'/><replace xmlns='urn:xmpp:message-correct:0'/>\
            <delay xmlns='urn:xmpp:delay' stamp='soon'/><origin-id xmlns='urn:xmpp:sid:0'/></message>
            """).message)
        #expect(message.body == "hi")
        #expect(message.chatState == nil && message.receipt == nil && message.correction == nil)
        #expect(message.delay == nil && message.originID == nil)
    }

    @Test("not a message, or a message that does not parse: ignored with the reason")
    func ignored() throws {
        #expect(try ChatAccount.read("<presence from='bob@example.com/pc'/>").ignoredReason == .notAMessage)
        let reason = try ChatAccount.read("<message from='bob@@example.com'><body>x</body></message>").ignoredReason
        guard case .unparsable(let error)? = reason else {
            Issue.record("expected unparsable, got \(String(describing: reason))")
            return
        }
        #expect(error.kind == .malformedAddress)
    }

    @Test("stanza-id by our bare JID: kept only when the account vouches for stanza-ids")
    func trustedStanzaID() throws {
        let reading = try ChatAccount.read("""
            <message from='bob@example.com/pc' type='chat'><body>hi</body>\
            <stanza-id xmlns='urn:xmpp:sid:0' id='archive-7' by='alice@example.com'/></message>
            """)
        #expect(reading.resolved(trustingStanzaIDs: true)?.stanzaID == StanzaID(id: "archive-7", by: try JID("alice@example.com")))
        #expect(reading.resolved(trustingStanzaIDs: false)?.stanzaID == nil)
        #expect(reading.resolved(trustingStanzaIDs: false)?.body == "hi")
    }

    @Test("spoofed stanza-ids are dropped even when the account vouches: another by, our full JID, the domain, two by us")
    func spoofedStanzaIDs() throws {
        let spoofs = [
            "<stanza-id xmlns='urn:xmpp:sid:0' id='s' by='bob@example.com'/>",
            "<stanza-id xmlns='urn:xmpp:sid:0' id='s' by='alice@example.com/phone'/>",
            "<stanza-id xmlns='urn:xmpp:sid:0' id='s' by='example.com'/>",
            "<stanza-id xmlns='urn:xmpp:sid:0' id='s' by='alice@evil.example'/>",
            "<stanza-id xmlns='urn:xmpp:sid:0' id='s1' by='alice@example.com'/><stanza-id xmlns='urn:xmpp:sid:0' id='s2' by='alice@example.com'/>",
            "<stanza-id xmlns='urn:xmpp:sid:0' by='alice@example.com'/>",
        ]
        for spoof in spoofs {
            let reading = try ChatAccount.read("<message from='mallory@evil.example/x' type='chat'><body>hi</body>\(spoof)</message>")
            let message = try #require(reading.resolved(trustingStanzaIDs: true), "\(spoof)")
            #expect(message.stanzaID == nil, "\(spoof)")
        }
    }

    @Test("peer filter: bare peer matches every resource, full peer one; other senders and non-messages refused")
    func peerFilter() throws {
        let reader = try ChatAccount.reader()
        let fromPC = try TestXML.element("<message from='bob@example.com/pc'><body>x</body></message>")
        let fromPhone = try TestXML.element("<message from='Bob@Example.com/phone'><body>x</body></message>")
        let fromCarol = try TestXML.element("<message from='carol@example.com/pc'><body>x</body></message>")
        let noFrom = try TestXML.element("<message><body>x</body></message>")
        let presence = try TestXML.element("<presence from='bob@example.com/pc'/>")
        let bob = try JID("bob@example.com")
        let bobPC = try JID("bob@example.com/pc")
        #expect(reader.accepts(fromPC, from: bob) && reader.accepts(fromPhone, from: bob))
        #expect(reader.accepts(fromPC, from: bobPC) && !reader.accepts(fromPhone, from: bobPC))
        #expect(!reader.accepts(fromCarol, from: bob) && !reader.accepts(noFrom, from: bob))
        #expect(reader.accepts(fromCarol, from: nil) && reader.accepts(noFrom, from: nil))
        #expect(!reader.accepts(presence, from: nil) && !reader.accepts(presence, from: bob))
    }
}
