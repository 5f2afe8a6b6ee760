import Testing
@testable import XMPPCore

/// Stream restarts (after STARTTLS and SASL), the header and end events, and
/// the unconsumed-byte count that guards `<proceed/>`.
@Suite("XMLStreamReader restarts and framing")
struct XMLStreamReaderRestartTests {
    let proceed = "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"

    @Test("the header reports its name, attributes and namespace declarations")
    func header() throws {
        let events = try XMLStreamReader().read(Array(serverStreamHeader.utf8))
        guard case .streamStart(let header) = events.first else {
            Issue.record("no stream start in \(events)")
            return
        }
        #expect(header.name == XMLQualifiedName("stream", namespace: XMLNamespace.streams))
        #expect(header.contentNamespace == "jabber:client")
        #expect(header.namespaceDeclarations["stream"] == XMLNamespace.streams)
        #expect(header[attribute: "from"] == "example.com")
        #expect(header[attribute: "version"] == "1.0")
        #expect(header[attribute: .xmlLang] == "en")
    }

    @Test("stanzas inherit the content namespace, and the stream end is reported")
    func namespacesAndEnd() throws {
        let events = try XMLStreamReader().read(Array((serverStreamHeader + "<message><body>x</body></message></stream:stream>").utf8))
        #expect(events.count == 3)
        #expect(elements(events).first?.name == XMLQualifiedName("message", namespace: "jabber:client"))
        #expect(events.last == .streamEnd)
    }

    @Test("nothing follows <proceed/>: no unconsumed bytes")
    func proceedAlone() throws {
        let reader = XMLStreamReader()
        _ = try reader.read(Array(serverStreamHeader.utf8))
        let events = try reader.read(Array(proceed.utf8))
        #expect(elements(events).map(\.name.localName) == ["proceed"])
        #expect(reader.unconsumedByteCount == 0)
    }

    @Test("bytes smuggled after <proceed/> are counted", arguments: ["<message from='evil'>", " ", "\u{16}\u{3}\u{1}"])
    func proceedWithTrailingBytes(trailer: String) throws {
        let reader = XMLStreamReader()
        _ = try reader.read(Array(serverStreamHeader.utf8))
        do {
            _ = try reader.read(Array((proceed + trailer).utf8))
        } catch {
            // Binary junk may also make the old stream fail; either way the
            // session must not upgrade. What matters is the count below.
        }
        #expect(reader.unconsumedByteCount == trailer.utf8.count)
    }

    @Test("a read with no complete event leaves the whole chunk unconsumed")
    func partialChunk() throws {
        let reader = XMLStreamReader()
        _ = try reader.read(Array(serverStreamHeader.utf8))
        _ = try reader.read(Array("<message><bo".utf8))
        #expect(reader.unconsumedByteCount == 12)
        _ = try reader.read(Array("dy/></message><iq".utf8))
        #expect(reader.unconsumedByteCount == 3)
    }

    @Test("reset starts a new stream with every check in place")
    func resetRestarts() throws {
        let reader = XMLStreamReader()
        _ = try reader.read(Array((serverStreamHeader + proceed).utf8))
        reader.reset()
        let events = try reader.read(Array((serverStreamHeader + "<stream:features/>").utf8))
        #expect(events.count == 2)
        if case .streamStart = events.first {} else { Issue.record("expected a new header, got \(events)") }
        reader.reset()
        // The restricted-XML handlers must be installed again after a reset.
        let error = #expect(throws: XMLStreamError.self) {
            try reader.read(Array("<!DOCTYPE x>".utf8) + Array(serverStreamHeader.utf8))
        }
        #expect(error?.kind == .doctype)
        reader.reset()
        let comment = #expect(throws: XMLStreamError.self) {
            try reader.read(Array((serverStreamHeader + "<!-- c -->").utf8))
        }
        #expect(comment?.kind == .comment)
    }

    @Test("after reset, byte offsets count from the new stream")
    func offsetsAfterReset() throws {
        let reader = XMLStreamReader(limits: .init(maxElementBytes: 300))
        _ = try reader.read(Array((serverStreamHeader + String(repeating: "<a/>", count: 200)).utf8))
        reader.reset()
        // The new header alone is under the limit, although the bytes read
        // since the reader was created are not.
        let events = try reader.read(Array(serverStreamHeader.utf8))
        #expect(events.count == 1)
    }
}
