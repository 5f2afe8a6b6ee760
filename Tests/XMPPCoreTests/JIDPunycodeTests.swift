import Testing
@testable import XMPPCore

@Suite("JID Punycode")
struct JIDPunycodeTests {
    @Test("RFC 3492 samples and common labels", arguments: [
        ("bücher", "bcher-kva"),
        ("café", "caf-dma"),
        ("münchen", "mnchen-3ya"),
        ("ü", "tda"),
        ("mañana", "maana-pta"),
        ("☃", "n3h"),
        ("💩", "ls8h"),
        ("他们为什么不说中文", "ihqwcrb4cv8a8dqg056pqjye"),
        ("3年B組金八先生", "3B-ww4c5e180e575a65lsy2b"),
        ("ليهمابتكلموشعربي؟", "egbpdaj6bu4bxfgehfvwxn"),
    ])
    func roundTrip(unicode: String, encoded: String) {
        let scalars = Array(unicode.unicodeScalars)
        #expect(Punycode.encode(scalars) == encoded)
        #expect(Punycode.decode(Substring(encoded).utf8) == scalars)
        #expect(Punycode.decode(Substring(encoded.uppercased()).utf8)?.count == scalars.count)
    }

    @Test("malformed Punycode is refused", arguments: ["a!", "99999999999999a", "zzzzzzzzzzzzzzzzzzzz", "é-a", "-9"])
    func malformed(input: String) {
        #expect(Punycode.decode(Substring(input).utf8) == nil)
    }
}
