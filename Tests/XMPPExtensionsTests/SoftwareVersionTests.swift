import Testing
import XMPP
import XMPPCore
import XMPPExtensions

@Suite struct SoftwareVersionTests {
    let ns = "jabber:iq:version"

    @Test("The request is a get of an empty jabber:iq:version query")
    func payload() {
        #expect(SoftwareVersionRequest().type == .get)
        #expect(SoftwareVersionRequest().payload == XMLElement("query", namespace: ns))
    }

    @Test("A full answer: name, version, os")
    func full() throws {
        let answer = element("query", ns, texts: [("name", "Prosody"), ("version", "0.12.3"), ("os", "Linux")])
        let version = try SoftwareVersionRequest().response(from: result(answer))
        #expect(version == SoftwareVersion(name: "Prosody", version: "0.12.3", os: "Linux"))
    }

    @Test("os is optional; unknown children are ignored")
    func withoutOS() throws {
        let answer = element("query", ns, texts: [("version", "1"), ("name", "Bot"), ("extra", "x")])
        #expect(try SoftwareVersionRequest().response(from: result(answer)) == SoftwareVersion(name: "Bot", version: "1"))
    }

    @Test("Missing name or version, an empty result, another element: parse errors")
    func invalid() {
        let cases: [(IQ, StanzaParseError.Kind)] = [
            (result(element("query", ns, texts: [("version", "1")])), .missingChild),
            (result(element("query", ns, texts: [("name", "Bot")])), .missingChild),
            (result(nil), .missingChild),
            (result(element("query", "jabber:iq:other", texts: [("name", "a"), ("version", "1")])), .unexpectedElement),
            (result(element("version", ns, texts: [("name", "a"), ("version", "1")])), .unexpectedElement),
        ]
        for (iq, kind) in cases {
            #expect(performing: { try SoftwareVersionRequest().response(from: iq) }, throws: { ($0 as? StanzaParseError)?.kind == kind })
        }
    }

    @Test("The responder answers name and version, no os unless configured; round trip")
    func responder() throws {
        let plain = SoftwareVersionResponder(name: "EchoBot", version: "2.0")
        let answer = try #require(try plain.respond(to: request(SoftwareVersionRequest().payload)))
        #expect(answer.firstChild(named: "os", namespace: ns) == nil)
        #expect(try SoftwareVersion(element: answer) == SoftwareVersion(name: "EchoBot", version: "2.0"))
        #expect(plain.features == [ns])

        let withOS = SoftwareVersionResponder(name: "EchoBot", version: "2.0", os: "Linux")
        let answer2 = try #require(try withOS.respond(to: request(SoftwareVersionRequest().payload)))
        #expect(try SoftwareVersion(element: answer2).os == "Linux")
        #expect(throws: StanzaError(.badRequest)) { try plain.respond(to: request(SoftwareVersionRequest().payload, type: .set)) }
    }
}
