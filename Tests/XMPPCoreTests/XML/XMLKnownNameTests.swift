import Testing

@testable import XMPPCore

/// Every name table is seeded with the known names at fixed indices, so a
/// parsed node or attribute has a known name exactly when its index says
/// so: checked against the names themselves, across a store rotation too.
@Suite struct XMLKnownNameTests {
    /// The known name each node and attribute of `element` has by its index,
    /// against the one its name says; returns how many disagree.
    static func disagreements(in element: XMLElement) throws -> Int {
        let (tree, root) = try #require(element.parsedNode)
        var wrong = 0
        func visit(_ node: Int32) {
            let byName = XMLKnownName.allCases.first { $0.qualifiedName == tree.name(of: node) }
            if tree.knownName(of: node) != byName { wrong += 1 }
            let slots = tree.node(node)
            for attribute in slots.attributeStart..<(slots.attributeStart + slots.attributeCount) {
                let byName = XMLKnownName.allCases.first { $0.qualifiedName == tree.attributeName(attribute) }
                if tree.knownAttributeName(attribute) != byName { wrong += 1 }
            }
            for position in slots.childStart..<(slots.childStart + slots.childCount) where tree.child(position) >= 0 {
                visit(tree.child(position))
            }
        }
        visit(root)
        return wrong
    }

    static let stanza = "<message to='a@b' from='c@d' id='1' type='chat' xml:lang='en' xmlns:x='urn:x' x:to='t' x:id='i'>"
        + "<body>b</body><subject>s</subject><thread>t</thread><error/><x:body/><message xmlns='urn:other'/>"
        + "<presence/><iq/><type/><to xmlns='jabber:client'/></message>"

    @Test("Known names by index agree with the names, in the client namespace and out of it")
    func indicesAgreeWithNames() throws {
        let result = readEvents(serverStreamHeader + Self.stanza + "<presence from='e@f'/><iq id='2' type='get'/>")
        #expect(result.error == nil)
        let stanzas = elements(result.events)
        #expect(stanzas.count == 3)
        for element in stanzas { #expect(try Self.disagreements(in: element) == 0) }
        let (tree, root) = try #require(stanzas.first?.parsedNode)
        #expect(tree.knownName(of: root) == .message)
    }

    @Test("After the store is replaced, the known names keep their indices")
    func afterRotation() throws {
        // Over half a store of distinct names in one stanza forces a new
        // store before the next one.
        let many = (0..<2_100).map { "<n\($0)/>" }.joined()
        let result = readEvents(serverStreamHeader + "<s>\(many)</s>" + Self.stanza)
        #expect(result.error == nil)
        let last = try #require(elements(result.events).last)
        #expect(try Self.disagreements(in: last) == 0)
        let (tree, root) = try #require(last.parsedNode)
        #expect(tree.knownName(of: root) == .message)
    }

    @Test("XMLKnownName(_:) finds a known name exactly when the whole name is equal")
    func lookupByName() {
        let namespaces = ["", XMLNamespace.client, XMLNamespace.streams, XMLNamespace.xml, "urn:other"]
        let localNames = XMLKnownName.allCases.map(\.qualifiedName.localName) + ["", "Message", "bodyx", "x"]
        for localName in localNames {
            for namespace in namespaces {
                let name = XMLQualifiedName(localName, namespace: namespace)
                let expected = XMLKnownName.allCases.first { $0.qualifiedName == name }
                #expect(XMLKnownName(name) == expected, "\(name)")
            }
        }
        for known in XMLKnownName.allCases { #expect(XMLKnownName(known.qualifiedName) == known) }
    }

    @Test("knownName, hasName and isStanza agree for parsed and built elements")
    func parsedAndBuiltAgree() throws {
        let result = readEvents(serverStreamHeader + Self.stanza + "<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>")
        let parsed = elements(result.events)
        #expect(parsed.count == 2)
        for element in parsed {
            let built = XMLElement(name: element.name, attributes: Array(element.attributes), children: Array(element.children))
            #expect(element.knownName == built.knownName)
            #expect(element.knownName == XMLKnownName(element.name))
            for known in XMLKnownName.allCases {
                #expect(element.hasName(known.qualifiedName, known: known) == (element.name == known.qualifiedName))
                #expect(built.hasName(known.qualifiedName, known: known) == (element.name == known.qualifiedName))
            }
            #expect(AnyStanza.isStanza(element) == AnyStanza.isStanza(built))
        }
        #expect(parsed[0].knownName == .message && AnyStanza.isStanza(parsed[0]))
        #expect(parsed[1].knownName == .streamError && !AnyStanza.isStanza(parsed[1]))
        // Another namespace's message is no client stanza, by index or by name.
        let other = try #require(elements(readEvents(serverStreamHeader + "<message xmlns='urn:other'/>").events).first)
        #expect(other.knownName == nil)
        #expect(!AnyStanza.isStanza(other))
        #expect(AnyStanza.isStanza(other, namespace: "urn:other"))
    }

    @Test("withAttributeValueBytes reads a known attribute's value, parsed or built, and ignores prefixed namesakes")
    func knownAttributeValueByBytes() throws {
        let parsed = try #require(elements(readEvents(serverStreamHeader + Self.stanza).events).first)
        let built = XMLElement(name: parsed.name, attributes: Array(parsed.attributes), children: [])
        func equals(_ element: XMLElement, _ known: XMLKnownName, _ value: String) -> Bool? {
            var value = value
            return value.withUTF8 { expected in element.withAttributeValueBytes(known) { $0.elementsEqual(expected) } }
        }
        for element in [parsed, built] {
            #expect(equals(element, .to, "a@b") == true)
            #expect(equals(element, .from, "c@d") == true)
            #expect(equals(element, .from, "c@d/r") == false)
            #expect(equals(element, .from, "c@") == false)
            #expect(equals(element, .from, "") == false)
            // x:to and x:id are other names: the unprefixed ones are compared.
            #expect(equals(element, .id, "1") == true)
            #expect(equals(element, .id, "i") == false)
            #expect(equals(element, .xmlLang, "en") == true)
            #expect(equals(element, .body, "b") == nil)
        }
        let bare = try #require(elements(readEvents(serverStreamHeader + "<presence x:from='c@d' xmlns:x='urn:x'/>").events).first)
        #expect(equals(bare, .from, "c@d") == nil)
    }
}
