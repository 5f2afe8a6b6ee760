import Testing
@testable import XMPPCore

/// The writer's fast paths (a stack-lent scratch and stacks, a word-at-a-time
/// escape scan, attribute keys instead of names, length-first comparisons)
/// must write and refuse exactly what a plain, byte-by-byte writer would.
@Suite("XMLWriter fast paths")
struct XMLWriterFastPathTests {
    let writer = XMLWriter()

    /// The escaping the writer must produce, one character at a time.
    static func referenceEscaped(_ text: String, inAttribute: Bool) -> String? {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "'" where inAttribute: result += "&apos;"
            case "\"" where inAttribute: result += "&quot;"
            case "\r": result += "&#13;"
            case "\t" where inAttribute: result += "&#9;"
            case "\n" where inAttribute: result += "&#10;"
            case "\t", "\n": result.unicodeScalars.append(scalar)
            case "\u{0}"..."\u{1F}", "\u{FFFE}", "\u{FFFF}": return nil
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    @Test("escaping matches a character-by-character escaper at every offset")
    func escapingAtEveryOffset() throws {
        // Each special character at each position of texts of 1 to 24
        // characters, around the scan's eight-byte words and its tail.
        let specials = ["&", "<", ">", "'", "\"", "#", "\r", "\t", "\n", "\u{1}", "\u{FFFE}", "\u{FFFF}", "\u{FFEF}", "\u{F000}", "ï", "é"]
        for special in specials {
            for length in 1...24 {
                for position in 0..<length {
                    var text = String(repeating: "a", count: position) + special
                    text += String(repeating: "b", count: length - position - 1)
                    for inAttribute in [false, true] {
                        let element = inAttribute
                            ? XMLElement("x", namespace: "jabber:client", attributes: ["v": text])
                            : XMLElement("x", namespace: "jabber:client", text: text)
                        let written = Result { () throws(XMLWriterError) in try writer.string(element) }
                        if let escaped = Self.referenceEscaped(text, inAttribute: inAttribute) {
                            let expected = inAttribute ? "<x v='\(escaped)'/>" : "<x>\(escaped)</x>"
                            #expect(written == .success(expected), "\(text.debugDescription)")
                        } else {
                            #expect(throws: XMLWriterError.self, "\(text.debugDescription)") { try written.get() }
                        }
                    }
                }
            }
        }
    }

    @Test("output longer than the scratch arrives whole and in order")
    func longOutput() throws {
        let text = String(repeating: "0123456789<&>'\"é日\r", count: 400)
        let value = String(repeating: "v'", count: 700)
        var message = XMLElement("message", namespace: "jabber:client", attributes: ["id": value])
        for index in 0..<50 {
            message.append(XMLElement("x\(index)", namespace: "urn:x:\(index % 3)", text: text))
        }
        let bytes = try writer.bytes(message)
        #expect(bytes.count > 50 * text.utf8.count)
        let result = readEvents([Array(serverStreamHeader.utf8) + bytes])
        #expect(result.error == nil)
        #expect(elements(result.events) == [message])
        // Appending keeps what the buffer held.
        var buffer = Array("before".utf8)
        try writer.write(message, into: &buffer)
        #expect(buffer == Array("before".utf8) + bytes)
    }

    @Test("more attributes and deeper elements than the stacks lend")
    func beyondLentStorage() throws {
        let attributes = (0..<100).map { XMLAttribute("a\($0)", value: "\($0)") }
        var element = XMLElement(name: XMLQualifiedName("leaf", namespace: "urn:x"), attributes: attributes)
        for depth in 0..<60 {
            element = XMLElement(
                name: XMLQualifiedName("n\(depth)", namespace: "urn:\(depth % 4)"), attributes: attributes,
                children: [.text("t"), .element(element), .text("u")])
        }
        var limits = XMLStreamReader.Limits()
        limits.maxAttributes = 200
        let result = readEvents([Array(serverStreamHeader.utf8) + (try writer.bytes(element))], limits: limits)
        #expect(result.error == nil)
        #expect(elements(result.events) == [element])

        let duplicated = XMLElement(name: XMLQualifiedName("x", namespace: "urn:x"), attributes: attributes + [XMLAttribute("a57", value: "again")])
        #expect(throws: XMLWriterError(.duplicateAttribute(XMLQualifiedName("a57")), element: duplicated.name)) {
            try writer.bytes(duplicated)
        }
    }

    @Test("duplicates are names equal as Swift compares strings, not as bytes")
    func canonicallyEquivalentDuplicates() {
        let name = XMLQualifiedName("x", namespace: "urn:x")
        // The Kelvin sign is canonically equivalent to K: the same name, so a
        // duplicate (found before the sign itself is refused as a name).
        let kelvin = XMLQualifiedName("\u{212A}")
        let element = XMLElement(name: name, attributes: [XMLAttribute("K", value: "1"), XMLAttribute(kelvin, value: "2")])
        #expect(throws: XMLWriterError(.duplicateAttribute(kelvin), element: name)) { try writer.bytes(element) }
        // Alone it is refused as a name.
        let alone = XMLElement(name: name, attributes: [XMLAttribute("a", value: "1"), XMLAttribute(kelvin, value: "2")])
        #expect(throws: XMLWriterError(.invalidName("\u{212A}"), element: name)) { try writer.bytes(alone) }
        // Namespaces in different normalisation forms are the same namespace.
        let composed = XMLQualifiedName("p", namespace: "urn:\u{E9}")
        let decomposed = XMLQualifiedName("p", namespace: "urn:e\u{301}")
        let namespaced = XMLElement(name: name, attributes: [XMLAttribute(composed, value: "1"), XMLAttribute(decomposed, value: "2")])
        #expect(throws: XMLWriterError(.duplicateAttribute(decomposed), element: name)) { try writer.bytes(namespaced) }
        // The same local name in two namespaces (or none) is no duplicate.
        let distinct = XMLElement(name: name, attributes: [
            XMLAttribute("p", value: "0"), XMLAttribute(composed, value: "1"), XMLAttribute(XMLQualifiedName("p", namespace: "urn:y"), value: "2"),
        ])
        #expect(throws: Never.self) { try writer.bytes(distinct) }
    }

