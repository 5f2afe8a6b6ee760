import Testing
import XMPPCore

@testable import XMPPExtensions

@Suite struct MessagePayloadTests {
    @Test("origin-id and stanza-id read, write and refuse a missing id, a missing or malformed by")
    func stanzaIdentifiers() throws {
        let origin = try OriginID(element: TestXML.element("<origin-id xmlns='urn:xmpp:sid:0' id='abc'/>"))
        #expect(origin == OriginID(id: "abc"))
        #expect(try OriginID(element: origin.element) == origin)

        let stanza = try StanzaID(element: TestXML.element("<stanza-id xmlns='urn:xmpp:sid:0' id='x1' by='alice@example.com'/>"))
        #expect(stanza == StanzaID(id: "x1", by: try JID("alice@example.com")))
        #expect(try StanzaID(element: stanza.element) == stanza)

        let refusals: [(String, StanzaParseError.Kind, String)] = [
            ("<origin-id xmlns='urn:xmpp:sid:0'/>", .missingAttribute, "id"),
            ("<origin-id xmlns='urn:xmpp:sid:0' id=''/>", .missingAttribute, "id"),
            ("<stanza-id xmlns='urn:xmpp:sid:0' by='alice@example.com'/>", .missingAttribute, "id"),
            ("<stanza-id xmlns='urn:xmpp:sid:0' id='x'/>", .missingAttribute, "by"),
            ("<stanza-id xmlns='urn:xmpp:sid:0' id='x' by='a@b@c'/>", .malformedAddress, "by"),
        ]
        for (xml, kind, subject) in refusals {
            let element = try TestXML.element(xml)
            let error = #expect(throws: StanzaParseError.self, "\(xml)") {
                if element.name.localName == "origin-id" { _ = try OriginID(element: element) } else { _ = try StanzaID(element: element) }
            }
            #expect(error?.kind == kind, "\(xml)")
            #expect(error?.subject == subject, "\(xml)")
        }
        #expect(throws: StanzaParseError.unexpectedElement(XMLQualifiedName("origin-id", namespace: "urn:xmpp:sid:1"))) {
            try OriginID(element: TestXML.element("<origin-id xmlns='urn:xmpp:sid:1' id='a'/>"))
        }
    }

    @Test("fresh origin-ids look like version-4 UUIDs, differ, and follow the generator")
    func randomOriginIDs() {
        let ids = (0..<100).map { _ in OriginID.random().id }
        #expect(Set(ids).count == 100)
        for id in ids {
            let groups = id.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
            #expect(groups == [8, 4, 4, 4, 12], "\(id)")
            #expect(id.allSatisfy { "0123456789abcdef-".contains($0) }, "\(id)")
            #expect(Array(id)[14] == "4", "\(id)")
            #expect("89ab".contains(Array(id)[19]), "\(id)")
        }
        var zeros = FixedBitsGenerator(value: 0)
        #expect(OriginID.random(using: &zeros).id == "00000000-0000-4000-8000-000000000000")
    }

    @Test("delay: stamp, from and reason read; bad stamps and addresses refused; written back")
    func delay() throws {
        let delay = try DelayedDelivery(element: TestXML.element(
            "<delay xmlns='urn:xmpp:delay' from='example.com' stamp='2002-09-10T23:08:25.120Z'>Offline Storage</delay>"))
        #expect(delay.stamp.secondsSince1970 == 1_031_699_305)
        #expect(delay.stamp.nanosecond == 120_000_000)
        #expect(delay.from == (try JID("example.com")))
        #expect(delay.reason == "Offline Storage")
        let plain = try DelayedDelivery(element: TestXML.element("<delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25Z'/>"))
        #expect(plain.from == nil && plain.reason == nil)
        #expect(try DelayedDelivery(element: plain.element) == plain)
        #expect(try DelayedDelivery(element: delay.element).reason == "Offline Storage")

        let refusals: [(String, StanzaParseError.Kind)] = [
            ("<delay xmlns='urn:xmpp:delay'/>", .missingAttribute),
            ("<delay xmlns='urn:xmpp:delay' stamp='yesterday'/>", .invalidAttribute),
            ("<delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25+02:00'/>", .invalidAttribute),
            ("<delay xmlns='urn:xmpp:delay' stamp='2002-02-30T23:08:25Z'/>", .invalidAttribute),
            ("<delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25Z' from='@example.com'/>", .malformedAddress),
            ("<delay xmlns='jabber:x:delay' stamp='2002-09-10T23:08:25Z'/>", .unexpectedElement),
        ]
        for (xml, kind) in refusals {
            let element = try TestXML.element(xml)
            let error = #expect(throws: StanzaParseError.self, "\(xml)") { try DelayedDelivery(element: element) }
            #expect(error?.kind == kind, "\(xml)")
        }
    }

    @Test("chat states: the five read and write; an unknown state or another namespace is refused")
    func chatStates() throws {
        for state in ChatState.allCases {
            #expect(try ChatState(element: state.element) == state)
            #expect(state.element.name == XMLQualifiedName(state.rawValue, namespace: ChatState.namespace))
        }
        #expect(try ChatState(element: TestXML.element("<composing xmlns='http://jabber.org/protocol/chatstates'/>")) == .composing)
        #expect(throws: StanzaParseError.self) {
            try ChatState(element: TestXML.element("<typing xmlns='http://jabber.org/protocol/chatstates'/>"))
        }
        #expect(throws: StanzaParseError.self) { try ChatState(element: TestXML.element("<active xmlns='urn:other'/>")) }
    }

    @Test("receipts: request and received with id; a received without id does not read")
    func receipts() throws {
        #expect(try DeliveryReceiptRequest(element: TestXML.element("<request xmlns='urn:xmpp:receipts'/>")) == DeliveryReceiptRequest())
        let receipt = try DeliveryReceipt(element: TestXML.element("<received xmlns='urn:xmpp:receipts' id='m-1'/>"))
        #expect(receipt.id == "m-1")
        #expect(try DeliveryReceipt(element: receipt.element) == receipt)
        let error = #expect(throws: StanzaParseError.self) {
            try DeliveryReceipt(element: TestXML.element("<received xmlns='urn:xmpp:receipts'/>"))
        }
        #expect(error?.kind == .missingAttribute)
        #expect(throws: StanzaParseError.self) { try DeliveryReceiptRequest(element: TestXML.element("<received xmlns='urn:xmpp:receipts' id='a'/>")) }
    }

    @Test("correction: replace id read and written; no id refused")
    func correction() throws {
        let correction = try MessageCorrection(element: TestXML.element("<replace xmlns='urn:xmpp:message-correct:0' id='bad1'/>"))
        #expect(correction.replacedID == "bad1")
        #expect(try MessageCorrection(element: correction.element) == correction)
        #expect(throws: StanzaParseError.self) { try MessageCorrection(element: TestXML.element("<replace xmlns='urn:xmpp:message-correct:0'/>")) }
    }

    @Test("processing hints: the four known, an unknown one refused")
    func hints() throws {
        for hint in MessageProcessingHint.allCases { #expect(try MessageProcessingHint(element: hint.element) == hint) }
        #expect(throws: StanzaParseError.self) { try MessageProcessingHint(element: TestXML.element("<no-fun xmlns='urn:xmpp:hints'/>")) }
    }

    @Test("payload accessors: one of a kind, duplicates refused, malformed skipped, set replaces, add keeps others")
    func accessors() throws {
        var message = try TestXML.message("""
            <message to='bob@example.com'><body>hi</body>\
            <active xmlns='http://jabber.org/protocol/chatstates'/>\
            <stanza-id xmlns='urn:xmpp:sid:0' id='1' by='example.com'/>\
            <stanza-id xmlns='urn:xmpp:sid:0' id='2'/>\
            <stanza-id xmlns='urn:xmpp:sid:0' id='3' by='room@muc.example.com'/>\
            <composing xmlns='http://jabber.org/protocol/chatstates'/></message>
            """)
        #expect(throws: StanzaParseError.self) { try message.payload(ChatState.self) }
        #expect(message.payloads(StanzaID.self).map(\.id) == ["1", "3"])
        #expect(try message.payload(OriginID.self) == nil)

        message.setPayload(ChatState.paused)
        #expect(try message.payload(ChatState.self) == .paused)
        #expect(message.body == "hi")
        message.addPayload(MessageProcessingHint.noCopy)
        message.addPayload(MessageProcessingHint.store)
        message.addPayload(MessageProcessingHint.noCopy)
        #expect(message.payloads(MessageProcessingHint.self) == [.noCopy, .store])
        message.removePayloads(StanzaID.self)
        #expect(!message.extensions.contains { StanzaID.matches($0.name) })
        // A malformed one-of-a-kind payload throws rather than reading as absent.
        let broken = try TestXML.message("<message><replace xmlns='urn:xmpp:message-correct:0'/></message>")
        #expect(throws: StanzaParseError.self) { try broken.payload(MessageCorrection.self) }
    }

    @Test("forwarded: message and delay read; no message, two messages, a broken message refused")
    func forwarded() throws {
        let forwarded = try ForwardedMessage(element: TestXML.element("""
            <forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>\
            <message xmlns='jabber:client' from='bob@example.com/pc' type='chat'><body>yo</body></message></forwarded>
            """))
        #expect(forwarded.message.body == "yo")
        #expect(forwarded.message.from == (try JID("bob@example.com/pc")))
        #expect(forwarded.delay?.stamp.description == "2010-07-10T23:08:25Z")
        #expect(try ForwardedMessage(element: forwarded.element) == forwarded)

        let refusals: [(String, StanzaParseError.Kind)] = [
            ("<forwarded xmlns='urn:xmpp:forward:0'/>", .missingChild),
            ("<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client'/><message xmlns='jabber:client'/></forwarded>", .invalidChild),
            ("<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='@x'/></forwarded>", .malformedAddress),
            ("<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='urn:other'/></forwarded>", .missingChild),
        ]
        for (xml, kind) in refusals {
            let element = try TestXML.element(xml)
            let error = #expect(throws: StanzaParseError.self, "\(xml)") { try ForwardedMessage(element: element) }
            #expect(error?.kind == kind, "\(xml)")
        }
    }
}
