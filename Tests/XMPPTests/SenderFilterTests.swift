import Testing

@testable import XMPP
@testable import XMPPCore

/// The address test behind `messages(from:)` and `presences(from:)`: the
/// same answer whether it is settled on the attribute's bytes (the
/// canonical form, or an address parsed lately) or by parsing the value.
@Suite struct SenderFilterTests {
    /// Parses one stanza the way the connection receives it.
    static func parsed(_ stanza: String) throws -> XMLElement {
        let reader = XMLStreamReader(limits: XMLStreamReader.Limits())
        var events: [XMLStreamEvent] = []
        var bytes = Array(("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>" + stanza).utf8)
        try bytes.withUnsafeMutableBytes { try reader.read(UnsafeRawBufferPointer($0), into: &events) }
        let elements = events.compactMap { event -> XMLElement? in
            if case .element(let element) = event { return element }
            return nil
        }
        return try #require(elements.first)
    }

    /// Every answer, for the parsed element and the same element built in code.
    static func matches(from: String?, peer: String) throws -> [Bool] {
        let attribute = from.map { " from='\($0)'" } ?? ""
        let element = try parsed("<message\(attribute) x:from='bob@example.com' xmlns:x='urn:x'/>")
        let built = XMLElement(name: element.name, attributes: Array(element.attributes), children: [])
        let jid = try JID(peer)
        return [element, built].flatMap { element in
            [
                XMPPConnection.sender(of: element, matches: jid),
                XMPPConnection.sender(of: element, matches: jid, canonical: jid.description),
            ]
        }
    }

    @Test("A full peer matches its own address only, however the from is written")
    func fullPeer() throws {
        RecentJIDs.forgetAll()
        #expect(try Self.matches(from: "bob@example.com/phone", peer: "bob@example.com/phone") == [true, true, true, true])
        #expect(try Self.matches(from: "bob@example.com/laptop", peer: "bob@example.com/phone") == [false, false, false, false])
        #expect(try Self.matches(from: "bob@example.com", peer: "bob@example.com/phone") == [false, false, false, false])
        // Not canonical: settled by parsing the first time, then by the
        // remembered parse; the same answer both times.
        for _ in 0..<2 {
            #expect(try Self.matches(from: "Bob@EXAMPLE.com/phone", peer: "bob@example.com/phone") == [true, true, true, true])
            #expect(try Self.matches(from: "Bob@EXAMPLE.com/Phone", peer: "bob@example.com/phone") == [false, false, false, false])
            _ = try JID("Bob@EXAMPLE.com/phone")
            _ = try JID("Bob@EXAMPLE.com/Phone")
        }
    }

    @Test("A bare peer matches every resource of the account and the bare address")
    func barePeer() throws {
        RecentJIDs.forgetAll()
        for _ in 0..<2 {
            #expect(try Self.matches(from: "bob@example.com", peer: "bob@example.com") == [true, true, true, true])
            #expect(try Self.matches(from: "bob@example.com/phone", peer: "bob@example.com") == [true, true, true, true])
            #expect(try Self.matches(from: "BOB@example.com/phone", peer: "bob@example.com") == [true, true, true, true])
            #expect(try Self.matches(from: "bobby@example.com/phone", peer: "bob@example.com") == [false, false, false, false])
            #expect(try Self.matches(from: "bob@example.com.evil/phone", peer: "bob@example.com") == [false, false, false, false])
            _ = try JID("bob@example.com/phone")
            _ = try JID("BOB@example.com/phone")
        }
    }

    @Test("No from, a prefixed namesake only, or a malformed from matches no peer")
    func noValidFrom() throws {
        RecentJIDs.forgetAll()
        #expect(try Self.matches(from: nil, peer: "bob@example.com") == [false, false, false, false])
        #expect(try Self.matches(from: "bob@example.com/", peer: "bob@example.com") == [false, false, false, false])
        #expect(try Self.matches(from: "@example.com", peer: "bob@example.com") == [false, false, false, false])
    }
}
