import Testing
@testable import XMPPCore

/// Inputs the libFuzzer targets (`Fuzz/`, `Scripts/fuzz.sh`) found; each is
/// also a seed under `Tests/Fuzz/<target>/`.
@Suite("XML fuzz regressions")
struct XMLFuzzRegressionTests {
    let writer = XMLWriter()

    /// Reads `written` as a stanza of a client stream.
    func readBack(_ written: [UInt8]) -> (events: [XMLStreamEvent], error: XMLStreamError?) {
        readEvents([Array(serverStreamHeader.utf8) + written])
    }

    // writer: `<÷ xmlns='http://www.w3.org/1999/xhtml'/>` was written and
    // broke the stream; Expat accepts far fewer non-ASCII names than the
    // writer did, so the writer now takes ASCII names only.
    @Test("names Expat refuses are refused", arguments: ["÷", "\u{0301}x", "x·", "\u{FFFD}", "é", "日本", "\u{1F600}"])
    func nonASCIINames(name: String) {
        #expect(throws: XMLWriterError(.invalidName(name), element: XMLQualifiedName(name, namespace: "urn:x"))) {
            try writer.bytes(XMLElement(name, namespace: "urn:x"))
        }
        #expect(throws: XMLWriterError.self) {
            try writer.bytes(XMLElement("x", namespace: "urn:x", attributes: [name: "v"]))
        }
    }

    // writer: `<iq xmlns='http://www.w3.org/XML/1998/namespace'/>`.
    @Test("elements in reserved namespaces are refused", arguments: [XMLNamespace.xml, XMLNamespace.xmlns])
    func reservedElementNamespaces(namespace: String) {
        #expect(throws: XMLWriterError(.reservedNamespace(namespace), element: XMLQualifiedName("iq", namespace: namespace))) {
            try writer.bytes(XMLElement("iq", namespace: namespace))
        }
    }

    @Test("an xmlns attribute cannot redeclare the element's namespace")
    func xmlnsAttributes() {
        let name = XMLQualifiedName("message", namespace: XMLNamespace.client)
        let plain = XMLElement(name: name, attributes: [XMLAttribute("xmlns", value: "urn:evil")])
        #expect(throws: XMLWriterError(.reservedNamespace(XMLNamespace.xmlns), element: name)) { try writer.bytes(plain) }
        let prefixed = XMLElement(name: name, attributes: [XMLAttribute(XMLQualifiedName("p", namespace: XMLNamespace.xmlns), value: "urn:x")])
        #expect(throws: XMLWriterError(.reservedNamespace(XMLNamespace.xmlns), element: name)) { try writer.bytes(prefixed) }
    }

    @Test("duplicate attributes are refused, the same local name in two namespaces is not")
    func duplicateAttributes() throws {
        let name = XMLQualifiedName("message", namespace: XMLNamespace.client)
        let duplicate = XMLElement(name: name, attributes: [XMLAttribute("id", value: "1"), XMLAttribute("id", value: "2")])
        #expect(throws: XMLWriterError(.duplicateAttribute(XMLQualifiedName("id")), element: name)) { try writer.bytes(duplicate) }

        let distinct = XMLElement(name: name, attributes: [
            XMLAttribute("lang", value: "a"), XMLAttribute(.xmlLang, value: "en"),
            XMLAttribute(XMLQualifiedName("lang", namespace: "urn:x"), value: "b"),
        ])
        let result = readBack(try writer.bytes(distinct))
        #expect(result.error == nil)
        #expect(elements(result.events) == [distinct])
    }

    /// Reads `bytes` whole and in `size`-byte pieces.
    func readWholeAndSplit(_ bytes: [UInt8], size: Int) -> (whole: XMLStreamError?, split: XMLStreamError?, sameEvents: Bool) {
        let whole = readEvents([bytes])
        let pieces = stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min($0 + size, bytes.count)]) }
        let split = readEvents(pieces)
        return (whole.error, split.error, whole.events == split.events)
    }

    // reader: the same bytes in 8-byte reads and in one read gave Expat
    // messages "junk after document element" and "invalid token" for data
    // after the stream end; the kind (and so the stream error) is the same.
    @Test("data after the stream end fails the same way however it is split")
    func dataAfterStreamEnd() {
        let result = readWholeAndSplit(Array((serverStreamHeader + "</stream:stream>message//>").utf8), size: 8)
        #expect(result.sameEvents)
        #expect(result.whole?.kind == .notWellFormed)
        #expect(result.split?.kind == .notWellFormed)
    }

    static let stanza = serverStreamHeader + "<message><body>hi</body></message>"
    static let utf16LE = Array(stanza.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    static let utf16BE = Array(stanza.utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }

    // reader: a stream starting with a byte and a NUL (`e\0am:stream…`) was
    // refused when the first read held one byte, but not when it came whole:
    // Expat guessed UTF-16LE from the first two bytes although the reader
    // asked for UTF-8. Whole UTF-16 streams, with or without a byte order
    // mark, were read like UTF-8 ones.
    @Test("UTF-16 is refused at the stream start however it is split", arguments: [
        utf16LE, utf16BE, [0xFF, 0xFE] + utf16LE, [0xFE, 0xFF] + utf16BE,
        [0x65, 0x00, 0x61, 0x6D, 0x3A, 0x73, 0x74, 0x72, 0x65, 0x61, 0x6D, 0x00, 0xEF, 0xBB, 0xBF],
    ])
    func utf16Refused(bytes: [UInt8]) {
        for size in [1, 2, 3, bytes.count] {
            let pieces = stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min($0 + size, bytes.count)]) }
            let result = readEvents(pieces)
            #expect(result.events.isEmpty, "pieces of \(size)")
            #expect(result.error?.kind == .notWellFormed, "pieces of \(size)")
            #expect((result.error?.byteOffset ?? 9) < 2, "pieces of \(size)")
        }
    }

    @Test("a stream restart checks the new stream's first bytes too")
    func utf16AfterRestart() throws {
        let reader = XMLStreamReader()
        _ = try reader.read(Array(serverStreamHeader.utf8))
        reader.reset()
        #expect(throws: XMLStreamError.self) { try reader.read(Self.utf16LE) }
        reader.reset()
        #expect(try reader.read(Array(Self.stanza.utf8)).count == 2)
    }

    // reader: text between stanzas that runs into `]]>` is an invalid token
    // to Expat when it arrives whole, but text at stream level when a read
    // ends inside it (Expat hands the first piece over as text). Either way
    // the stream error is not-well-formed.
    @Test("text between stanzas running into ]]> is not-well-formed however it is split")
    func streamLevelTextIntoCDATAEnd() {
        let result = readWholeAndSplit(Array((serverStreamHeader + "XXXXXXXXXXXXXXXXXXXX]]>").utf8), size: 14)
        #expect(result.sameEvents)
        #expect(result.whole?.condition == .notWellFormed)
        #expect(result.split?.condition == .notWellFormed)
    }
}
