import Testing
@testable import XMPPCore

/// The reader's name table, name store and scratch buffers start small (an
/// idle session meets a few dozen names and small stanzas) and grow on
/// demand. These tests push each past its first sizes and check that nothing
/// already handed out (store indices, remembered names, partly built trees)
/// is lost on the way, and that the bounds stay exactly where they were.
@Suite("Reader growth from small initial sizes")
struct XMLReaderGrowthTests {
    /// Distinct names with local names from 2 to over 160 bytes: short ones
    /// (kept whole in the slot), ones over 16 bytes (kept in the arena) and
    /// ones over 128 bytes (never remembered); two thirds in one of 120
    /// namespaces.
    private static func mixedNames(_ count: Int) -> [XMLQualifiedName] {
        (0..<count).map { index in
            let local = "n\(index)" + String(repeating: "x", count: (index * 7) % 160)
            if index % 3 == 0 { return XMLQualifiedName(local) }
            return XMLQualifiedName(local, namespace: "urn:g:" + String(repeating: "y", count: (index * 13) % 120))
        }
    }

    /// The name's index, its namespace numbered first, as the reader does.
    private static func index(_ table: inout XMLNameTable, _ name: XMLQualifiedName) -> Int32? {
        var namespace = XMLNamespaceTable.none
        if !name.namespace.isEmpty {
            var uri = name.namespace
            guard let number = uri.withUTF8({ buffer in buffer.baseAddress.flatMap { table.namespaces.number($0, count: buffer.count) } })
            else { return nil }
            namespace = number
        }
        var local = name.localName
        return local.withUTF8 { buffer in
            buffer.baseAddress.flatMap { table.index(namespace: namespace, local: $0, count: buffer.count) }
        }
    }

