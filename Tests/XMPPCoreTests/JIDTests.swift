import Testing
import XMPPCore

@Suite("JID")
struct JIDTests {
    // MARK: Parts and conversions

    @Test("parts of a full address")
    func parts() throws {
        let jid = try JID("Juliet@Example.com/Balcony")
        #expect(jid.localpart == "juliet")
        #expect(jid.domainpart == "example.com")
        #expect(jid.resourcepart == "Balcony")
        #expect(!jid.isBare)
        #expect(jid.bare.description == "juliet@example.com")
        #expect(jid.full?.description == "juliet@example.com/Balcony")
    }

    @Test("a bare address has no full form")
    func bareHasNoFull() throws {
        let jid = try JID("example.com")
        #expect(jid.localpart == nil)
        #expect(jid.resourcepart == nil)
        #expect(jid.isBare)
        #expect(jid.full == nil)
        #expect(jid.bare.jid == jid)
    }

    @Test("BareJID refuses a resourcepart; FullJID requires one")
    func bareAndFullStrictness() throws {
        #expect(throws: JIDError(.resourcepart, .unexpectedResource)) { try BareJID("a@example.com/r") }
        #expect(throws: JIDError(.resourcepart, .missingResource)) { try FullJID("a@example.com") }
        #expect(throws: JIDError(.resourcepart, .empty)) { try FullJID("a@example.com/") }
        #expect(try BareJID("A@Example.com").description == "a@example.com")
        #expect(try FullJID("A@Example.com/R").description == "a@example.com/R")
    }

    @Test(
        "the string form of every shape, short parts and long ones",
        arguments: [
            "example.com", "example.com/r", "a@example.com", "a@example.com/r",
            "juliet@example.com/balcony-with-a-view", "júliet-the-capulet@例え.テスト/Balcony ☀ of the house",
            "a-very-long-localpart-beyond-sixteen-bytes@a-long-domain-name.example/resource-part-too",
        ])
    func stringForms(_ address: String) throws {
        let jid = try JID(address)
        #expect(jid.description == address)
        #expect(jid.full?.description == (jid.isBare ? nil : address))
        let bare = address.split(separator: "/", maxSplits: 1).first.map(String.init)
        #expect(jid.bare.description == bare)
    }

    @Test("conversions between JID, BareJID and FullJID")
    func conversions() throws {
        let bare = try BareJID(localpart: "Romeo", domainpart: "Example.NET")
        let full = try bare.withResource("orchard")
        #expect(full.description == "romeo@example.net/orchard")
        #expect(full.bare == bare)
        #expect(full.jid == (try JID("romeo@example.net/orchard")))
        #expect(full.jid.full == full)
        #expect(full.jid.bare == bare)
        #expect(bare.jid.isBare)
        #expect(JID(full).resourcepart == "orchard")
        #expect(JID(bare) == bare.jid)
        #expect(try FullJID(localpart: nil, domainpart: "example.net", resourcepart: "r").description == "example.net/r")
        #expect(throws: JIDError(.resourcepart, .forbiddenCharacter("\u{7}"))) { try bare.withResource("\u{7}") }
    }

