import Testing
@testable import XMPPCore

/// The reader's output must not depend on how the bytes were cut.
@Suite("XMLStreamReader chunking")
struct XMLStreamReaderChunkingTests {
    static let documents: [String] = [
        serverStreamHeader
            + "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>",
        serverStreamHeader
            + "<message to='juliet@example.com/balcony' from='romeo@example.net/orchard' type='chat' id='m1' xml:lang='en'>"
            + "<body>Wherefore art thou, Romeo? &lt;3 &amp; caf\u{E9} \u{1F339} 日本語</body>"
            + "<thread>e0ffe42b28561960c6b12b944a092794b9683a38</thread>"
            + "<active xmlns='http://jabber.org/protocol/chatstates'/></message>\n \t"
            + "<presence from='romeo@example.net/orchard'><show>away</show><status>out</status>"
            + "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://example.org' ver='QgayPKawpkPSDYmwT/WM94uAlu0='/></presence>"
            + "<iq type='result' id='r1'><query xmlns='jabber:iq:roster' ver='42'><item jid='a@b.c' name='A &quot;B&quot;'><group>Friends</group></item></query></iq>"
            + "<message><body><![CDATA[<message from='evil'/>]]></body></message>"
            + "</stream:stream>",
        "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:client'>"
            + "<message><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>"
            + "<delay xmlns='urn:xmpp:delay' stamp='2026-01-01T00:00:00Z'/>"
            + "<message xmlns='jabber:client' type='chat'><body>one\r\ntwo</body></message>"
            + "</forwarded></received></message>"
            + "<r xmlns='urn:xmpp:sm:3'/><a xmlns='urn:xmpp:sm:3' h='7'/>",
    ]

    @Test("every split point gives the same events", arguments: documents.indices)
    func everySplitPoint(documentIndex: Int) throws {
        let bytes = Array(Self.documents[documentIndex].utf8)
        let whole = readEvents([bytes])
        #expect(whole.error == nil)
        #expect(whole.events.count >= 2)
        for split in 1..<bytes.count {
            let result = readEvents([Array(bytes[..<split]), Array(bytes[split...])])
            #expect(result.error == nil, "split at \(split)")
            #expect(result.events == whole.events, "split at \(split)")
        }
    }

    @Test("byte by byte gives the same events", arguments: documents.indices)
    func byteByByte(documentIndex: Int) {
        let bytes = Array(Self.documents[documentIndex].utf8)
        let whole = readEvents([bytes])
        let single = readEvents(bytes.map { [$0] })
        #expect(single.error == nil)
        #expect(single.events == whole.events)
    }

    @Test("random chunkings give the same events")
    func randomChunkings() {
        var generator = SeededGenerator(seed: 7)
        for document in Self.documents {
            let bytes = Array(document.utf8)
            let whole = readEvents([bytes])
            for _ in 0..<50 {
                var pieces: [[UInt8]] = []
                var index = 0
                while index < bytes.count {
                    let length = Int.random(in: 1...40, using: &generator)
                    pieces.append(Array(bytes[index..<min(bytes.count, index + length)]))
                    index += length
                }
                #expect(readEvents(pieces).events == whole.events)
            }
        }
    }

    @Test("a start tag split across reads is delivered as soon as it completes")
    func splitStartTagDeliveredAtOnce() throws {
        // The Expat reparse-deferral trap: a large first read ending inside a
        // start tag, then a small one completing the stanza.
        let reader = XMLStreamReader()
        _ = try reader.read(Array(serverStreamHeader.utf8))
        let filler = "<message id='pad'><body>" + String(repeating: "x", count: 2950) + "</body></message>"
        var first = Array((filler + "<message id='abcdefgh'").utf8)
        first += Array(" type='chat'".utf8)
        let firstEvents = try reader.read(first)
        #expect(elements(firstEvents).count == 1)
        let secondEvents = try reader.read(Array("><body>hi</body></message>".utf8))
        #expect(elements(secondEvents).map { $0[attribute: "id"] } == ["abcdefgh"])
    }
}
