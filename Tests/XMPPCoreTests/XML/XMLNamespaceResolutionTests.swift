import CExpat
import Testing
@testable import XMPPCore

/// How the reader resolves names (Namespaces in XML 1.0), case by case and
/// against Expat's namespace mode driven directly: the reader runs Expat
/// without namespace processing and resolves names itself, through its
/// namespace scope, name table and tree, and these tests pin the result to
/// what Expat's namespace mode makes of the same bytes: every name and
/// every refusal.
@Suite("XMLStreamReader namespace resolution")
struct XMLNamespaceResolutionTests {
    static let header = serverStreamHeader

    @Test("names resolve through the bindings in force, innermost first")
    func resolution() throws {
        let stanza = "<message xmlns:p='urn:p' p:a='1' b='2' xml:lang='en'>"
            + "<p:x xmlns:p='urn:q'><y xmlns='urn:d'><p:z/></y><w xmlns=''/></p:x><p:v/><body>hi</body></message>"
        let result = readEvents(Self.header + stanza)
        #expect(result.error == nil)
        let message = try #require(elements(result.events).first)
        #expect(message.name == XMLQualifiedName("message", namespace: "jabber:client"))
        #expect(message.attributes.map(\.name) == [
            XMLQualifiedName("a", namespace: "urn:p"), XMLQualifiedName("b"), .xmlLang,
        ])
        let children = message.elements
        #expect(children.map(\.name) == [
            XMLQualifiedName("x", namespace: "urn:q"),
            XMLQualifiedName("v", namespace: "urn:p"),
            XMLQualifiedName("body", namespace: "jabber:client"),
        ])
        let x = try #require(children.first)
        #expect(x.attributes.isEmpty, "declarations are not attributes")
        #expect(x.elements.map(\.name) == [XMLQualifiedName("y", namespace: "urn:d"), XMLQualifiedName("w")])
        #expect(x.elements.first?.elements.first?.name == XMLQualifiedName("z", namespace: "urn:q"))
    }

    @Test("the header's declarations are reported and stay in force for the stream")
    func headerDeclarations() throws {
        let result = readEvents(Self.header + "<stream:features/><message/>")
        #expect(result.error == nil)
        guard case .streamStart(let header)? = result.events.first else {
            Issue.record("no stream header: \(result.events)")
            return
        }
        #expect(header.name == XMLQualifiedName("stream", namespace: XMLNamespace.streams))
        #expect(header.namespaceDeclarations == ["": "jabber:client", "stream": XMLNamespace.streams])
        #expect(!header.attributes.contains { $0.name.localName.hasPrefix("xmlns") })
        #expect(header.attributes.contains { $0.name == .xmlLang })
        #expect(elements(result.events).map(\.name) == [
            XMLQualifiedName("features", namespace: XMLNamespace.streams),
            XMLQualifiedName("message", namespace: "jabber:client"),
        ])
    }

    @Test("a binding ends with its element, also across stanzas")
    func scopeEnds() throws {
        let result = readEvents(Self.header + "<message xmlns:p='urn:p'><p:x/></message><message><p:x/></message>")
        #expect(elements(result.events).count == 1)
        #expect(result.error?.kind == .notWellFormed)
    }

    struct Refusal: Sendable, CustomStringConvertible {
        let description: String
        let stanza: String
        let kind: XMLStreamError.Kind
    }

    static let refusals: [Refusal] = [
        Refusal(description: "unbound element prefix", stanza: "<p:message/>", kind: .notWellFormed),
        Refusal(description: "unbound attribute prefix", stanza: "<message p:id='1'/>", kind: .notWellFormed),
        Refusal(description: "xmlns as an element prefix", stanza: "<xmlns:message/>", kind: .notWellFormed),
        Refusal(description: "a prefix undeclared", stanza: "<message xmlns:p=''/>", kind: .notWellFormed),
        Refusal(description: "an empty declared prefix", stanza: "<message xmlns:='urn:x'/>", kind: .notWellFormed),
        Refusal(description: "a declared prefix starting with a digit", stanza: "<message xmlns:1='urn:x'/>", kind: .notWellFormed),
        Refusal(description: "a colon in a declared prefix", stanza: "<message xmlns:a:b='urn:x'/>", kind: .notWellFormed),
        Refusal(description: "two colons in a name", stanza: "<message xmlns:a='urn:x'><a:b:c/></message>", kind: .notWellFormed),
        Refusal(description: "an empty prefix", stanza: "<:message/>", kind: .notWellFormed),
        Refusal(description: "an empty local part", stanza: "<message xmlns:a='urn:x'><a:/></message>", kind: .notWellFormed),
        Refusal(description: "a local part starting with a digit", stanza: "<message xmlns:a='urn:x'><a:1/></message>", kind: .notWellFormed),
        Refusal(description: "one expanded name twice", stanza: "<message xmlns:a='urn:x' xmlns:b='urn:x' a:k='1' b:k='2'/>", kind: .notWellFormed),
        Refusal(description: "the xml prefix rebound", stanza: "<message xmlns:xml='urn:x'/>", kind: .badNamespacePrefix),
        Refusal(description: "the xmlns prefix declared", stanza: "<message xmlns:xmlns='urn:x'/>", kind: .badNamespacePrefix),
        Refusal(description: "the xml namespace under another prefix", stanza: "<message xmlns:x='http://www.w3.org/XML/1998/namespace'/>", kind: .badNamespacePrefix),
        Refusal(description: "the xml namespace as the default", stanza: "<message xmlns='http://www.w3.org/XML/1998/namespace'/>", kind: .badNamespacePrefix),
        Refusal(description: "the xmlns namespace bound", stanza: "<message xmlns:x='http://www.w3.org/2000/xmlns/'/>", kind: .badNamespacePrefix),
    ]

    @Test("names and declarations outside Namespaces in XML 1.0 are refused", arguments: refusals)
    func refused(_ refusal: Refusal) {
        let result = readEvents(Self.header + "<message id='ok'/>" + refusal.stanza)
        #expect(result.error?.kind == refusal.kind, "\(String(describing: result.error))")
        #expect(elements(result.events).count == 1, "only the stanza before the refused one")
    }

    @Test("allowed corner cases: xml prefix declared as itself, the default undeclared, distinct expanded names")
    func allowed() throws {
        let stanza = "<message xmlns:xml='http://www.w3.org/XML/1998/namespace' xmlns:a='urn:x' xmlns:b='urn:y' a:k='1' b:k='2' k='3'>"
            + "<x xmlns=''/></message>"
        let result = readEvents(Self.header + stanza)
        #expect(result.error == nil)
        let message = try #require(elements(result.events).first)
        #expect(message.attributes.count == 3)
        #expect(message.elements.first?.name == XMLQualifiedName("x"))
    }

    // MARK: Against Expat's namespace mode

    /// What a parser made of one stanza: every start tag's expanded name
    /// and its attributes (sorted), or that it refused the stanza.
    private static func expatOutline(_ document: String) -> [String]? {
        final class Outline { var lines: [String] = [] }
        guard let parser = XML_ParserCreateNS("UTF-8", 0x1F) else { return nil }
        defer { XML_ParserFree(parser) }
        let outline = Outline()
        XML_SetUserData(parser, Unmanaged.passUnretained(outline).toOpaque())
        XML_SetStartElementHandler(parser) { userData, name, attributes in
            guard let userData, let name, let attributes else { return }
            let outline = Unmanaged<Outline>.fromOpaque(userData).takeUnretainedValue()
            var pairs: [String] = []
            var index = 0
            while let key = attributes[index], let value = attributes[index + 1] {
                pairs.append(String(cString: key) + "=" + String(cString: value))
                index += 2
            }
            outline.lines.append(String(cString: name) + " " + pairs.sorted().joined(separator: " "))
        }
        let bytes = Array(document.utf8)
        let status = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { XML_Parse(parser, $0.baseAddress, Int32($0.count), 1) }
        }
        // The stream header is left open: only the start tags count.
        guard status == XML_STATUS_OK || XML_GetErrorCode(parser) == XML_ERROR_NO_ELEMENTS else { return nil }
        return Array(outline.lines.dropFirst())
    }

    private static func readerOutline(_ document: String) -> [String]? {
        let result = readEvents(document)
        guard result.error == nil else { return nil }
        var lines: [String] = []
        func visit(_ element: XMLElement) {
            let pairs = element.attributes.map { expanded($0.name) + "=" + $0.value }
            lines.append(expanded(element.name) + " " + pairs.sorted().joined(separator: " "))
            element.elements.forEach(visit)
        }
        elements(result.events).forEach(visit)
        return lines
    }

    private static func expanded(_ name: XMLQualifiedName) -> String {
        name.namespace.isEmpty ? name.localName : name.namespace + "\u{1F}" + name.localName
    }

    @Test("random namespace-heavy stanzas: the reader and Expat's namespace mode agree")
    func agreesWithExpat() {
        let prefixes = ["", "", "a", "b", "xml", "xmlns"]
        let locals = ["k", "m", "1", "", "x:y"]
        let uris = ["urn:1", "urn:2", "", "http://www.w3.org/XML/1998/namespace", "http://www.w3.org/2000/xmlns/"]
        var generator = SeededGenerator(seed: 0x6E73)
        var accepted = 0
        var refused = 0
        for _ in 0..<3_000 {
            func name(_ generator: inout SeededGenerator) -> String {
                let prefix = prefixes.randomElement(using: &generator) ?? ""
                let local = generator.next() % 4 == 0 ? (locals.randomElement(using: &generator) ?? "k") : "k"
                return prefix.isEmpty ? local : prefix + ":" + local
            }
            func tag(_ generator: inout SeededGenerator, depth: Int) -> String {
                var text = "<" + (generator.next() % 3 == 0 ? name(&generator) : "e")
                var used: Set<String> = []
                for _ in 0..<Int(generator.next() % 4) {
                    let declaration = generator.next() % 2 == 0
                    let key = declaration
                        ? (generator.next() % 3 == 0 ? "xmlns" : "xmlns:" + (prefixes.randomElement(using: &generator) ?? "a"))
                        : name(&generator)
                    guard used.insert(key).inserted else { continue }
                    text += " \(key)='\(declaration ? (uris.randomElement(using: &generator) ?? "") : "v")'"
                }
                guard depth < 2, generator.next() % 2 == 0 else { return text + "/>" }
                let inner = tag(&generator, depth: depth + 1)
                let closing = text.dropFirst().prefix { $0 != " " }
                return text + ">" + inner + "</" + closing + ">"
            }
            let stanza = tag(&generator, depth: 0)
            let document = Self.header + stanza
            let expat = Self.expatOutline(document)
            let reader = Self.readerOutline(document)
            #expect(expat == reader, "\(stanza)")
            if expat == nil { refused += 1 } else { accepted += 1 }
        }
        // Both outcomes must be well represented for the comparison to mean much.
        #expect(accepted > 500 && refused > 500, "accepted \(accepted), refused \(refused)")
    }
}
