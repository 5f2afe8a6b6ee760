/// The storage of one parsed top-level element and everything inside it, in
/// a single allocation.
///
/// The reader builds one tree per stanza. Nodes, attribute slots, child
/// references and the bytes of every attribute value and text run sit in
/// regions of one buffer, so a stanza costs one allocation however many
/// elements and attributes it has, and releasing it is one deallocation.
/// Values are kept as the UTF-8 bytes Expat checked; a `String` is made only
/// when a caller reads that value. The tree is immutable once built;
/// ``XMLElement``, ``XMLAttributes`` and ``XMLChildren`` read it through views
/// and copy out only what a caller changes.
enum XMLTreeStorage {
    /// The tree's header: its name store and where each region starts, in
    /// bytes from the first tail element.
    struct Layout {
        var names: XMLNameStore
        var attributesOffset: Int
        var childrenOffset: Int
        var textsOffset: Int
        var bytesOffset: Int
    }

    /// One element: its name (an index into the name store) and where its
    /// attributes and children are.
    struct Node {
        var name: Int32
        var attributeStart: Int32
        var attributeCount: Int32
        var childStart: Int32
        var childCount: Int32
    }

    /// One attribute: its name (an index into the name store) and where its
    /// value's bytes are.
    struct Attribute {
        var name: Int32
        var value: ByteRange
    }

    /// A run of bytes in the bytes region.
    struct ByteRange {
        var offset: Int32
        var count: Int32
    }
}

/// A reference to one stanza's storage: a `ManagedBuffer` whose header is
/// an ``XMLTreeStorage/Layout`` and whose tail holds the regions. Every
/// region is plain data, so freeing a tree is freeing one block (and
/// releasing its name store).
///
/// `@unchecked Sendable` because the storage is never mutated after
/// ``make(names:nodes:attributes:children:texts:bytes:)`` returns; the
/// standard library marks `ManagedBuffer` unavailable for `Sendable` only
/// because it cannot know that.
struct XMLTree: @unchecked Sendable {
    private let storage: ManagedBuffer<XMLTreeStorage.Layout, UInt64>

    /// Moves the contents of the scratch buffers into a new tree and leaves
    /// the buffers empty. Node 0 must be the root.
    static func make(
        names: XMLNameStore,
        nodes: inout ScratchBuffer<XMLTreeStorage.Node>,
        attributes: inout ScratchBuffer<XMLTreeStorage.Attribute>,
        children: inout ScratchBuffer<Int32>,
        texts: inout ScratchBuffer<XMLTreeStorage.ByteRange>,
        bytes: inout ScratchBuffer<UInt8>
    ) -> XMLTree {
        func aligned(_ value: Int) -> Int { (value + 7) & ~7 }
        let attributesOffset = aligned(nodes.count * MemoryLayout<XMLTreeStorage.Node>.stride)
        let childrenOffset = aligned(attributesOffset + attributes.count * MemoryLayout<XMLTreeStorage.Attribute>.stride)
        let textsOffset = aligned(childrenOffset + children.count * MemoryLayout<Int32>.stride)
        let bytesOffset = textsOffset + texts.count * MemoryLayout<XMLTreeStorage.ByteRange>.stride
        let totalBytes = bytesOffset + bytes.count
        let layout = XMLTreeStorage.Layout(
            names: names,
            attributesOffset: attributesOffset,
            childrenOffset: childrenOffset,
            textsOffset: textsOffset,
            bytesOffset: bytesOffset
        )
        let storage = ManagedBuffer<XMLTreeStorage.Layout, UInt64>.create(
            minimumCapacity: max(1, (totalBytes + 7) / 8)
        ) { _ in layout }
        storage.withUnsafeMutablePointerToElements { elements in
            let raw = UnsafeMutableRawPointer(elements)
            nodes.moveAll(to: raw)
            attributes.moveAll(to: raw + attributesOffset)
            children.moveAll(to: raw + childrenOffset)
            texts.moveAll(to: raw + textsOffset)
            bytes.moveAll(to: raw + bytesOffset)
        }
        return XMLTree(storage: storage)
    }

