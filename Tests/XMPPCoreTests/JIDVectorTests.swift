import Testing
import XMPPCore

/// A string that must parse, and its normalised form.
struct ValidJIDVector: Sendable, CustomTestStringConvertible {
    var input: String
    var normalized: String
    var note: String

    init(_ input: String, _ normalized: String? = nil, _ note: String = "") {
        self.input = input
        self.normalized = normalized ?? input
        self.note = note
    }

    var testDescription: String { note.isEmpty ? input : "\(input) (\(note))" }
}

/// A string that must be refused, and the exact error.
struct InvalidJIDVector: Sendable, CustomTestStringConvertible {
    var input: String
    var error: JIDError
    var note: String

    init(_ input: String, _ part: JIDError.Part, _ kind: JIDError.Kind, _ note: String = "") {
        self.input = input
        self.error = JIDError(part, kind)
        self.note = note
    }

    var testDescription: String { note.isEmpty ? input : "\(input) (\(note))" }
}

let validJIDVectors: [ValidJIDVector] = [
    // RFC 7622 §3.5.1, examples 1–15.
    .init("juliet@example.com"),
    .init("juliet@example.com/foo"),
    .init("juliet@example.com/foo bar", nil, "space in resourcepart"),
    .init("juliet@example.com/foo@bar", nil, "@ in resourcepart"),
    .init("foo\\20bar@example.com", nil, "XEP-0106 escaping is just ASCII"),
    .init("fussball@example.com"),
    .init("fußball@example.com", nil, "ß is PVALID, not folded to ss"),
    .init("π@example.com"),
    .init("Σ@example.com/foo", "σ@example.com/foo", "lone capital sigma lowercases to σ"),
    .init("σ@example.com/foo"),
    .init("ς@example.com/foo", nil, "final sigma stays distinct"),
    .init("king@example.com/♚", nil, "symbol in resourcepart"),
    .init("example.com"),
    .init("example.com/foobar"),
    .init("a.example.com/b@example.net", nil, "domain-only with @ in resource"),
    // RFC 7622 example 18 calls this invalid ("leading space"), but neither
    // RFC 7622 nor OpaqueString (RFC 8265) has any rule against it.
    .init("juliet@example.com/ foo", nil, "leading space in resourcepart"),
    // Normalisation.
    .init("Juliet@Example.COM/Balcony", "juliet@example.com/Balcony", "case: localpart and domain only"),
    .init("ＪＵＬＩＥＴ@example.com", "juliet@example.com", "fullwidth localpart"),
    .init("juliet@ｅｘａｍｐｌｅ．ｃｏｍ", "juliet@example.com", "fullwidth domain and full stop"),
    .init("ｶﾞ@example.com", "ガ@example.com", "halfwidth katakana + voiced mark compose"),
    .init("e\u{301}@example.com", "\u{E9}@example.com", "NFC in localpart"),
    .init("juliet@example.com/\u{212B}", "juliet@example.com/\u{C5}", "NFC singleton in resourcepart"),
    .init("juliet@example.com/\u{FB01}", nil, "resourcepart keeps compatibility characters"),
    .init("juliet@example.com/foo\u{2003}bar", "juliet@example.com/foo bar", "non-ASCII space mapped"),
    .init("ΟΔΟΣ@example.com", "οδος@example.com", "Final_Sigma context"),
    .init("juliet@example.com.", "juliet@example.com", "trailing dot"),
    .init("example.com./r", "example.com/r", "trailing dot before resource"),
    .init("juliet@example\u{3002}com", "juliet@example.com", "ideographic full stop"),
    .init("juliet@example\u{FF61}com", "juliet@example.com", "halfwidth ideographic full stop"),
    .init("juliet@xn--caf-dma.example", "juliet@café.example", "A-label decoded"),
    .init("juliet@XN--CAF-DMA.example", "juliet@café.example", "A-label, upper case"),
    .init("juliet@CAFÉ.example", "juliet@café.example", "U-label lower-cased"),
    .init("juliet@bu\u{308}cher.example", "juliet@bücher.example", "U-label NFC"),
    .init("juliet@192.168.0.1/r", nil, "IPv4 literal"),
    .init("juliet@[2001:DB8::1]/r", "juliet@[2001:db8::1]/r", "IPv6 literal lower-cased"),
    .init("[::1]", nil, "IPv6 loopback"),
    .init("[::ffff:192.0.2.1]", nil, "IPv6 with embedded IPv4"),
    .init("[2001:db8:0:0:0:0:0:1]", nil, "IPv6 uncompressed"),
    .init("juliet@example.com/a/b/c", nil, "/ in resourcepart"),
    .init("juliet@example.com//", nil, "resourcepart is a slash"),
    .init("l·l@example.com", nil, "middle dot between l and l (CONTEXTO)"),
    .init("\u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0647}\u{0645}@example.com", nil, "Persian ZWNJ (CONTEXTJ)"),
    .init("\u{0915}\u{094D}\u{200D}\u{0937}@example.com", nil, "ZWJ after virama (CONTEXTJ)"),
    .init("\u{05D0}\u{05D1}@example.com", nil, "right-to-left localpart"),
    .init("\u{05D0}1@example.com", nil, "right-to-left localpart ending in a digit"),
    .init("\u{05D0}\u{05D1}@\u{05D0}\u{05D1}.example", nil, "right-to-left label"),
    .init("foo_bar@do_main.example", nil, "underscores (liberal ASCII labels)"),
    .init("a!#$%*+=?^`{|}~@example.com", nil, "ASCII punctuation in localpart"),
    .init("\u{0130}@example.com", "i\u{307}@example.com", "İ lower-cases to i + dot above"),
    .init("user@例え.テスト", nil, "Japanese domain"),
]

