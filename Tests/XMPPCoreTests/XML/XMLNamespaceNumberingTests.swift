import Testing
@testable import XMPPCore

/// The reader numbers namespace URIs (``XMLNamespaceTable``) and keys names
/// on those numbers. These tests push the numbering past its bounds: a
/// stream may use any number of namespaces, one stanza at least 128, and
/// the stream header's bindings survive every fresh start of the table.
@Suite("Reader namespace numbering")
struct XMLNamespaceNumberingTests {
    @Test("the table numbers URIs exactly, once each, up to its capacity")
    func exactNumbers() {
        var table = XMLNamespaceTable()
        defer { table.deallocate() }
        func number(_ uri: String) -> Int32? {
            var uri = uri
            return uri.withUTF8 { buffer in buffer.baseAddress.flatMap { table.number($0, count: buffer.count) } }
        }
        #expect(table.count == 2, "no namespace and the xml namespace come first")
        #expect(number(XMLNamespace.xml) == XMLNamespaceTable.xml)
        // Short and long URIs, some equal in their first and last eight bytes.
        let uris = (0..<(XMLNamespaceTable.capacity - 2)).map { index in
            index % 2 == 0 ? "urn:\(index)" : "urn:xmpp:" + String(repeating: "m", count: index % 40) + "\(index):end-of-it"
        }
        let first = uris.map(number)
        #expect(first == (2..<Int32(XMLNamespaceTable.capacity)).map { Optional($0) })
        #expect(uris.map(number) == first, "the same URI, the same number")
        #expect(zip(uris, first).allSatisfy { uri, number in
            number.map { table.uris[Int($0)] == uri && table.length($0) == uri.utf8.count } ?? false
        })
        #expect(number("urn:one-too-many") == nil)
        #expect(number("urn:0") == 2, "known URIs still resolve when full")
        table.removeAll()
        #expect(table.count == 2)
        #expect(number("urn:one-too-many") == 2)
    }

    @Test("a stream declaring a new namespace in every stanza reads on, the header's bindings intact")
    func endlessNamespaces() throws {
        // 3,000 stanzas, each a new default namespace and a new prefixed
        // one: the table starts afresh many times, each time numbering the
        // header's bindings again.
        var document = serverStreamHeader
        for index in 0..<3_000 {
            document += "<x\(index % 7) xmlns='urn:d:\(index)' xmlns:p='urn:p:\(index)' p:a='1'><p:y/></x\(index % 7)>"
        }
        document += "<stream:features/><message xml:lang='en'><body>hi</body></message>"
        let result = readEvents(document)
        #expect(result.error == nil, "\(String(describing: result.error))")
        let read = elements(result.events)
        try #require(read.count == 3_002)
        for index in [0, 1, 129, 1_000, 2_999] {
            let element = read[index]
            #expect(element.name == XMLQualifiedName("x\(index % 7)", namespace: "urn:d:\(index)"))
            #expect(element.attributes.map(\.name) == [XMLQualifiedName("a", namespace: "urn:p:\(index)")])
            #expect(element.elements.first?.name == XMLQualifiedName("y", namespace: "urn:p:\(index)"))
        }
        #expect(read[3_000].name == XMLQualifiedName("features", namespace: XMLNamespace.streams))
        #expect(read[3_001].name == XMLQualifiedName("message", namespace: XMLNamespace.client))
        #expect(read[3_001].attributes.map(\.name) == [.xmlLang])
        #expect(read[3_001].elements.first?.name == XMLQualifiedName("body", namespace: XMLNamespace.client))
    }

    @Test("one stanza may use 128 distinct namespaces; past the table's capacity it is refused")
    func namespacesPerStanza() {
        func stanza(namespaces: Int) -> String {
            (0..<namespaces).map { "<c xmlns='urn:s:\(namespaces):\($0)'/>" }.joined()
        }
        let allowed = readEvents(serverStreamHeader + "<message>" + stanza(namespaces: 128) + "</message>")
        #expect(allowed.error == nil)
        #expect(elements(allowed.events).first?.elements.last?.name == XMLQualifiedName("c", namespace: "urn:s:128:127"))
        let refused = readEvents(serverStreamHeader + "<message/><message>" + stanza(namespaces: 300) + "</message>")
        #expect(refused.error?.kind == .tooManyNames)
        #expect(elements(refused.events).count == 1, "the stanza before is kept")
    }

    @Test("two prefixes bound to one namespace repeat an attribute's name even after the table started afresh")
    func duplicateAfterRenumbering() {
        var document = serverStreamHeader
        for index in 0..<200 { document += "<x xmlns='urn:fill:\(index)'/>" }
        document += "<message xmlns:a='urn:same' xmlns:b='urn:same' a:k='1' b:k='2'/>"
        let result = readEvents(document)
        #expect(result.error?.kind == .notWellFormed)
        #expect(elements(result.events).count == 200)
    }
}
