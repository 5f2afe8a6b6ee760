import Testing
import XMPPCore

@testable import XMPP

/// The XEP-0198 elements: what the builders write, and how strictly the
/// parser reads what a server sends (security.md H87).
@Suite struct StreamManagementElementTests {
    // MARK: Building

    @Test("Builders write the urn:xmpp:sm:3 elements with their attributes")
    func builders() throws {
        #expect(
            StreamManagementElement.enable(resume: false, preferredMaximum: nil).element
                == (try SM.xml("<enable xmlns='urn:xmpp:sm:3'/>"))
        )
        #expect(
            StreamManagementElement.enable(resume: true, preferredMaximum: 300).element
                == (try SM.xml("<enable xmlns='urn:xmpp:sm:3' resume='true' max='300'/>"))
        )
        #expect(StreamManagementElement.requestAck.element == (try SM.xml("<r xmlns='urn:xmpp:sm:3'/>")))
        #expect(StreamManagementElement.ack(4_294_967_295).element == (try SM.xml("<a xmlns='urn:xmpp:sm:3' h='4294967295'/>")))
        #expect(
            StreamManagementElement.resume(previousID: "some-id", handled: 7).element
                == (try SM.xml("<resume xmlns='urn:xmpp:sm:3' previd='some-id' h='7'/>"))
        )
        #expect(
            StreamManagementElement.failed(StreamManagementFailure(handled: 2, condition: .itemNotFound)).element
                == (try SM.xml(
                    "<failed xmlns='urn:xmpp:sm:3' h='2'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>"
                ))
        )
    }

    @Test("Every element reads back as what was built")
    func roundTrip() throws {
        let elements: [StreamManagementElement] = [
            .enable(resume: false, preferredMaximum: nil),
            .enable(resume: true, preferredMaximum: 600),
            .enabled(StreamManagementEnabled()),
            .enabled(StreamManagementEnabled(id: "a b<&>'\"", resume: true, maximumResumption: 1, location: "[2001:db8::1]:5222")),
            .requestAck,
            .ack(0),
            .ack(StanzaCount(UInt32.max)),
            .resume(previousID: "x", handled: 12),
            .resumed(previousID: "x", handled: 0),
            .failed(StreamManagementFailure()),
            .failed(StreamManagementFailure(handled: 9, condition: .featureNotImplemented)),
        ]
        for element in elements {
            #expect(try StreamManagementElement(element: element.element) == element)
        }
    }

    // MARK: Parsing what servers send

    @Test("<enabled/> with every attribute, and with none")
    func enabled() throws {
        let full = try SM.parse(
            "<enabled xmlns='urn:xmpp:sm:3' id='some-long-sm-id' location='[2001:db8::1]:9222' resume='1' max='600'/>"
        )
        let expected = StreamManagementEnabled(id: "some-long-sm-id", resume: true, maximumResumption: 600, location: "[2001:db8::1]:9222")
        #expect(full == .enabled(expected))
        #expect(try SM.parse("<enabled xmlns='urn:xmpp:sm:3'/>") == .enabled(StreamManagementEnabled()))
        #expect(try SM.parse("<enabled xmlns='urn:xmpp:sm:3' resume='false' id=''/>") == .enabled(StreamManagementEnabled(id: "")))
    }

    @Test("<failed/> with h and a condition, with text beside it, and bare")
    func failed() throws {
        #expect(
            try SM.parse(
                "<failed xmlns='urn:xmpp:sm:3' h='3'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>"
            ) == .failed(StreamManagementFailure(handled: 3, condition: .itemNotFound))
        )
        #expect(
            try SM.parse(
                "<failed xmlns='urn:xmpp:sm:3'><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>gone</text>"
                    + "<unexpected-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>"
            ) == .failed(StreamManagementFailure(condition: .unexpectedRequest))
        )
        #expect(try SM.parse("<failed xmlns='urn:xmpp:sm:3'/>") == .failed(StreamManagementFailure()))
    }

    @Test("<r/>, <a/> and <resumed/> as servers send them; unknown attributes and text are ignored")
    func acks() throws {
        #expect(try SM.parse("<r xmlns='urn:xmpp:sm:3'/>") == .requestAck)
        #expect(try SM.parse("<a xmlns='urn:xmpp:sm:3' h='12' extra='x'>text</a>") == .ack(12))
        #expect(try SM.parse("<resumed xmlns='urn:xmpp:sm:3' h='0' previd='sm-1'/>") == .resumed(previousID: "sm-1", handled: 0))
    }

    @Test(
        "A valid h: digits only, up to 4294967295, leading zeros allowed",
        arguments: [("0", UInt32(0)), ("7", 7), ("007", 7), ("4294967295", .max), ("0000000000004294967295", .max)]
    )
    func validCounts(text: String, value: UInt32) throws {
        #expect(StreamManagementElement.parseCount(text) == StanzaCount(value))
        #expect(try SM.parse("<a xmlns='urn:xmpp:sm:3' h='\(text)'/>") == .ack(StanzaCount(value)))
    }

    @Test(
        "An invalid h is refused with a typed error: sign, overflow, spaces, empty, other digits",
        arguments: [
            "-1", "+5", "4294967296", "99999999999999999999", " 5", "5 ", "", " ", "0x10", "5.0", "1e3",
            "\u{0661}\u{0662}", "\u{FF15}", "five",
        ]
    )
    func invalidCounts(text: String) throws {
        #expect(StreamManagementElement.parseCount(text) == nil)
        for name in ["a", "resumed"] {
            let element = try SM.xml("<\(name) xmlns='urn:xmpp:sm:3' previd='sm-1' h='\(text)'/>")
            #expect(throws: StreamManagementParseError.invalidAttribute(element: name, attribute: "h", value: text)) {
                try StreamManagementElement(element: element)
            }
        }
        let failed = try SM.xml("<failed xmlns='urn:xmpp:sm:3' h='\(text)'/>")
        #expect(throws: StreamManagementParseError.invalidAttribute(element: "failed", attribute: "h", value: text)) {
            try StreamManagementElement(element: failed)
        }
    }

    @Test("Whitespace that survives XML normalisation (a character reference) is still refused")
    func escapedWhitespace() throws {
        #expect(StreamManagementElement.parseCount("5\t") == nil)
        let element = try SM.xml("<a xmlns='urn:xmpp:sm:3' h='5&#9;'/>")
        #expect(throws: StreamManagementParseError.invalidAttribute(element: "a", attribute: "h", value: "5\t")) {
            try StreamManagementElement(element: element)
        }
    }

    @Test("Missing h or previd, and an empty previd, are refused")
    func missingAttributes() throws {
        let cases: [(String, StreamManagementParseError)] = [
            ("<a xmlns='urn:xmpp:sm:3'/>", .missingAttribute(element: "a", attribute: "h")),
            ("<resumed xmlns='urn:xmpp:sm:3' previd='x'/>", .missingAttribute(element: "resumed", attribute: "h")),
            ("<resumed xmlns='urn:xmpp:sm:3' h='1'/>", .missingAttribute(element: "resumed", attribute: "previd")),
            ("<resumed xmlns='urn:xmpp:sm:3' h='1' previd=''/>", .invalidAttribute(element: "resumed", attribute: "previd", value: "")),
            ("<resume xmlns='urn:xmpp:sm:3' previd='x'/>", .missingAttribute(element: "resume", attribute: "h")),
        ]
        for (xml, expected) in cases {
            let element = try SM.xml(xml)
            #expect(throws: expected) { try StreamManagementElement(element: element) }
        }
    }

    @Test("Booleans are true, false, 1 or 0; max is a positive decimal, saturating at 2^32 − 1")
    func booleansAndMaximum() throws {
        for bad in ["yes", "TRUE", " true", ""] {
            let element = try SM.xml("<enabled xmlns='urn:xmpp:sm:3' resume='\(bad)'/>")
            #expect(throws: StreamManagementParseError.invalidAttribute(element: "enabled", attribute: "resume", value: bad)) {
                try StreamManagementElement(element: element)
            }
        }
        for bad in ["-5", "", "1.5", "0x10"] {
            let element = try SM.xml("<enabled xmlns='urn:xmpp:sm:3' max='\(bad)'/>")
            #expect(throws: StreamManagementParseError.invalidAttribute(element: "enabled", attribute: "max", value: bad)) {
                try StreamManagementElement(element: element)
            }
        }
        #expect(
            try SM.parse("<enabled xmlns='urn:xmpp:sm:3' max='99999999999999999999'/>")
                == .enabled(StreamManagementEnabled(maximumResumption: .max))
        )
        // Prosody with smacks_hibernation_time = 0 sends max='0': no window, not an error.
        for zero in ["0", "00"] {
            #expect(try SM.parse("<enabled xmlns='urn:xmpp:sm:3' max='\(zero)'/>") == .enabled(StreamManagementEnabled()))
        }
        for bad in ["0", "-5", "00"] {
            let element = try SM.xml("<enable xmlns='urn:xmpp:sm:3' max='\(bad)'/>")
            #expect(throws: StreamManagementParseError.invalidAttribute(element: "enable", attribute: "max", value: bad)) {
                try StreamManagementElement(element: element)
            }
        }
    }

    @Test("Other namespaces and unknown names are refused; the stream error is undefined-condition")
    func foreignElements() throws {
        let message = SM.message(1)
        #expect(throws: StreamManagementParseError.notStreamManagement(message.name)) {
            try StreamManagementElement(element: message)
        }
        #expect(!StreamManagementElement.isStreamManagement(message))
        let throttle = try SM.xml("<t xmlns='urn:xmpp:sm:3'/>")
        #expect(StreamManagementElement.isStreamManagement(throttle))
        #expect(throws: StreamManagementParseError.unknownElement(localName: "t")) {
            try StreamManagementElement(element: throttle)
        }
        #expect(StreamManagementParseError.unknownElement(localName: "t").streamError.condition == .undefinedCondition)
        let long = StreamManagementParseError.invalidAttribute(element: "a", attribute: "h", value: String(repeating: "9", count: 100))
        #expect(long.description.count < 100, "a hostile value is cut short in descriptions")
    }

    @Test("h too high maps to undefined-condition with <handled-count-too-high h send-count/>")
    func handledCountTooHighStreamError() throws {
        let error = StreamManagementError.handledCountTooHigh(handled: 10, sent: 8)
        let streamError = try #require(error.streamError)
        #expect(streamError.condition == .undefinedCondition)
        #expect(
            streamError.applicationCondition == (try SM.xml("<handled-count-too-high xmlns='urn:xmpp:sm:3' h='10' send-count='8'/>"))
        )
        #expect(StreamManagementError.previousIDMismatch.streamError?.condition == .undefinedCondition)
        #expect(StreamManagementError.queueFull(limit: 3).streamError == nil, "a full queue is ours, not the server's")
    }
}