let invalidJIDVectors: [InvalidJIDVector] = [
    // RFC 7622 §3.5.2.
    .init("\"juliet\"@example.com", .localpart, .forbiddenCharacter("\""), "quotation marks"),
    .init("foo bar@example.com", .localpart, .forbiddenCharacter(" "), "space in localpart"),
    .init("@example.com/", .resourcepart, .empty, "empty resourcepart and localpart"),
    .init("henryⅣ@example.com/", .resourcepart, .empty),
    .init("henryⅣ@example.com", .localpart, .forbiddenCharacter("\u{2173}"), "compatibility character (after case mapping)"),
    .init("♚@example.com", .localpart, .forbiddenCharacter("♚"), "symbol in localpart"),
    .init("juliet@", .domainpart, .empty),
    .init("/foobar", .domainpart, .empty),
    // Structure.
    .init("", .domainpart, .empty),
    .init("@example.com", .localpart, .empty),
    .init("example.com/", .resourcepart, .empty),
    .init("@/", .resourcepart, .empty),
    .init("a@/r", .domainpart, .empty),
    .init("a@b@example.com", .domainpart, .forbiddenCharacter("@"), "second @"),
    .init(".", .domainpart, .empty, "only the trailing dot"),
    .init("juliet@example..com", .domainpart, .invalidLabel),
    .init("juliet@.example.com", .domainpart, .invalidLabel),
    .init("juliet@example.com..", .domainpart, .invalidLabel, "only one trailing dot is removed"),
    // Localpart.
    .init("a:b@example.com", .localpart, .forbiddenCharacter(":")),
    .init("a&b@example.com", .localpart, .forbiddenCharacter("&")),
    .init("a'b@example.com", .localpart, .forbiddenCharacter("'")),
    .init("a<b@example.com", .localpart, .forbiddenCharacter("<")),
    .init("a>b@example.com", .localpart, .forbiddenCharacter(">")),
    .init("jul\u{0}iet@example.com", .localpart, .forbiddenCharacter("\u{0}"), "NUL"),
    .init("jul\u{AD}iet@example.com", .localpart, .forbiddenCharacter("\u{AD}"), "soft hyphen is default-ignorable"),
    .init("\u{FB01}@example.com", .localpart, .forbiddenCharacter("\u{FB01}"), "ligature has a compatibility decomposition"),
    .init("\u{B9}@example.com", .localpart, .forbiddenCharacter("\u{B9}"), "superscript one"),
    .init("\u{E000}@example.com", .localpart, .forbiddenCharacter("\u{E000}"), "private use"),
    .init("l·x@example.com", .localpart, .forbiddenCharacter("\u{B7}"), "middle dot out of context"),
    .init("a\u{200D}b@example.com", .localpart, .forbiddenCharacter("\u{200D}"), "ZWJ without virama"),
    .init("\u{05D0}a@example.com", .localpart, .bidiRule, "RTL mixed with L"),
    .init("1\u{05D0}@example.com", .localpart, .bidiRule, "RTL starting with a digit"),
    .init("\u{0627}\u{0661}1\u{0627}@example.com", .localpart, .bidiRule, "AN and EN together"),
    // Resourcepart.
    .init("juliet@example.com/\u{7}", .resourcepart, .forbiddenCharacter("\u{7}"), "control"),
    .init("juliet@example.com/a\u{200B}", .resourcepart, .forbiddenCharacter("\u{200B}"), "zero width space"),
    .init("juliet@example.com/\u{2764}\u{FE0F}", .resourcepart, .forbiddenCharacter("\u{FE0F}"), "variation selector"),
    .init("juliet@example.com/\u{FFFF}", .resourcepart, .forbiddenCharacter("\u{FFFF}"), "noncharacter"),
    .init("juliet@example.com/\u{378}", .resourcepart, .forbiddenCharacter("\u{378}"), "unassigned"),
    .init("juliet@example.com/\u{2028}", .resourcepart, .forbiddenCharacter("\u{2028}"), "line separator"),
    // Domainpart.
    .init("juliet@exam ple.com", .domainpart, .forbiddenCharacter(" ")),
    .init("juliet@exa<mple.com", .domainpart, .forbiddenCharacter("<")),
    .init("juliet@ex\u{0}ample.com", .domainpart, .forbiddenCharacter("\u{0}")),
    .init("juliet@bü_cher.example", .domainpart, .forbiddenCharacter("_"), "U-labels are LDH only"),
    .init("juliet@☃.example", .domainpart, .forbiddenCharacter("☃"), "symbol in U-label"),
    .init("juliet@-bücher.example", .domainpart, .invalidLabel, "leading hyphen in U-label"),
    .init("juliet@bü--cher.example", .domainpart, .invalidLabel, "hyphens in positions 3 and 4"),
    .init("juliet@\u{301}a.example", .domainpart, .invalidLabel, "U-label starting with a combining mark"),
    .init("juliet@xn--ls8h.example", .domainpart, .invalidPunycode, "A-label of a disallowed symbol"),
    .init("juliet@xn--abc-.example", .domainpart, .invalidPunycode, "A-label of plain ASCII"),
    .init("juliet@xn--.example", .domainpart, .invalidPunycode, "empty A-label"),
    .init("juliet@xn--a!b.example", .domainpart, .invalidPunycode, "not Punycode"),
    .init("juliet@xn--99999999999a.example", .domainpart, .invalidPunycode, "Punycode overflow"),
    .init("juliet@1a.\u{05D0}\u{05D1}", .domainpart, .bidiRule, "LTR label starting with a digit in a bidi domain"),
    .init("juliet@[::1", .domainpart, .invalidIPLiteral),
    .init("juliet@[]", .domainpart, .invalidIPLiteral),
    .init("juliet@[127.0.0.1]", .domainpart, .invalidIPLiteral, "IPv4 in brackets"),
    .init("juliet@[1:2:3:4:5:6:7:8:9]", .domainpart, .invalidIPLiteral, "nine groups"),
    .init("juliet@[1:2:3:4:5:6:7:8::]", .domainpart, .invalidIPLiteral, ":: with eight groups"),
    .init("juliet@[1::2::3]", .domainpart, .invalidIPLiteral, "two ::"),
    .init("juliet@[12345::1]", .domainpart, .invalidIPLiteral, "five hex digits"),
    .init("juliet@[fe80::1%eth0]", .domainpart, .invalidIPLiteral, "zone identifier"),
    .init("juliet@[::1]x", .domainpart, .invalidIPLiteral, "text after the bracket"),
    .init("juliet@::1", .domainpart, .forbiddenCharacter(":"), "IPv6 without brackets"),
]