    @inline(__always)
    private func withRegions<Result>(_ body: (UnsafeMutableRawPointer, XMLTreeStorage.Layout) -> Result) -> Result {
        storage.withUnsafeMutablePointers { layout, elements in body(UnsafeMutableRawPointer(elements), layout.pointee) }
    }

    func node(_ index: Int32) -> XMLTreeStorage.Node {
        withRegions { base, _ in base.assumingMemoryBound(to: XMLTreeStorage.Node.self)[Int(index)] }
    }

    /// Attribute slot `index` in the regions at `base`.
    @inline(__always)
    private static func attributeSlot(_ base: UnsafeMutableRawPointer, _ layout: XMLTreeStorage.Layout, _ index: Int32) -> XMLTreeStorage.Attribute {
        (base + layout.attributesOffset).assumingMemoryBound(to: XMLTreeStorage.Attribute.self)[Int(index)]
    }

    /// The name of attribute `index`, without decoding its value.
    func attributeName(_ index: Int32) -> XMLQualifiedName {
        withRegions { base, layout in
            layout.names.name(Self.attributeSlot(base, layout, index).name)
        }
    }

    /// The value of attribute `index`, decoded now.
    func attributeValue(_ index: Int32) -> String {
        withRegions { base, layout in
            let range = Self.attributeSlot(base, layout, index).value
            return Self.string(base + layout.bytesOffset, range)
        }
    }

    /// Calls `body` with the UTF-8 of an attribute's value, in place.
    func withAttributeValueBytes<Result>(_ index: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        withRegions { base, layout in
            let range = Self.attributeSlot(base, layout, index).value
            let start = (base + layout.bytesOffset + Int(range.offset)).assumingMemoryBound(to: UInt8.self)
            return body(UnsafeBufferPointer(start: start, count: Int(range.count)))
        }
    }

    func attribute(_ index: Int32) -> XMLAttribute {
        withRegions { base, layout in
            let slot = Self.attributeSlot(base, layout, index)
            return XMLAttribute(layout.names.name(slot.name), value: Self.string(base + layout.bytesOffset, slot.value))
        }
    }

    /// A child reference: a node index when non-negative, else `~textIndex`.
    func child(_ index: Int32) -> Int32 {
        withRegions { base, layout in (base + layout.childrenOffset).assumingMemoryBound(to: Int32.self)[Int(index)] }
    }

    /// Text run `index`, decoded now.
    func text(_ index: Int32) -> String {
        withRegions { base, layout in
            let range = (base + layout.textsOffset).assumingMemoryBound(to: XMLTreeStorage.ByteRange.self)[Int(index)]
            return Self.string(base + layout.bytesOffset, range)
        }
    }

    /// The element view of node `index`.
    func element(_ index: Int32) -> XMLElement {
        XMLElement(tree: self, node: index)
    }

    /// The known name of node `index`, if it has one.
    func knownName(of index: Int32) -> XMLKnownName? {
        XMLKnownName(rawValue: node(index).name)
    }

    /// The known name of attribute `index`, if it has one.
    func knownAttributeName(_ index: Int32) -> XMLKnownName? {
        withRegions { base, layout in
            XMLKnownName(rawValue: Self.attributeSlot(base, layout, index).name)
        }
    }

    /// The name of node `index`.
    func name(of index: Int32) -> XMLQualifiedName {
        // Through the pointers, like every other read: `storage.header` is
        // a class property, and each access to it was checked for
        // exclusivity at run time.
        let name = node(index).name
        return withRegions { _, layout in layout.names.name(name) }
    }

    /// The attributes of node `index`, as a view.
    func attributes(of index: Int32) -> XMLAttributes {
        let node = node(index)
        return XMLAttributes(tree: self, start: node.attributeStart, count: node.attributeCount)
    }

    /// The children of node `index`, as a view.
    func children(of index: Int32) -> XMLChildren {
        let node = node(index)
        return XMLChildren(tree: self, start: node.childStart, count: node.childCount)
    }

    @inline(__always)
    private static func string(_ bytes: UnsafeMutableRawPointer, _ range: XMLTreeStorage.ByteRange) -> String {
        let start = (bytes + Int(range.offset)).assumingMemoryBound(to: UInt8.self)
        return String(decoding: UnsafeBufferPointer(start: start, count: Int(range.count)), as: UTF8.self)
    }
}