    @Test("the name store hands out 4,096 stable indices across its growing chunks, then is full")
    func storeChunks() {
        let store = XMLNameStore()
        #expect(XMLNameStore.capacity == 4_096)
        for index in 0..<XMLNameStore.capacity {
            #expect(!store.isFull)
            let returned = store.append(XMLQualifiedName("l\(index)", namespace: index % 2 == 0 ? "" : "urn:\(index)"))
            if returned != Int32(index) {
                Issue.record("append \(index) returned \(returned)")
                return
            }
        }
        #expect(store.isFull)
        #expect(store.count == 4_096)
        var mismatches = 0
        for index in 0..<XMLNameStore.capacity {
            let name = store.name(Int32(index))
            if name != XMLQualifiedName("l\(index)", namespace: index % 2 == 0 ? "" : "urn:\(index)") { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test("a name store freed at any fill level releases what it holds", arguments: [0, 1, 31, 32, 33, 63, 64, 65, 127, 128, 2_047, 2_048, 2_049, 4_095])
    func storePartialFree(count: Int) {
        var store: XMLNameStore? = XMLNameStore()
        for index in 0..<count {
            _ = store?.append(XMLQualifiedName(String(repeating: "long-name-", count: 3) + "\(index)"))
        }
        #expect(store?.count == count)
        if count > 0 { #expect(store?.name(Int32(count - 1)).localName.hasSuffix("\(count - 1)") == true) }
        store = nil
    }

    /// The known names every table starts with (see ``XMLKnownName``).
    static let seeded = XMLKnownName.allCases.count

    @Test("the name table keeps every remembered name through its growth, and remembers at most 384")
    func tableGrowth() throws {
        var table = XMLNameTable()
        defer { table.deallocate() }
        let names = Self.mixedNames(1_000)
        // First pass: every name is new, so indices are handed out in order,
        // after the known names the table was seeded with.
        for (position, entry) in names.enumerated() {
            let index = try #require(Self.index(&table, entry))
            #expect(index == Int32(Self.seeded + position))
            #expect(table.store.name(index) == entry)
        }
        // Local names of at most 128 bytes are remembered, the first 384 of them
        // (three quarters of the largest table) counting the seeded ones;
        // the rest get a new index.
        var remembered = Self.seeded
        var expected: [Int32?] = []
        for (position, entry) in names.enumerated() {
            if entry.localName.utf8.count <= 128, remembered < 384 {
                remembered += 1
                expected.append(Int32(Self.seeded + position))
            } else {
                expected.append(nil)
            }
        }
        #expect(remembered == 384)
        var nextIndex = Int32(Self.seeded + names.count)
        var wrong = 0
        for (position, entry) in names.enumerated() {
            let index = try #require(Self.index(&table, entry))
            if let known = expected[position] {
                if index != known { wrong += 1 }
            } else {
                if index != nextIndex { wrong += 1 }
                nextIndex += 1
            }
            if table.store.name(index) != entry { wrong += 1 }
        }
        #expect(wrong == 0)
        #expect(table.store.count == Int(nextIndex))
    }

    @Test("a rotated name table starts a new store and remembers names again")
    func tableRotation() throws {
        var table = XMLNameTable()
        defer { table.deallocate() }
        let names = Self.mixedNames(2_100)
        for entry in names { _ = try #require(Self.index(&table, entry)) }
        let oldStore = table.store
        table.rotateIfNeeded()
        #expect(table.store !== oldStore)
        // The new store holds just the known names, at their indices again.
        #expect(table.store.count == Self.seeded)
        for known in XMLKnownName.allCases {
            #expect(table.store.name(known.rawValue) == known.qualifiedName)
        }
        // The old store still reads its names (trees built before keep it).
        #expect(oldStore.name(Int32(Self.seeded + 2_099)) == names[2_099])
        for (position, entry) in names.prefix(500).enumerated() {
            #expect(try #require(Self.index(&table, entry)) == Int32(Self.seeded + position))
        }
        // Again, after the table grew back: remembered names keep their index.
        for (position, entry) in names.prefix(100).enumerated() where entry.localName.utf8.count <= 128 {
            #expect(try #require(Self.index(&table, entry)) == Int32(Self.seeded + position))
        }
    }

    @Test("a stanza may bring exactly as many new names as the store has room for, not one more")
    func nameCapBoundary() throws {
        // A fresh store holds 4,096 names: the known names it is seeded
        // with (from, id and xml:lang among them), the header's other two
        // (stream, version), the root, and what fits of the children.
        let room = 4_096 - Self.seeded - 3
        let fits = (0..<room).map { "<n\($0)/>" }.joined()
        #expect(readEvents(serverStreamHeader + "<s>\(fits)</s>").error == nil)
        let over = (0..<(room + 1)).map { "<n\($0)/>" }.joined()
        let result = readEvents(serverStreamHeader + "<s>\(over)</s>")
        #expect(result.error?.kind == .tooManyNames)
        #expect(result.error?.condition == .policyViolation)
        // After a rotation (the store was over half full) a stanza gets a
        // whole new store: 4,096 names with the seeded ones and its root.
        let rotatedRoom = 4_096 - Self.seeded - 1
        let first = (0..<2_100).map { "<f\($0)/>" }.joined()
        let second = (0..<rotatedRoom).map { "<g\($0)/>" }.joined()
        let secondOver = (0..<(rotatedRoom + 1)).map { "<g\($0)/>" }.joined()
        let rotated = readEvents(serverStreamHeader + "<s>\(first)</s><t>\(second)</t>")
        #expect(rotated.error == nil)
        #expect(elements(rotated.events).last?.elements.last?.name.localName == "g\(rotatedRoom - 1)")
        let rotatedOver = readEvents(serverStreamHeader + "<s>\(first)</s><t>\(secondOver)</t>")
        #expect(rotatedOver.error?.kind == .tooManyNames)
        #expect(elements(rotatedOver.events).count == 1)
    }

    @Test("hundreds of distinct names across stanzas keep resolving to the right names")
    func manyNamesThroughReader() throws {
        let reader = XMLStreamReader()
        _ = try reader.read(Array(serverStreamHeader.utf8))
        // 600 distinct names (past 64 and 512 slots) in two namespaces, long
        // and short, read twice: the second time they come from the table.
        let children = (0..<600).map { index in
            let local = "e\(index)" + String(repeating: "z", count: index % 40)
            return index % 2 == 0 ? "<\(local) a\(index)='\(index)'/>" : "<\(local) xmlns='urn:other:\(index % 5)'/>"
        }.joined()
        for _ in 0..<2 {
            let element = try #require(elements(try reader.read(Array("<s>\(children)</s>".utf8))).first)
            let kids = element.elements
            #expect(kids.count == 600)
            for (index, kid) in kids.enumerated() {
                #expect(kid.name.localName == "e\(index)" + String(repeating: "z", count: index % 40))
                if index % 2 == 0 {
                    #expect(kid.name.namespace == "jabber:client")
                    #expect(kid[attribute: "a\(index)"] == "\(index)")
                } else {
                    #expect(kid.name.namespace == "urn:other:\(index % 5)")
                }
            }
        }
    }

    /// A stanza bigger than every scratch buffer's first size: 64 attributes
    /// with long values, hundreds of children, deep nesting, long text runs.
    private static func bigStanza(_ seed: Int) -> (xml: String, element: XMLElement) {
        let attributes = (0..<64).map { XMLAttribute("k\($0)", value: String(repeating: "v\(seed)", count: 20 + $0)) }
        var children: [XMLNode] = []
        for index in 0..<300 {
            children.append(.text("t\(index)-" + String(repeating: "w", count: index % 17)))
            children.append(.element(XMLElement("c", namespace: "jabber:client", attributes: ["i": "\(index)"])))
        }
        var deep = XMLElement(name: XMLQualifiedName("d", namespace: "jabber:client"), children: [.text(String(repeating: "q", count: 3_000))])
        for level in 0..<40 {
            deep = XMLElement(name: XMLQualifiedName("d", namespace: "jabber:client"), attributes: [XMLAttribute("l", value: "\(level)")], children: [.element(deep), .text("after\(level)")])
        }
        children.append(.element(deep))
        let element = XMLElement(name: XMLQualifiedName("big", namespace: "jabber:client"), attributes: attributes, children: children)
        var xml = "<big"
        for attribute in attributes { xml += " \(attribute.name.localName)='\(attribute.value)'" }
        xml += ">"
        for index in 0..<300 {
            xml += "t\(index)-" + String(repeating: "w", count: index % 17) + "<c i='\(index)'/>"
        }
        var open = "", close = ""
        for level in (0..<40).reversed() {
            open += "<d l='\(level)'>"
            close = "after\(level)</d>" + close
        }
        xml += open + "<d>" + String(repeating: "q", count: 3_000) + "</d>" + close + "</big>"
        return (xml, element)
    }

    @Test("stanzas larger than the scratch buffers' first sizes are built whole, in any chunking", arguments: [1, 7, 4_096])
    func scratchGrowth(pieceSize: Int) {
        let small = "<message id='m'><body>hi</body></message>"
        let first = Self.bigStanza(1), second = Self.bigStanza(2)
        let document = Array((serverStreamHeader + small + first.xml + small + second.xml + small).utf8)
        let pieces = stride(from: 0, to: document.count, by: pieceSize).map { Array(document[$0..<min($0 + pieceSize, document.count)]) }
        let result = readEvents(pieces)
        #expect(result.error == nil)
        let parsed = elements(result.events)
        #expect(parsed.count == 5)
        guard parsed.count == 5 else { return }
        #expect(parsed[1] == first.element)
        #expect(parsed[3] == second.element)
        #expect(parsed[4].firstChild(named: "body", namespace: "jabber:client")?.text == "hi")
    }
}
