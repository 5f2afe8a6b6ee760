import Testing
import XMPP
import XMPPCore
import XMPPExtensions

@Suite struct EntityTimeTests {
    let ns = "urn:xmpp:time"

    @Test("The request is a get of <time xmlns='urn:xmpp:time'/>")
    func payload() {
        #expect(EntityTimeRequest().type == .get)
        #expect(EntityTimeRequest().payload == XMLElement("time", namespace: ns))
    }

    @Test("XEP-0202's example: tzo -06:00, utc 2006-12-19T17:58:35Z")
    func example() throws {
        let time = try EntityTimeRequest().response(from: result(element("time", ns, texts: [("tzo", "-06:00"), ("utc", "2006-12-19T17:58:35Z")])))
        #expect(time.tzo == "-06:00")
        #expect(time.utc == "2006-12-19T17:58:35Z")
        #expect(time.offsetSeconds == -6 * 3600)
        #expect((time.timestamp.year, time.timestamp.month, time.timestamp.day) == (2006, 12, 19))
        #expect((time.timestamp.hour, time.timestamp.minute, time.timestamp.second) == (17, 58, 35))
        #expect(time.timestamp.secondsSince1970 == 1_166_551_115)
    }

    @Test("Fractions, Z as offset, leap day")
    func variants() throws {
        let time = try EntityTime(element: element("time", ns, texts: [("tzo", "Z"), ("utc", "2024-02-29T00:00:00.123Z")]))
        #expect(time.offsetSeconds == 0)
        #expect(time.timestamp.nanosecond == 123_000_000)
        #expect(time.timestamp.description == "2024-02-29T00:00:00Z")
        #expect(try EntityTime(element: element("time", ns, texts: [("tzo", "+05:30"), ("utc", "1970-01-01T00:00:00Z")])).offsetSeconds == 19_800)
    }

    @Test("Missing parts and junk: parse errors", arguments: [
        ("+01:00", nil), (nil, "2006-12-19T17:58:35Z"),
        ("06:00", "2006-12-19T17:58:35Z"), ("+6:00", "2006-12-19T17:58:35Z"), ("+24:00", "2006-12-19T17:58:35Z"), ("+01:00x", "2006-12-19T17:58:35Z"),
        ("+01:00", "2006-12-19T17:58:35"), ("+01:00", "2006-12-19T17:58:35+01:00"), ("+01:00", "2023-02-29T00:00:00Z"),
        ("+01:00", "2006-13-19T17:58:35Z"), ("+01:00", "2006-12-19T24:00:00Z"), ("+01:00", "2006-12-19T17:58:35.Z"),
        ("+01:00", "２００６-12-19T17:58:35Z"), ("+01:00", ""), ("+01:00", "yesterday"),
    ] as [(String?, String?)])
    func invalid(tzo: String?, utc: String?) {
        var texts: [(String, String)] = []
        if let tzo { texts.append(("tzo", tzo)) }
        if let utc { texts.append(("utc", utc)) }
        #expect(throws: StanzaParseError.self) { try EntityTimeRequest().response(from: result(element("time", ns, texts: texts))) }
    }

    @Test("An empty result or another element is refused")
    func wrongPayload() {
        #expect(throws: StanzaParseError.self) { try EntityTimeRequest().response(from: result(nil)) }
        #expect(throws: StanzaParseError.self) {
            try EntityTimeRequest().response(from: result(element("query", ns, texts: [("tzo", "Z"), ("utc", "2006-12-19T17:58:35Z")])))
        }
    }

    @Test("Timestamps from seconds: epoch, before it, far ahead; round trip through text")
    func timestamps() throws {
        #expect(UTCTimestamp(secondsSince1970: 0).description == "1970-01-01T00:00:00Z")
        #expect(UTCTimestamp(secondsSince1970: -1).description == "1969-12-31T23:59:59Z")
        #expect(UTCTimestamp(secondsSince1970: 4_102_444_800).description == "2100-01-01T00:00:00Z")
        for seconds: Int64 in [0, -86_401, 951_782_400, 1_700_000_000, 253_402_300_799] {
            let stamp = UTCTimestamp(secondsSince1970: seconds)
            #expect(stamp.secondsSince1970 == seconds)
            #expect(UTCTimestamp(stamp.description) == stamp)
        }
        #expect(UTCTimestamp(secondsSince1970: 1) > UTCTimestamp(secondsSince1970: 0))
    }

    @Test("The responder answers from its clock; without the time zone it sends +00:00")
    func responder() throws {
        let fixed = EntityTime(timestamp: UTCTimestamp(secondsSince1970: 1_166_551_115), offsetSeconds: -6 * 3600)
        let responder = EntityTimeResponder { fixed }
        let answer = try #require(try responder.respond(to: request(EntityTimeRequest().payload)))
        #expect(answer.firstChild(named: "tzo", namespace: ns)?.text == "-06:00")
        #expect(answer.firstChild(named: "utc", namespace: ns)?.text == "2006-12-19T17:58:35Z")
        #expect(try EntityTime(element: answer) == fixed)
        #expect(responder.features == [ns])

        let hidden = try #require(try EntityTimeResponder(revealsTimeZone: false) { fixed }.respond(to: request(EntityTimeRequest().payload)))
        #expect(try EntityTime(element: hidden).tzo == "+00:00")
        #expect(throws: StanzaError(.badRequest)) { try responder.respond(to: request(EntityTimeRequest().payload, type: .set)) }
    }

    @Test("The system clock gives a time after 2024 that reads back")
    func systemClock() throws {
        let now = EntityTimeResponder.systemTime()
        #expect(now.timestamp.year >= 2024)
        #expect(try EntityTime(element: now.element).timestamp.secondsSince1970 == now.timestamp.secondsSince1970)
    }
}