    @Test("initialisers from parts validate each part")
    func partInitialisers() {
        #expect(throws: JIDError(.localpart, .empty)) { try JID(localpart: "", domainpart: "example.com", resourcepart: nil) }
        #expect(throws: JIDError(.resourcepart, .empty)) { try JID(localpart: nil, domainpart: "example.com", resourcepart: "") }
        #expect(throws: JIDError(.domainpart, .empty)) { try BareJID(localpart: "a", domainpart: "") }
        #expect(throws: JIDError(.localpart, .forbiddenCharacter("@"))) {
            try JID(localpart: "a@b", domainpart: "example.com", resourcepart: nil)
        }
        #expect(throws: JIDError(.localpart, .forbiddenCharacter("/"))) { try BareJID(localpart: "a/b", domainpart: "example.com") }
        #expect(throws: JIDError(.domainpart, .forbiddenCharacter("/"))) { try BareJID(localpart: nil, domainpart: "a/b") }
        #expect(throws: JIDError(.domainpart, .forbiddenCharacter("@"))) { try BareJID(localpart: nil, domainpart: "a@b") }
    }

    @Test("a resourcepart given as a part may contain @ and /")
    func resourceFromParts() throws {
        let jid = try JID(localpart: "a", domainpart: "example.com", resourcepart: "x@y/z")
        #expect(jid.description == "a@example.com/x@y/z")
        #expect(try JID(jid.description) == jid)
    }

    // MARK: Domain forms

    @Test("asciiDomain gives A-labels", arguments: [
        ("juliet@bücher.example/r", "xn--bcher-kva.example"),
        ("xn--caf-dma.example", "xn--caf-dma.example"),
        ("例え.テスト", "xn--r8jz45g.xn--zckzah"),
        ("example.com", "example.com"),
        ("[::1]", "[::1]"),
    ])
    func asciiDomain(input: String, ascii: String) throws {
        let jid = try JID(input)
        #expect(jid.asciiDomain == ascii)
        #expect(jid.bare.asciiDomain == ascii)
        #expect(try JID(jid.asciiDomain).domainpart == jid.domainpart)
    }

    // MARK: Length limits

    @Test("localpart and resourcepart: 1023 bytes pass, 1024 fail")
    func partLengths() throws {
        let ok = String(repeating: "a", count: 1023)
        let long = ok + "a"
        #expect(try JID("\(ok)@example.com/\(ok)").localpart?.utf8.count == 1023)
        #expect(throws: JIDError(.localpart, .tooLong)) { try JID("\(long)@example.com") }
        #expect(throws: JIDError(.resourcepart, .tooLong)) { try JID("example.com/\(long)") }
        // Multi-byte: 341 × "€" (3 bytes) = 1023 bytes.
        let euros = String(repeating: "€", count: 341)
        #expect(try JID("example.com/\(euros)").resourcepart?.utf8.count == 1023)
        #expect(throws: JIDError(.resourcepart, .tooLong)) { try JID("example.com/\(euros)€") }
        // The limit applies after normalisation: fullwidth letters shrink to ASCII.
        let fullwidth = String(repeating: "Ａ", count: 1023)
        #expect(try JID("\(fullwidth)@example.com").localpart?.utf8.count == 1023)
        #expect(throws: JIDError(.localpart, .tooLong)) { try JID("\(fullwidth)Ａ@example.com") }
        // Absurdly long input is refused up front.
        #expect(throws: JIDError(.resourcepart, .tooLong)) { try JID("example.com/" + String(repeating: "x", count: 100_000)) }
    }

    @Test("labels: 63 bytes pass, 64 fail, in A-label form")
    func labelLengths() throws {
        let label63 = String(repeating: "a", count: 63)
        #expect(try JID("\(label63).example").domainpart.hasPrefix(label63))
        #expect(throws: JIDError(.domainpart, .invalidLabel)) { try JID("\(label63)a.example") }
        // "xn--tda" + 56 × "a" is 63 bytes: 57 × "ü".
        let uLabel57 = String(repeating: "ü", count: 57)
        #expect(try JID("\(uLabel57).example").asciiDomain.utf8.count == 63 + ".example".utf8.count)
        #expect(throws: JIDError(.domainpart, .invalidLabel)) { try JID("\(uLabel57)ü.example") }
        #expect(throws: JIDError(.domainpart, .invalidLabel)) { try JID("xn--" + String(repeating: "a", count: 60) + ".example") }
    }

    @Test("domainpart: 1023 bytes pass, 1024 fail")
    func domainLength() throws {
        let labels = Array(repeating: String(repeating: "a", count: 63), count: 16)
        let domain1023 = labels.joined(separator: ".")
        #expect(domain1023.utf8.count == 1023)
        #expect(try JID(domain1023).domainpart == domain1023)
        #expect(try JID(domain1023 + ".").domainpart == domain1023)
        #expect(throws: JIDError(.domainpart, .tooLong)) { try JID("a." + domain1023) }
    }

    // MARK: Equality and hashing

    @Test("equality and hashing use the normalised form")
    func normalisedEquality() throws {
        let variants = try ["Juliet@Example.com/r", "juliet@EXAMPLE.com./r", "ＪＵＬＩＥＴ@example.com/r", "juliet@example。com/r"]
            .map { (string: String) throws(JIDError) in try JID(string) }
        #expect(Set(variants).count == 1)
        #expect(Set(variants.map(\.bare)).count == 1)
        #expect(Set(variants.compactMap(\.full)).count == 1)
        #expect(try JID("juliet@example.com/r") != JID("juliet@example.com/R"))
        #expect(try JID("juliet@example.com") != JID("juliet@example.com/r"))
        #expect(try JID("σ@example.com") != JID("ς@example.com"))
        #expect(try JID("xn--caf-dma.example") == JID("café.example"))
    }

    /// Swift's `String ==` compares by canonical equivalence, so it calls
    /// U+212B ANGSTROM SIGN and U+00C5 equal even though their bytes differ.
    /// JIDs compare bytes, which is only sound because enforcement (NFC)
    /// makes canonically equivalent parts byte-identical: this test pins
    /// that down for both spellings.
    @Test("byte-wise equality agrees with canonical equivalence after NFC")
    func byteEquality() throws {
        let angstromSign = "\u{212B}", aRing = "\u{C5}", aPlusRing = "A\u{30A}"
        #expect(angstromSign == aRing)  // String ==: canonical equivalence
        #expect(!angstromSign.utf8.elementsEqual(aRing.utf8))  // but different bytes
        let jids = try [angstromSign, aRing, aPlusRing].map { (resource: String) throws(JIDError) in
            try JID("example.com/" + resource)
        }
        for jid in jids {
            #expect(jid.resourcepart.map { Array($0.utf8) } == [0xC3, 0x85])
            #expect(jid == jids[0])
            #expect(jid.hashValue == jids[0].hashValue)
        }
        #expect(Set(jids).count == 1)
        // Compatibility equivalents are not canonical: OpaqueString keeps
        // them apart, and so do String == and JID ==.
        #expect("\u{FB01}" != "fi")
        #expect(try JID("example.com/\u{FB01}") != JID("example.com/fi"))
        // The stored parts are exactly the bytes that go on the wire.
        #expect(try Array(JID("e\u{301}@example.com").description.utf8) == Array("\u{E9}@example.com".utf8))
    }

    // MARK: Errors

    @Test("errors describe part and kind")
    func errorDescription() {
        #expect(JIDError(.localpart, .forbiddenCharacter("\"")).description == "localpart: forbiddenCharacter(U+0022)")
        #expect(JIDError(.resourcepart, .forbiddenCharacter("\u{1F4A9}")).description == "resourcepart: forbiddenCharacter(U+1F4A9)")
        #expect(JIDError(.domainpart, .tooLong).description == "domainpart: tooLong")
        do {
            _ = try JID("♚@example.com")
            Issue.record("expected an error")
        } catch {
            #expect(error.part == .localpart)
            #expect(error.kind == .forbiddenCharacter("♚"))
        }
    }

    @Test("arbitrary input never traps, and what parses round-trips")
    func fuzz() {
        let alphabet: [Unicode.Scalar] = [
            "a", "Z", "0", "-", ".", "@", "/", "[", "]", ":", " ", "\u{0}", "\u{7F}", "x", "n",
            "\u{E9}", "\u{301}", "\u{3A3}", "\u{3C2}", "\u{DF}", "\u{212B}", "\u{FF21}", "\u{FF0E}", "\u{3002}",
            "\u{5D0}", "\u{627}", "\u{661}", "\u{6F1}", "\u{200C}", "\u{200D}", "\u{94D}", "\u{B7}", "l",
            "\u{FB01}", "\u{2163}", "\u{265A}", "\u{1F4A9}", "\u{FE0F}", "\u{E000}", "\u{FFFF}", "\u{378}",
            "\u{30FB}", "\u{30AB}", "\u{FF9E}", "\u{1100}", "\u{2028}", "\u{2003}",
        ]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var parsed = 0
        for _ in 0..<3000 {
            var scalars = String.UnicodeScalarView()
            let prefix = ["", "xn--", "a@xn--", "[", "a@b.", "x@"][next(6)]
            scalars.append(contentsOf: prefix.unicodeScalars)
            for _ in 0..<next(12) { scalars.append(alphabet[next(alphabet.count)]) }
            let input = String(scalars)
            guard let jid = try? JID(input) else { continue }
            parsed += 1
            #expect((try? JID(jid.description)) == jid, "\(input.unicodeScalars.map(\.value))")
            #expect((try? JID(localpart: jid.localpart, domainpart: jid.asciiDomain, resourcepart: jid.resourcepart)) == jid)
        }
        #expect(parsed > 100)
    }
}
