import Testing
import XMPPCore

@testable import XMPPExtensions

@Suite struct MessagePayloadReactionTests {
    @Test("single emoji: pictographs, skin tones, ZWJ sequences, flags, keycaps, VS16", arguments: [
        "👍", "👍🏽", "❤️", "1️⃣", "#️⃣", "🏳️‍🌈", "👩‍👩‍👧", "🇫🇷", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "🐢", "☺️",
    ])
    func singleEmoji(_ text: String) {
        #expect(MessageReactions.isSingleEmoji(text))
    }

    @Test("not a single emoji: text, digits, text presentation, two emoji, padding, empty", arguments: [
        "a", "1", "#", "❤", "☺", "👍👍", "👍 ", " 👍", "", "+1", "👍\u{0301}", "🇫",
    ])
    func notSingleEmoji(_ text: String) {
        #expect(!MessageReactions.isSingleEmoji(text))
    }

    @Test("reactions: id and emoji read; invalid and repeated reactions left out; empty set; written sorted")
    func reactions() throws {
        let reactions = try MessageReactions(element: TestXML.element("""
            <reactions xmlns='urn:xmpp:reactions:0' id='744f6e18'>\
            <reaction>👋</reaction><reaction>🐢</reaction><reaction>👋</reaction>\
            <reaction>hello</reaction><reaction>👍👍</reaction><reaction><b xmlns='urn:x'>👍</b></reaction>\
            <reaction xmlns='urn:other'>😀</reaction></reactions>
            """))
        #expect(reactions == MessageReactions(messageID: "744f6e18", emojis: ["👋", "🐢"]))
        #expect(try MessageReactions(element: reactions.element) == reactions)
        let texts = reactions.element.elements.map(\.text)
        #expect(texts == texts.sorted())

        let none = try MessageReactions(element: TestXML.element("<reactions xmlns='urn:xmpp:reactions:0' id='x'/>"))
        #expect(none.emojis.isEmpty)

        let error = #expect(throws: StanzaParseError.self) {
            try MessageReactions(element: TestXML.element("<reactions xmlns='urn:xmpp:reactions:0'><reaction>👍</reaction></reactions>"))
        }
        #expect(error?.kind == .missingAttribute)
        // XEP-0444: one <reactions/> per message; a second makes it unreadable.
        let twice = try TestXML.message("""
            <message><reactions xmlns='urn:xmpp:reactions:0' id='a'/><reactions xmlns='urn:xmpp:reactions:0' id='b'/></message>
            """)
        #expect(ChatMessage(message: twice).reactions == nil)
    }

    @Test("/me: an action only at the very start, exactly '/me ', with something after it")
    func meAction() {
        #expect(MeAction(body: "/me shrugs in disgust")?.text == "shrugs in disgust")
        #expect(MeAction(body: "/me  two spaces")?.text == " two spaces")
        for body in ["/me", "/me ", "/ME waves", " /me waves", "/mewaves", "say /me waves", "/me\twaves"] as [String?] + [nil] {
            #expect(MeAction(body: body) == nil, "\(body ?? "nil")")
        }
    }
}
