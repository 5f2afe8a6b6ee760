import Testing
import XMPP
import XMPPCore
import XMPPExtensions

@Suite struct DiscoTests {
    let info = "http://jabber.org/protocol/disco#info"
    let items = "http://jabber.org/protocol/disco#items"

    func feature(_ name: String) -> XMLNode {
        .element(XMLElement("feature", namespace: info, attributes: ["var": name]))
    }

    @Test("disco#info requests: an empty query, or one with a node")
    func infoPayload() {
        #expect(DiscoInfoRequest().type == .get)
        #expect(DiscoInfoRequest().payload == XMLElement("query", namespace: info))
        #expect(DiscoInfoRequest(node: "n").payload == XMLElement("query", namespace: info, attributes: ["node": "n"]))
        #expect(DiscoItemsRequest().payload == XMLElement("query", namespace: items))
        #expect(DiscoItemsRequest(node: "rooms").payload[attribute: "node"] == "rooms")
    }

    @Test("disco#info answer: identities with name and xml:lang, features, forms; junk ignored")
    func infoParse() throws {
        var identity = XMLElement("identity", namespace: info, attributes: ["category": "server", "type": "im", "name": "Prosody"])
        identity[attribute: XMLQualifiedName.xmlLang] = "en"
        let form = XMLElement("x", namespace: "jabber:x:data", attributes: ["type": "result"])
        let query = XMLElement("query", namespace: info, attributes: ["node": "n1"], children: [
            .element(identity),
            .element(XMLElement("identity", namespace: info, attributes: ["category": "pubsub", "type": "pep"])),
            feature("urn:xmpp:ping"), feature("jabber:iq:version"), feature("urn:xmpp:ping"),
            .element(form),
            .element(XMLElement("junk", namespace: "urn:other")),
            .text("  "),
        ])
        let parsed = try DiscoInfoRequest().response(from: result(query))
        #expect(parsed.node == "n1")
        #expect(parsed.identities == [
            DiscoIdentity(category: "server", type: "im", name: "Prosody", language: "en"),
            DiscoIdentity(category: "pubsub", type: "pep"),
        ])
        #expect(parsed.features == ["urn:xmpp:ping", "jabber:iq:version"])
        #expect(parsed.forms == [form])
        // What we write, we read back.
        #expect(try DiscoInfo(element: parsed.element) == parsed)
    }

    @Test("disco#info strictness: identity without category or type, feature without var, wrong element, empty result")
    func infoInvalid() {
        func query(_ child: XMLElement) -> XMLElement {
            XMLElement("query", namespace: info, children: [.element(child)])
        }
        let cases: [(XMLElement?, StanzaParseError.Kind)] = [
            (query(XMLElement("identity", namespace: info, attributes: ["type": "pc"])), .missingAttribute),
            (query(XMLElement("identity", namespace: info, attributes: ["category": "client", "type": ""])), .missingAttribute),
            (query(XMLElement("feature", namespace: info)), .missingAttribute),
            (XMLElement("query", namespace: items), .unexpectedElement),
            (nil, .missingChild),
        ]
        for (payload, kind) in cases {
            #expect(performing: { try DiscoInfoRequest().response(from: result(payload)) }, throws: { ($0 as? StanzaParseError)?.kind == kind })
        }
    }

    @Test("disco#items: jid, node, name; missing or invalid JIDs skipped")
    func itemsParse() throws {
        let query = XMLElement("query", namespace: items, children: [
            .element(XMLElement("item", namespace: items, attributes: ["jid": "conference.example.com", "name": "Chatrooms"])),
            .element(XMLElement("item", namespace: items, attributes: ["jid": "pubsub.example.com", "node": "news"])),
            .element(XMLElement("item", namespace: items, attributes: ["jid": "bad@@jid/"])),
            .element(XMLElement("item", namespace: items, attributes: ["name": "no jid"])),
            .element(XMLElement("item", namespace: info, attributes: ["jid": "wrong.namespace"])),
        ])
        let parsed = try DiscoItemsRequest().response(from: result(query))
        #expect(parsed == [
            DiscoItem(jid: try JID("conference.example.com"), name: "Chatrooms"),
            DiscoItem(jid: try JID("pubsub.example.com"), node: "news"),
        ])
        #expect(try DiscoItemsRequest().response(from: result(XMLElement("query", namespace: items))).isEmpty)
        #expect(throws: StanzaParseError.self) { try DiscoItemsRequest().response(from: result(nil)) }
        #expect(throws: StanzaParseError.self) { try DiscoItemsRequest().response(from: result(XMLElement("query", namespace: info))) }
        #expect(try DiscoItem.items(in: XMLElement("query", namespace: items, children: parsed.map { .element($0.element) })) == parsed)
    }

    @Test("The info responder advertises its identities, its own feature and every responder's, in one answer")
    func infoResponder() throws {
        let responders: [any IQResponder] = [
            PingResponder(), SoftwareVersionResponder(name: "Bot", version: "1"), EntityTimeResponder(), DiscoItemsResponder(),
        ]
        let responder = DiscoInfoResponder(
            identities: [DiscoIdentity(category: "client", type: "bot", name: "Bot")], features: ["urn:xmpp:receipts"], advertising: responders)
        let answer = try #require(try responder.respond(to: request(DiscoInfoRequest().payload)))
        let parsed = try DiscoInfo(element: answer)
        #expect(parsed.identities == [DiscoIdentity(category: "client", type: "bot", name: "Bot")])
        #expect(parsed.features == [info, items, "urn:xmpp:ping", "jabber:iq:version", "urn:xmpp:time", "urn:xmpp:receipts"])
        #expect(parsed.node == nil)
    }

    @Test("Info and items responders: a node is item-not-found, a set bad-request; items answers an empty list")
    func responderErrors() throws {
        let infoResponder = DiscoInfoResponder(identities: [DiscoIdentity(category: "client", type: "pc")])
        #expect(throws: StanzaError(.itemNotFound)) { try infoResponder.respond(to: request(DiscoInfoRequest(node: "x").payload)) }
        #expect(throws: StanzaError(.badRequest)) { try infoResponder.respond(to: request(DiscoInfoRequest().payload, type: .set)) }
        let itemsResponder = DiscoItemsResponder()
        let answer = try #require(try itemsResponder.respond(to: request(DiscoItemsRequest().payload)))
        #expect(try DiscoItem.items(in: answer).isEmpty)
        #expect(throws: StanzaError(.itemNotFound)) { try itemsResponder.respond(to: request(DiscoItemsRequest(node: "x").payload)) }
    }
}