@Suite("JID vectors")
struct JIDVectorTests {
    @Test("valid addresses parse and normalise", arguments: validJIDVectors)
    func valid(_ vector: ValidJIDVector) throws {
        let jid = try JID(vector.input)
        #expect(jid.description == vector.normalized)
        #expect(jid.description.utf8.elementsEqual(vector.normalized.utf8))
    }

    @Test("normalised forms parse to themselves", arguments: validJIDVectors)
    func roundTrip(_ vector: ValidJIDVector) throws {
        let jid = try JID(vector.input)
        let reparsed = try JID(jid.description)
        #expect(reparsed == jid)
        #expect(reparsed.description.utf8.elementsEqual(jid.description.utf8))
        #expect(reparsed.localpart == jid.localpart)
        #expect(reparsed.domainpart == jid.domainpart)
        #expect(reparsed.resourcepart == jid.resourcepart)
        // The parts rebuild the same address.
        #expect(try JID(localpart: jid.localpart, domainpart: jid.domainpart, resourcepart: jid.resourcepart) == jid)
        // So does the ASCII domain form.
        #expect(try JID(localpart: jid.localpart, domainpart: jid.asciiDomain, resourcepart: jid.resourcepart) == jid)
    }

    @Test("invalid addresses throw the expected error", arguments: invalidJIDVectors)
    func invalid(_ vector: InvalidJIDVector) {
        #expect(throws: vector.error) { try JID(vector.input) }
    }

    @Test("there are enough vectors")
    func vectorCount() {
        #expect(validJIDVectors.count + invalidJIDVectors.count >= 40)
    }
}
