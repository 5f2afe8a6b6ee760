import Testing
import XMPPCore
import XMPPExtensions

/// The `<c/>` annotation in presence, and the disco#info responder that
/// answers for `node#ver`.
@Suite struct CapsAnnotationTests {
    @Test("A presence's <c/> reads with node, ver and hash; written back the same")
    func readsPresence() throws {
        let presence = try Presence(element: TestXML.element("""
            <presence from='romeo@montague.lit/orchard'>
              <x xmlns='vcard-temp:x:update'><photo/></x>
              <c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://code.google.com/p/exodus' ver='QgayPKawpkPSDYmwT/WM94uAlu0='/>
            </presence>
            """))
        let caps = try #require(presence.capabilities)
        #expect(caps == EntityCapabilities(node: "http://code.google.com/p/exodus", verification: "QgayPKawpkPSDYmwT/WM94uAlu0="))
        #expect(caps.hashAlgorithm == .sha1)
        #expect(caps.discoNode == "http://code.google.com/p/exodus#QgayPKawpkPSDYmwT/WM94uAlu0=")
        #expect(try EntityCapabilities(element: caps.element) == caps)
        #expect(caps.element[attribute: "hash"] == "sha-1")
    }

    @Test("No annotation: none, one without node or ver, one in another namespace; legacy has no hash")
    func missingOrLegacy() throws {
        let cases = [
            "<presence/>",
            "<presence><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' ver='abc='/></presence>",
            "<presence><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver=''/></presence>",
            "<presence><c xmlns='urn:other' hash='sha-1' node='n' ver='v'/></presence>",
        ]
        for xml in cases {
            #expect(try Presence(element: TestXML.element(xml)).capabilities == nil, "\(xml)")
        }
        let legacy = try Presence(element: TestXML.element(
            "<presence><c xmlns='http://jabber.org/protocol/caps' node='http://psi-im.org/caps' ver='0.11' ext='voice'/></presence>"))
        #expect(legacy.capabilities?.hashAlgorithm == nil)
        #expect(legacy.capabilities?.element[attribute: "hash"] == nil)
    }

    @Test("advertising: the annotation's ver is the hash of the disco#info answer")
    func advertising() throws {
        let caps = try EntityCapabilities(advertising: CapsVerificationTests.simple, node: "http://code.google.com/p/exodus")
        #expect(caps.verification == "QgayPKawpkPSDYmwT/WM94uAlu0=" && caps.hashAlgorithm == .sha1)
    }

    @Test("The info responder answers for its caps node (echoing it) as for no node; other nodes are item-not-found")
    func responderAnswersCapsNode() throws {
        var responder = DiscoInfoResponder(identities: [DiscoIdentity(category: "client", type: "bot")], features: [EntityCapabilities.namespace])
        let caps = try EntityCapabilities(advertising: responder.info, node: "https://example.com/bot")
        responder.capabilitiesNode = caps.discoNode
        let answer = try #require(try responder.respond(to: request(DiscoInfoRequest(node: caps.discoNode).payload)))
        #expect(answer[attribute: "node"] == caps.discoNode)
        // What it answers hashes to what it advertises.
        #expect(try caps.verify(answer).features == responder.info.features)
        #expect(try responder.respond(to: request(DiscoInfoRequest().payload))?[attribute: "node"] == nil)
        #expect(throws: StanzaError(.itemNotFound)) { try responder.respond(to: request(DiscoInfoRequest(node: "https://example.com/bot#other").payload)) }
    }
}