    /// Pins what ``XMLWriterName/equals(_:literal:)`` relies on: the only
    /// single characters equal to an ASCII one are those three (and
    /// combining marks never compose into ASCII), and the literals it is used
    /// with avoid them.
    @Test("only K, ; and ` have non-ASCII equivalents")
    func asciiEquivalents() {
        let ascii = Set((0..<128).map { String(UnicodeScalar(UInt8($0))) })
        var equivalents: [UInt32] = []
        for value in UInt32(0x80)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value), ascii.contains(String(scalar)) else { continue }
            equivalents.append(value)
        }
        #expect(equivalents == [0x037E, 0x1FEF, 0x212A])
        for literal in [XMLNamespace.xml, XMLNamespace.xmlns, "xmlns"] {
            #expect(literal.utf8.allSatisfy { $0 < 0x80 && $0 != UInt8(ascii: "K") && $0 != UInt8(ascii: ";") && $0 != UInt8(ascii: "`") })
        }
        // Equal strings of other lengths are still found equal where the
        // literal allows them, and never where it does not.
        // Why the literal must avoid them: these are equal, yet differ in length.
        #expect("\u{212A}" == "K")
        #expect(XMLWriterName.equals("\u{212A}", literal: "K") == false)
        #expect(XMLWriterName.equals("xmlns", literal: "xmlns"))
        #expect(!XMLWriterName.equals("xmln", literal: "xmlns"))
    }

    @Test("reserved names are refused whichever way they are spelled")
    func reservedSpellings() {
        let name = XMLQualifiedName("x", namespace: "urn:x")
        for attribute in [XMLAttribute("xmlns", value: "a"), XMLAttribute(XMLQualifiedName("p", namespace: XMLNamespace.xmlns), value: "a")] {
            #expect(throws: XMLWriterError(.reservedNamespace(XMLNamespace.xmlns), element: name)) {
                try writer.bytes(XMLElement(name: name, attributes: [XMLAttribute("a", value: "1"), attribute]))
            }
        }
        // Not reserved: names that only start or end like them.
        let similar = XMLElement(name: name, attributes: [
            XMLAttribute("xmlnsx", value: "1"), XMLAttribute(XMLQualifiedName("p", namespace: XMLNamespace.xmlns + "x"), value: "2"),
        ])
        #expect(throws: Never.self) { try writer.bytes(similar) }
        #expect(throws: Never.self) { try writer.bytes(XMLElement("x", namespace: XMLNamespace.xml + "/")) }
    }

    @Test("generated prefixes and default namespaces end with their element")
    func scopesEnd() throws {
        var root = XMLElement("a", namespace: "urn:a")
        root.append(XMLElement(name: XMLQualifiedName("b", namespace: "urn:b"), attributes: [XMLAttribute(XMLQualifiedName("p", namespace: "urn:x"), value: "1")]))
        var c = XMLElement(name: XMLQualifiedName("c", namespace: "urn:a"), attributes: [XMLAttribute(XMLQualifiedName("q", namespace: "urn:x"), value: "2")])
        c.append(XMLElement(name: XMLQualifiedName("d", namespace: "urn:a"), attributes: [XMLAttribute(XMLQualifiedName("r", namespace: "urn:x"), value: "3")]))
        root.append(c)
        root.append(XMLElement("e", namespace: "urn:a"))
        #expect(try writer.string(root) == "<a xmlns='urn:a'><b xmlns='urn:b' xmlns:ns1='urn:x' ns1:p='1'/>"
            + "<c xmlns:ns2='urn:x' ns2:q='2'><d ns2:r='3'/></c><e/></a>")
    }

    @Test("a scope's prefixes are used, and checked, however many there are")
    func scopePrefixes() throws {
        var prefixes: [String: String] = [:]
        for index in 0..<8 { prefixes["urn:p\(index)"] = "p\(index)" }
        for count in [1, 8] {
            let scope = XMLWriter.Scope(defaultNamespace: "jabber:client", prefixes: prefixes.filter { $0.key < "urn:p\(count)" })
            let element = XMLElement(
                name: XMLQualifiedName("x", namespace: "urn:p0"),
                attributes: [XMLAttribute(XMLQualifiedName("a", namespace: "urn:p\(count - 1)"), value: "v")])
            #expect(try XMLWriter(scope: scope).string(element) == "<p0:x p\(count - 1):a='v'/>")
        }
        let bad = XMLWriter.Scope(defaultNamespace: "", prefixes: ["urn:x": "1bad"])
        #expect(throws: XMLWriterError(.invalidName("1bad"), element: XMLQualifiedName("x", namespace: "urn:x"))) {
            try XMLWriter(scope: bad).bytes(XMLElement("x", namespace: "urn:x"))
        }
    }
}
