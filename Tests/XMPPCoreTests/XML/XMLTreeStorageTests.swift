import Testing
@testable import XMPPCore

/// The one-allocation-per-stanza storage behind parsed elements: content
/// order, copy-on-write, lifetimes, and the bounds on remembered names.
@Suite("Parsed element storage")
struct XMLTreeStorageTests {
    @Test("mixed content keeps text and elements in order")
    func mixedContent() throws {
        let result = readEvents(serverStreamHeader + "<a k='1'>x<b y='2'/>z<c>w<d/>u</c>v</a>")
        let a = try #require(elements(result.events).first)
        let expected = XMLElement(name: XMLQualifiedName("a", namespace: "jabber:client"), attributes: [XMLAttribute("k", value: "1")], children: [
            .text("x"),
            .element(XMLElement("b", namespace: "jabber:client", attributes: ["y": "2"])),
            .text("z"),
            .element(XMLElement(name: XMLQualifiedName("c", namespace: "jabber:client"), children: [
                .text("w"), .element(XMLElement("d", namespace: "jabber:client")), .text("u"),
            ])),
            .text("v"),
        ])
        #expect(a == expected)
        #expect(a.hashValue == expected.hashValue)
        #expect(Array(a.children).count == 5)
    }

    @Test("changing a parsed element copies it and leaves the original alone")
    func copyOnWrite() throws {
        let parsed = try #require(elements(readEvents(serverStreamHeader + "<m id='1'><body>hi</body></m>").events).first)
        var changed = parsed
        changed[attribute: "id"] = "2"
        changed.append(XMLElement("x", namespace: "urn:x"))
        changed.name.localName = "n"
        #expect(parsed[attribute: "id"] == "1")
        #expect(parsed.elements.count == 1)
        #expect(parsed.name.localName == "m")
        #expect(changed[attribute: "id"] == "2")
        #expect(changed.elements.count == 2)
        #expect(changed.name.localName == "n")
        // A built element shared by two values is copied on change too.
        var first = XMLElement("a", namespace: "urn:x", attributes: ["v": "1"])
        let second = first
        first[attribute: "v"] = "2"
        #expect(second[attribute: "v"] == "1")
        #expect(first[attribute: "v"] == "2")
    }

    @Test("parsed elements outlive the reader that made them")
    func outliveReader() throws {
        var kept: [XMLElement] = []
        do {
            let reader = XMLStreamReader()
            let events = try reader.read(Array((serverStreamHeader + "<message from='a@b/c'><body>hello</body></message>").utf8))
            kept = elements(events)
        }
        #expect(kept.first?[attribute: "from"] == "a@b/c")
        #expect(kept.first?.firstChild(named: "body", namespace: "jabber:client")?.text == "hello")
    }

    @Test("elements can be handed to another task")
    func sendable() async throws {
        let parsed = try #require(elements(readEvents(serverStreamHeader + "<m><body>async</body></m>").events).first)
        let text = await Task.detached { parsed.firstChild(named: "body", namespace: "jabber:client")?.text }.value
        #expect(text == "async")
    }

    @Test("a stream with many distinct names keeps working across name-store rotations")
    func nameStoreRotation() throws {
        let reader = XMLStreamReader()
        _ = try reader.read(Array(serverStreamHeader.utf8))
        var firstElements: [XMLElement] = []
        // 10,000 distinct names, 50 per stanza: several rotations.
        for stanza in 0..<200 {
            let children = (0..<50).map { "<n\(stanza)x\($0) a\($0)='v'/>" }.joined()
            let events = try reader.read(Array("<s\(stanza)>\(children)</s\(stanza)>".utf8))
            let element = try #require(elements(events).first)
            #expect(element.name.localName == "s\(stanza)")
            #expect(element.elements.last?.name.localName == "n\(stanza)x49")
            if stanza < 3 { firstElements.append(element) }
        }
        // Trees built before a rotation still read their own names.
        #expect(firstElements.map(\.name.localName) == ["s0", "s1", "s2"])
        #expect(firstElements[1].elements[7].attributes.first?.name.localName == "a7")
    }

    @Test("more distinct names in one stanza than the store keeps is a policy violation")
    func tooManyNames() {
        let children = (0..<4_200).map { "<n\($0)/>" }.joined()
        let result = readEvents(serverStreamHeader + "<s>\(children)</s>")
        #expect(result.error?.kind == .tooManyNames)
        #expect(result.error?.condition == .policyViolation)
    }
}
