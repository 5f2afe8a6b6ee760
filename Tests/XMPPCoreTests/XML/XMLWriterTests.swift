import Testing
@testable import XMPPCore

@Suite("XMLWriter")
struct XMLWriterTests {
    let writer = XMLWriter()

    @Test("text and attributes are escaped")
    func escaping() throws {
        var message = XMLElement("message", namespace: "jabber:client", attributes: ["id": "a'b\"c<&>"])
        message.append(XMLElement("body", namespace: "jabber:client", text: "1 < 2 & 3 > 2 ]]> 'q' \"d\""))
        #expect(try writer.string(message)
            == "<message id='a&apos;b&quot;c&lt;&amp;&gt;'><body>1 &lt; 2 &amp; 3 &gt; 2 ]]&gt; 'q' \"d\"</body></message>")
    }

    @Test("namespaces are declared only where they change")
    func minimalNamespaces() throws {
        var iq = XMLElement("iq", namespace: "jabber:client", attributes: ["type": "result"])
        var query = XMLElement("query", namespace: "jabber:iq:roster")
        query.append(XMLElement("item", namespace: "jabber:iq:roster", attributes: ["jid": "a@b.c"]))
        iq.append(query)
        iq.append(XMLElement("x", namespace: ""))
        #expect(try writer.string(iq)
            == "<iq type='result'><query xmlns='jabber:iq:roster'><item jid='a@b.c'/></query><x xmlns=''/></iq>")
        #expect(try XMLWriter(scope: .empty).string(XMLElement("message", namespace: "jabber:client"))
            == "<message xmlns='jabber:client'/>")
    }

    @Test("stream-namespace elements use the header's prefix")
    func streamPrefix() throws {
        let error = StreamError(.notWellFormed).element
        #expect(try writer.string(error)
            == "<stream:error><not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>")
    }

    @Test("xml:lang and namespaced attributes get prefixes")
    func attributePrefixes() throws {
        var body = XMLElement("body", namespace: "jabber:client", text: "hola")
        body[attribute: .xmlLang] = "es"
        body.attributes.append(XMLAttribute(XMLQualifiedName("mark", namespace: "urn:example:m"), value: "1"))
        #expect(try writer.string(body) == "<body xml:lang='es' xmlns:ns1='urn:example:m' ns1:mark='1'>hola</body>")
    }

    @Test("characters XML 1.0 forbids are refused", arguments: ["\u{0}", "\u{1}", "a\u{1B}b", "\u{FFFE}", "x\u{FFFF}"])
    func illegalCharacters(text: String) {
        #expect(throws: XMLWriterError.self) {
            try writer.bytes(XMLElement("body", namespace: "jabber:client", text: text))
        }
        #expect(throws: XMLWriterError.self) {
            try writer.bytes(XMLElement("body", namespace: "jabber:client", attributes: ["a": text]))
        }
    }

    @Test("invalid names are refused", arguments: ["", "a b", "1x", "a:b", "a>b"])
    func invalidNames(name: String) {
        #expect(throws: XMLWriterError.self) { try writer.bytes(XMLElement(name, namespace: "jabber:client")) }
    }

    @Test("the stream opening reads back as the same header")
    func streamOpening() throws {
        let header = XMLStreamHeader(
            name: XMLQualifiedName("stream", namespace: XMLNamespace.streams),
            attributes: [XMLAttribute("to", value: "example.com"), XMLAttribute("version", value: "1.0"), XMLAttribute(.xmlLang, value: "en")],
            namespaceDeclarations: ["": XMLNamespace.client, "stream": XMLNamespace.streams]
        )
        let bytes = try XMLWriter.streamOpening(header)
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream="))
        let events = try XMLStreamReader().read(bytes + XMLWriter.streamClosing)
        #expect(events == [.streamStart(header), .streamEnd])
    }

    @Test("a deep element is written without recursion")
    func deepElement() throws {
        var element = XMLElement("leaf", namespace: "urn:x")
        for _ in 0..<10_000 {
            element = XMLElement(name: XMLQualifiedName("a", namespace: "urn:x"), children: [.element(element)])
        }
        let bytes = try writer.bytes(element)
        #expect(bytes.count > 70_000)
    }
}

/// Property: whatever text a stanza carries, writing it and reading it back
/// gives exactly one element with identical content.
@Suite("XMLWriter round trip")
struct XMLWriterRoundTripTests {
    static let alphabet: [String] = [
        "a", "Z", "0", " ", "<", ">", "&", "'", "\"", ";", "]]>", "\t", "\n", "\r", "\r\n",
        "</body></message><message from='server'>", "&amp;", "&lt;", "<![CDATA[", "-->", "<?", "é", "ß", "日本", "\u{1F600}",
        "\u{7F}", "\u{85}", "\u{2028}", "\u{FEFF}", "\u{FFFD}", "\u{10FFFF}", "\u{0301}",
    ]

    static func randomString(_ generator: inout SeededGenerator) -> String {
        let length = Int.random(in: 0...24, using: &generator)
        return (0..<length).map { _ in alphabet.randomElement(using: &generator) ?? "" }.joined()
    }

    @Test("random strings survive a write and a read")
    func randomRoundTrip() throws {
        var generator = SeededGenerator(seed: 42)
        let writer = XMLWriter()
        for iteration in 0..<2000 {
            let bodyText = Self.randomString(&generator)
            let attributeValue = Self.randomString(&generator)
            var message = XMLElement("message", namespace: "jabber:client", attributes: ["id": attributeValue, "type": "chat"])
            message.append(XMLElement("body", namespace: "jabber:client", text: bodyText))
            message.append(XMLElement("x", namespace: "urn:example:\(iteration % 3)", attributes: ["v": bodyText]))
            let bytes = Array(serverStreamHeader.utf8) + (try writer.bytes(message))
            let result = readEvents([bytes])
            let delivered = elements(result.events)
            #expect(result.error == nil, "iteration \(iteration)")
            #expect(delivered == [message], "iteration \(iteration): \(bodyText.debugDescription)")
        }
    }
}
