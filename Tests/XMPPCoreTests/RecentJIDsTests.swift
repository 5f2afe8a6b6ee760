import Testing

@testable import XMPPCore

/// The memo of recently parsed addresses: a remembered address is exactly
/// what parsing gives, failures are never remembered, and the fixed table
/// neither mixes up texts that share a slot nor keeps long texts.
///
/// The table is process-wide and other suites parse addresses in parallel,
/// so "remembered" is checked as "found right after parsing, at least once
/// in a few tries" rather than assumed to survive.
@Suite struct RecentJIDsTests {
    static func rememberedAfterParsing(_ text: String) throws -> Bool {
        for _ in 0..<100 {
            _ = try JID(text)
            if RecentJIDs.lookup(text) != nil { return true }
        }
        return false
    }

    @Test("A parsed address is remembered under its exact text and equals a fresh parse")
    func remembered() throws {
        let text = "Juliet@Example.COM/balcony"
        #expect(try Self.rememberedAfterParsing(text))
        let fresh = try JID(localpart: "Juliet", domainpart: "Example.COM", resourcepart: "balcony")
        #expect(try JID(text) == fresh)
        #expect(try JID(text).description == "juliet@example.com/balcony")
        // Another spelling of the same address is its own entry.
        #expect(try JID("juliet@example.com/Balcony").resourcepart == "Balcony")
    }

    @Test("A malformed address is refused every time and never remembered", arguments: [
        "@example.com", "juliet@", "juliet@example.com/", "a@b@c", "",
    ])
    func failuresNotRemembered(text: String) {
        for _ in 0..<3 {
            #expect(throws: JIDError.self) { _ = try JID(text) }
            #expect(RecentJIDs.lookup(text) == nil)
        }
    }

    @Test("Many more addresses than slots: every one still parses to itself")
    func slotsAreShared() throws {
        let texts = (0..<(RecentJIDs.slotCount * 4)).map { "user\($0)@host\($0 % 7).example/r\($0)" }
        for _ in 0..<2 {
            for (index, text) in texts.enumerated() {
                let jid = try JID(text)
                #expect(jid.localpart == "user\(index)")
                #expect(jid.domainpart == "host\(index % 7).example")
                #expect(jid.resourcepart == "r\(index)")
            }
        }
    }

    @Test("Texts longer than the limit are parsed but not remembered")
    func longTextsSkipped() throws {
        let text = "juliet@example.com/" + String(repeating: "r", count: RecentJIDs.maxRememberedBytes)
        for _ in 0..<3 {
            #expect(try JID(text).resourcepart?.utf8.count == RecentJIDs.maxRememberedBytes)
            #expect(RecentJIDs.lookup(text) == nil)
        }
    }

    @Test("Byte equality: lengths, bytes, and canonically equivalent but different spellings")
    func utf8Equality() {
        #expect(UTF8Equality.equal("juliet@example.com", "juliet@example.com"))
        #expect(!UTF8Equality.equal("juliet@example.com", "juliet@example.co"))
        #expect(!UTF8Equality.equal("juliet@example.com", "juliet@example.org"))
        #expect(UTF8Equality.equal("", ""))
        // é precomposed and e + combining acute: equal to String.==, not
        // as bytes.
        let precomposed = "caf\u{E9}", decomposed = "cafe\u{301}"
        #expect(precomposed == decomposed)
        #expect(!UTF8Equality.equal(precomposed, decomposed))
        let long = String(repeating: "ж", count: 40)
        #expect(UTF8Equality.equal(long, String(repeating: "ж", count: 40)))
        #expect(UTF8Equality.equal(nil as String?, nil))
        #expect(!UTF8Equality.equal("a" as String?, nil))
        #expect(UTF8Equality.equal("a" as String?, "a"))
    }

    @Test("A lookup by bytes finds the address remembered under the same text only")
    func lookupByBytes() throws {
        let text = "romeo@montague.example/orchard"
        #expect(try Self.rememberedAfterParsing(text))
        var found: JID?
        for _ in 0..<100 {
            _ = try JID(text)
            found = Array(text.utf8).withUnsafeBufferPointer(RecentJIDs.lookup(bytes:))
            if found != nil { break }
        }
        #expect(try found == JID(localpart: "romeo", domainpart: "montague.example", resourcepart: "orchard"))
        // One byte off, shorter, longer, empty: never the remembered JID.
        for other in ["romeo@montague.example/orcharD", "romeo@montague.example/orchar", text + "s", ""] {
            let result = Array(other.utf8).withUnsafeBufferPointer(RecentJIDs.lookup(bytes:))
            #expect(result.map { $0.description } != "romeo@montague.example/orchard", "\(other)")
        }
    }

    @Test("Byte buffers compare by length and content")
    func bufferEquality() {
        func equal(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
            lhs.withUnsafeBufferPointer { left in rhs.withUnsafeBufferPointer { UTF8Equality.bytesEqual(left, $0) } }
        }
        #expect(equal([], []))
        #expect(equal([1, 2, 3], [1, 2, 3]))
        #expect(!equal([1, 2, 3], [1, 2, 4]))
        #expect(!equal([1, 2, 3], [1, 2]))
        #expect(!equal([], [0]))
    }
}
