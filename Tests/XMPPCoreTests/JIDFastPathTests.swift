import Testing
@testable import XMPPCore

/// The ASCII shortcuts must give exactly what the full PRECIS / IDNA paths
/// give, or decline (and leave the input to the full path).
@Suite("JID ASCII fast path")
struct JIDFastPathTests {
    /// Both paths' results: the value or the error, as text.
    static func outcome(_ body: () throws(JIDError) -> String) -> String {
        do { return "ok:" + (try body()) } catch { return "error:\(error)" }
    }

    static let printable: [Character] = (0x20...0x7E).map { Character(Unicode.Scalar(UInt8($0))) }

    @Test("every printable ASCII character, alone and inside a part, agrees with the full path")
    func everyCharacter() {
        for character in Self.printable {
            for candidate in [String(character), "a\(character)b", "\(character)x", "Ab\(character)"] {
                let fullLocal = Self.outcome { () throws(JIDError) in try PRECIS.usernameCaseMappedInFull(candidate, for: .localpart) }
                if let fast = ASCIIFastPath.localpart(candidate) {
                    #expect("ok:" + fast == fullLocal, "localpart \(candidate)")
                }
                let fullResource = Self.outcome { () throws(JIDError) in try PRECIS.opaqueStringInFull(candidate, for: .resourcepart) }
                if let fast = ASCIIFastPath.resourcepart(candidate) {
                    #expect("ok:" + fast == fullResource, "resourcepart \(candidate)")
                }
                let domain = "ex\(candidate).org"
                let fullDomain = Self.outcome { () throws(JIDError) in try DomainName.normalizeInFull(domain) }
                if let fast = ASCIIFastPath.domainpart(domain) {
                    #expect("ok:" + fast == fullDomain, "domainpart \(domain)")
                }
            }
        }
    }

    @Test("the common shapes take the shortcut")
    func commonShapesAreFast() {
        #expect(ASCIIFastPath.localpart("Juliet") == "juliet")
        #expect(ASCIIFastPath.localpart("user01") == "user01")
        #expect(ASCIIFastPath.resourcepart("Balcony 2/x@y") == "Balcony 2/x@y")
        #expect(ASCIIFastPath.domainpart("Example.COM.") == "example.com")
        #expect(ASCIIFastPath.domainpart("xmpp.test") == "xmpp.test")
    }

    @Test("what the shortcut must not decide goes to the full path")
    func declines() {
        #expect(ASCIIFastPath.localpart("") == nil)
        #expect(ASCIIFastPath.localpart("a b") == nil)
        #expect(ASCIIFastPath.localpart("caf\u{E9}") == nil)
        #expect(ASCIIFastPath.localpart("a@b") == nil)
        #expect(ASCIIFastPath.resourcepart("tab\there") == nil)
        #expect(ASCIIFastPath.resourcepart("r\u{E9}sum\u{E9}") == nil)
        #expect(ASCIIFastPath.domainpart("xn--caf-dma.example") == nil)
        #expect(ASCIIFastPath.domainpart("XN--caf-dma.example") == nil)
        #expect(ASCIIFastPath.domainpart("[::1]") == nil)
        #expect(ASCIIFastPath.domainpart("a..b") == nil)
        #expect(ASCIIFastPath.domainpart(".") == nil)
        #expect(ASCIIFastPath.domainpart(String(repeating: "a", count: 64) + ".org") == nil)
        #expect(ASCIIFastPath.localpart(String(repeating: "a", count: 1024)) == nil)
    }

    @Test("random ASCII parts agree with the full path")
    func randomParts() {
        var generator = SeededGenerator(seed: 0x51D)
        let alphabet = Array("abcXYZ019-._~!$()*+,;=%\"&'/:<>@[] \t.")
        for _ in 0..<3000 {
            let length = Int.random(in: 1...12, using: &generator)
            let candidate = String((0..<length).map { _ in alphabet.randomElement(using: &generator) ?? "a" })
            let fullLocal = Self.outcome { () throws(JIDError) in try PRECIS.usernameCaseMappedInFull(candidate, for: .localpart) }
            if let fast = ASCIIFastPath.localpart(candidate) { #expect("ok:" + fast == fullLocal, "localpart \(candidate)") }
            let fullResource = Self.outcome { () throws(JIDError) in try PRECIS.opaqueStringInFull(candidate, for: .resourcepart) }
            if let fast = ASCIIFastPath.resourcepart(candidate) { #expect("ok:" + fast == fullResource, "resource \(candidate)") }
            let fullDomain = Self.outcome { () throws(JIDError) in try DomainName.normalizeInFull(candidate) }
            if let fast = ASCIIFastPath.domainpart(candidate) { #expect("ok:" + fast == fullDomain, "domain \(candidate)") }
        }
    }
}
