import Testing
import XMPPCore

@Suite("LanguageTaggedText")
struct StanzaLanguageTaggedTextTests {
    let texts = [
        LanguageTaggedText("Hello"),
        LanguageTaggedText("Bonjour", language: "fr"),
        LanguageTaggedText("Grüezi", language: "de-CH"),
    ]

    @Test("Lookup by tag is case-insensitive; nil finds the untagged text")
    func lookup() {
        #expect(texts.text(forLanguage: nil) == "Hello")
        #expect(texts.text(forLanguage: "FR") == "Bonjour")
        #expect(texts.text(forLanguage: "de-ch") == "Grüezi")
        #expect(texts.text(forLanguage: "de") == nil)
    }

    @Test("setText replaces in place, appends, and removes")
    func setText() {
        var copy = texts
        copy.setText("Salut", forLanguage: "Fr")
        #expect(copy[1] == LanguageTaggedText("Salut", language: "fr"))
        copy.setText("Ciao", forLanguage: "it")
        #expect(copy.last == LanguageTaggedText("Ciao", language: "it"))
        copy.setText(nil, forLanguage: nil)
        #expect(copy.text(forLanguage: nil) == nil)
        #expect(copy.count == 3)
        copy.setText(nil, forLanguage: "xx")
        #expect(copy.count == 3)
    }

    @Test("An empty text round-trips through a message as an empty body")
    func emptyText() throws {
        let message = Message(bodies: [LanguageTaggedText("")])
        #expect(try Message(element: message.element).bodies == [LanguageTaggedText("")])
    }
}
