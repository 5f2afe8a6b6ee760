import Testing
@testable import XMPPCore

/// RFC 6120 §11: what an XMPP stream must not contain, and what Expat would
/// accept silently if the reader did not object.
@Suite("XMLStreamReader restricted XML and malformed input")
struct XMLStreamReaderRestrictedXMLTests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let bytes: [UInt8]
        let kind: XMLStreamError.Kind
        let condition: StreamError.Condition
        var description: String { name }

        init(_ name: String, _ text: String, _ kind: XMLStreamError.Kind, _ condition: StreamError.Condition) {
            self.init(name, Array(text.utf8), kind, condition)
        }

        init(_ name: String, _ bytes: [UInt8], _ kind: XMLStreamError.Kind, _ condition: StreamError.Condition) {
            self.name = name
            self.bytes = bytes
            self.kind = kind
            self.condition = condition
        }
    }

    static let header = serverStreamHeader
    static let message = "<message id='ok'><body>fine</body></message>"

    static let restricted: [Case] = [
        Case("comment between stanzas", header + message + "<!-- c -->", .comment, .restrictedXML),
        Case("comment inside a stanza", header + "<message><!-- c --><body/></message>", .comment, .restrictedXML),
        Case("processing instruction", header + message + "<?foo bar?>", .processingInstruction, .restrictedXML),
        Case("doctype before the header", "<?xml version='1.0'?><!DOCTYPE stream:stream>" + header, .doctype, .restrictedXML),
        Case(
            "billion laughs",
            "<?xml version='1.0'?><!DOCTYPE s [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>"
                + "<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>]><s>&c;</s>",
            .doctype, .restrictedXML
        ),
        Case(
            "external entity",
            "<!DOCTYPE s [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><s>&x;</s>",
            .doctype, .restrictedXML
        ),
        Case("undefined entity reference", header + "<message><body>&foo;</body></message>", .entityReference, .restrictedXML),
        Case("undefined entity in attribute", header + "<message id='&foo;'/>", .entityReference, .restrictedXML),
    ]

    static let malformed: [Case] = [
        Case("mismatched end tag", header + "<message><body></message>", .notWellFormed, .notWellFormed),
        Case("duplicate attribute", header + "<message id='a' id='b'/>", .notWellFormed, .notWellFormed),
        Case("unbound prefix", header + "<foo:message/>", .notWellFormed, .notWellFormed),
        Case("unbound attribute prefix", header + "<message foo:id='x'/>", .notWellFormed, .notWellFormed),
        Case("overlong UTF-8", Array((header + "<message><body>").utf8) + [0xC0, 0x80] + Array("</body></message>".utf8), .notWellFormed, .notWellFormed),
        Case("UTF-8 surrogate", Array((header + "<message><body>").utf8) + [0xED, 0xA0, 0x80] + Array("</body></message>".utf8), .notWellFormed, .notWellFormed),
        Case("byte F5", Array((header + "<message><body>").utf8) + [0xF5, 0x80, 0x80, 0x80] + Array("</body></message>".utf8), .notWellFormed, .notWellFormed),
        Case("UTF-16 byte order mark", [0xFF, 0xFE] + Array(header.utf8), .notWellFormed, .notWellFormed),
        Case("NUL character reference", header + "<message><body>&#x0;</body></message>", .notWellFormed, .notWellFormed),
        Case("U+FFFE character reference", header + "<message><body>&#xFFFE;</body></message>", .notWellFormed, .notWellFormed),
        Case("surrogate character reference", header + "<message><body>&#xD800;</body></message>", .notWellFormed, .notWellFormed),
        Case("raw control character", header + "<message><body>\u{1}</body></message>", .notWellFormed, .notWellFormed),
        Case("XML declaration mid-stream", header + message + "<?xml version='1.0'?>", .notWellFormed, .notWellFormed),
        Case("namespace separator in xmlns", header + "<message xmlns:a='urn:x\u{1F}y'/>", .notWellFormed, .notWellFormed),
        Case("data after the stream end", header + "</stream:stream><message/>", .notWellFormed, .notWellFormed),
        Case("text between stanzas", header + message + "hello", .textAtStreamLevel, .notWellFormed),
        Case("rebinding the xml prefix", header + "<message xmlns:xml='urn:other'/>", .badNamespacePrefix, .badNamespacePrefix),
        Case("binding the xmlns prefix", header + "<message xmlns:xmlns='urn:other'/>", .badNamespacePrefix, .badNamespacePrefix),
        Case("XML version 1.1", "<?xml version='1.1'?>" + header.dropFirst(21), .unsupportedVersion, .unsupportedVersion),
        Case("encoding ISO-8859-1", "<?xml version='1.0' encoding='ISO-8859-1'?>" + header.dropFirst(21), .unsupportedEncoding, .unsupportedEncoding),
        Case("encoding UTF-16", "<?xml version='1.0' encoding='UTF-16'?>" + header.dropFirst(21), .unsupportedEncoding, .unsupportedEncoding),
    ]

    @Test("restricted XML is refused with restricted-xml", arguments: restricted)
    func restrictedXML(_ testCase: Case) {
        check(testCase)
        #expect(testCase.kind.isRestrictedXML)
    }

    @Test("malformed XML is refused with the matching condition", arguments: malformed)
    func malformedXML(_ testCase: Case) {
        check(testCase)
    }

    private func check(_ testCase: Case) {
        for pieces in [[testCase.bytes], testCase.bytes.map { [$0] }] {
            let result = readEvents(pieces)
            #expect(result.error?.kind == testCase.kind, "\(testCase.name): \(String(describing: result.error))")
            #expect(result.error?.condition == testCase.condition)
            // Nothing after the offending construct may be delivered; the
            // well-formed message before it is.
            for element in elements(result.events) {
                #expect(element[attribute: "id"] == "ok", "\(testCase.name) delivered \(element)")
            }
        }
    }

    @Test("the five predefined entities and character references decode")
    func predefinedEntities() throws {
        let result = readEvents(Self.header + "<message><body>&lt;&amp;&gt;&quot;&apos;&#x41;&#65;&#x1F600;</body></message>")
        #expect(result.error == nil)
        #expect(elements(result.events).first?.firstChild(named: "body", namespace: "jabber:client")?.text == "<&>\"'AA\u{1F600}")
    }

    @Test("CDATA is text and never becomes a stanza")
    func cdataIsText() throws {
        let result = readEvents(Self.header + "<message><body><![CDATA[</body></message><message from='x'>]]></body></message>")
        let delivered = elements(result.events)
        #expect(result.error == nil)
        #expect(delivered.count == 1)
        #expect(delivered.first?.firstChild(named: "body", namespace: "jabber:client")?.text == "</body></message><message from='x'>")
    }

    @Test("an error is sticky until reset")
    func errorIsSticky() throws {
        let reader = XMLStreamReader()
        #expect(throws: XMLStreamError.self) { try reader.read(Array((Self.header + "<!-- x -->").utf8)) }
        let second = #expect(throws: XMLStreamError.self) { try reader.read(Array(Self.message.utf8)) }
        #expect(second?.kind == .comment)
        reader.reset()
        let events = try reader.read(Array((Self.header + Self.message).utf8))
        #expect(elements(events).count == 1)
    }

    @Test("events before the error in the same read are kept")
    func eventsBeforeErrorKept() {
        let result = readEvents(Self.header + Self.message + Self.message + "<!-- x -->" + Self.message)
        #expect(result.error?.kind == .comment)
        #expect(elements(result.events).count == 2)
    }
}
