import Testing
@testable import XMPPTransport

/// The DNS message parser on hand-made and hostile messages.
@Suite("SRV answer parser")
struct SRVAnswerParserTests {
    static let name = "_xmpp-client._tcp.example.com"
    static var queryName: DNSName {
        get throws { try #require(DNSName(dotted: name)) }
    }

    static let records = [
        SRVRecord(priority: 1, weight: 2, port: 5222, target: "a.example.com"),
        SRVRecord(priority: 3, weight: 4, port: 5223, target: "b.example.net"),
    ]

    @Test("Every prefix of a valid message fails cleanly; the whole message parses")
    func everyPrefix() throws {
        let message = DNSResponseBuilder.response(queryName: Self.name, answers: Self.records.map { .srv($0) })
        for length in 0..<message.count {
            #expect(throws: SRVAnswerParser.Failure.self) {
                try SRVAnswerParser.records(in: Array(message.prefix(length)), answering: Self.queryName)
            }
        }
        #expect(try SRVAnswerParser.records(in: message, answering: Self.queryName) == Self.records)
    }

    @Test("Owner names compare case-insensitively")
    func caseInsensitive() throws {
        // Uncompressed, so that the targets keep their own case.
        let message = DNSResponseBuilder.response(
            queryName: Self.name.uppercased(), answers: Self.records.map { .srv($0) }, compress: false)
        #expect(try SRVAnswerParser.records(in: message, answering: Self.queryName) == Self.records)
    }

    @Test("A compression pointer to itself or forwards is rejected")
    func pointerLoops() throws {
        var builder = DNSResponseBuilder(id: 1, queryName: Self.name, answerCount: 1)
        let ownerOffset = builder.bytes.count
        builder.appendUInt16(0xC000 | UInt16(ownerOffset))  // points at itself
        builder.appendUInt16(33)
        #expect(throws: SRVAnswerParser.Failure(detail: "forward compression pointer")) {
            try SRVAnswerParser.records(in: builder.bytes, answering: Self.queryName)
        }
    }

    @Test("Pointer chains are bounded")
    func pointerChain() throws {
        var builder = DNSResponseBuilder(id: 1, queryName: Self.name, answerCount: 2, compress: false)
        // A TXT record whose data is a chain of pointers, each to the one
        // before it: backward, so legal one by one, but 101 jumps long.
        builder.appendUInt16(0xC000 | 12)
        builder.appendUInt16(16)
        builder.appendUInt16(1)
        builder.appendUInt32(0)
        builder.appendUInt16(2 * 101)
        var previous = builder.bytes.count
        builder.appendUInt16(0xC000 | 12)
        for _ in 0..<100 {
            let here = builder.bytes.count
            builder.appendUInt16(0xC000 | UInt16(previous))
            previous = here
        }
        // The second record's owner enters the chain at its end.
        builder.appendUInt16(0xC000 | UInt16(previous))
        builder.appendUInt16(33)
        #expect(throws: SRVAnswerParser.Failure(detail: "too many compression pointers")) {
            try SRVAnswerParser.records(in: builder.bytes, answering: Self.queryName)
        }
    }

    @Test("Extended label types are rejected")
    func labelTypes() throws {
        var builder = DNSResponseBuilder(id: 1, queryName: Self.name, answerCount: 1)
        builder.bytes.append(0x41)  // 01xxxxxx: obsolete extended label
        #expect(throws: SRVAnswerParser.Failure(detail: "unsupported label type")) {
            try SRVAnswerParser.records(in: builder.bytes, answering: Self.queryName)
        }
    }

    @Test("Record data longer than announced is rejected")
    func shortRecordLength() throws {
        var message = DNSResponseBuilder.response(queryName: Self.name, answers: [.srv(Self.records[0])], compress: false)
        // The answer's RDLENGTH sits right before the 6 fixed bytes and the
        // 15-byte uncompressed target "a.example.com".
        let lengthOffset = message.count - 15 - 6 - 2
        #expect(message[lengthOffset + 1] == 21)
        message[lengthOffset + 1] = 10
        #expect(throws: SRVAnswerParser.Failure.self) {
            try SRVAnswerParser.records(in: message, answering: Self.queryName)
        }
    }

    @Test("A target that is not a host name is skipped; other records stay")
    func oddTarget() throws {
        let message = DNSResponseBuilder.response(queryName: Self.name, answers: [
            .srv(SRVRecord(priority: 0, weight: 0, port: 1, target: "bad host.example")),
            .srv(Self.records[0]),
        ])
        #expect(try SRVAnswerParser.records(in: message, answering: Self.queryName) == [Self.records[0]])
    }

    @Test("NXDOMAIN is empty, other response codes are failures, queries are rejected")
    func responseCodes() throws {
        #expect(try SRVAnswerParser.records(in: DNSResponseBuilder.response(queryName: Self.name, responseCode: 3, answers: []), answering: Self.queryName).isEmpty)
        #expect(throws: SRVAnswerParser.Failure(detail: "response code 2")) {
            try SRVAnswerParser.records(in: DNSResponseBuilder.response(queryName: Self.name, responseCode: 2, answers: []), answering: Self.queryName)
        }
        var query = DNSResponseBuilder.response(queryName: Self.name, answers: [])
        query[2] &= 0x7F
        #expect(throws: SRVAnswerParser.Failure(detail: "not a response")) {
            try SRVAnswerParser.records(in: query, answering: Self.queryName)
        }
    }

    @Test("Dotted names: valid and invalid forms")
    func dottedNames() {
        #expect(DNSName(dotted: "example.com.")?.labels.count == 2)
        #expect(DNSName(dotted: "Example.COM")?.matches(DNSName(dotted: "example.com")!) == true)
        for invalid in ["", ".", ".example", "a..b", "a b", "ünicode.example", String(repeating: "a", count: 64)] {
            #expect(DNSName(dotted: invalid) == nil, "\(invalid)")
        }
        let long = Array(repeating: String(repeating: "a", count: 63), count: 4).joined(separator: ".")
        #expect(DNSName(dotted: long) == nil)  // 4 × 64 + 1 = 257 bytes
    }
}
