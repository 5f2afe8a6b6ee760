import Testing
import XMPP
import XMPPCore
import XMPPExtensions

@Suite struct PingTests {
    @Test("The request is a get of <ping xmlns='urn:xmpp:ping'/>")
    func payload() {
        let ping = PingRequest()
        #expect(ping.type == .get)
        #expect(ping.payload == XMLElement("ping", namespace: "urn:xmpp:ping"))
    }

    @Test("The responder answers a get with an empty result and advertises urn:xmpp:ping")
    func responder() throws {
        let responder = PingResponder()
        #expect(try responder.respond(to: request(PingRequest().payload)) == nil)
        #expect(responder.features == ["urn:xmpp:ping"])
        #expect(responder.payload == XMLQualifiedName("ping", namespace: "urn:xmpp:ping"))
    }

    @Test("A set is refused with bad-request")
    func set() {
        #expect(throws: StanzaError(.badRequest)) {
            try PingResponder().respond(to: request(PingRequest().payload, type: .set))
        }
    }
}
