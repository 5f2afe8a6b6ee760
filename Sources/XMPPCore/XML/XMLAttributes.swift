/// The attributes of an ``XMLElement``, in document order.
///
/// A random-access, mutable, range-replaceable collection of
/// ``XMLAttribute``, so it reads and changes like an array
/// (`append`, `remove(at:)`, `first(where:)`, subscripts, array literals).
/// For an element the reader produced, it is a view into the stanza's
/// shared storage: reading it allocates nothing, and a value is decoded only
/// when read. The first change copies the attributes into an array of their
/// own (copy-on-write, like any Swift collection).
public struct XMLAttributes: RandomAccessCollection, MutableCollection, RangeReplaceableCollection, Hashable, Sendable,
    ExpressibleByArrayLiteral
{
    private var list: XMLTreeList<XMLAttribute>
    private static func read(_ tree: XMLTree, _ index: Int32) -> XMLAttribute { tree.attribute(index) }

    init(tree: XMLTree, start: Int32, count: Int32) {
        list = XMLTreeList(tree: tree, start: start, count: count)
    }

    /// An empty collection.
    public init() {
        list = XMLTreeList([])
    }

    /// The attributes of an array, in its order.
    public init(_ attributes: [XMLAttribute]) {
        list = XMLTreeList(attributes)
    }

    /// The attributes of an array literal, in its order.
    public init(arrayLiteral elements: XMLAttribute...) {
        list = XMLTreeList(elements)
    }

    /// The position of the first attribute (always 0).
    public var startIndex: Int { 0 }

    /// The position after the last attribute (the count).
    public var endIndex: Int { list.count }

    /// The attribute at `position`.
    public subscript(position: Int) -> XMLAttribute {
        get { list.element(at: position, read: Self.read) }
        set { list.withArray(read: Self.read) { $0[position] = newValue } }
    }

    /// Replaces the attributes in `subrange` with `newElements`.
    public mutating func replaceSubrange<C: Collection<XMLAttribute>>(_ subrange: Range<Int>, with newElements: C) {
        list.withArray(read: Self.read) { $0.replaceSubrange(subrange, with: newElements) }
    }

    /// Reserves room for `minimumCapacity` attributes.
    public mutating func reserveCapacity(_ minimumCapacity: Int) {
        list.withArray(read: Self.read) { $0.reserveCapacity(minimumCapacity) }
    }

    /// The value of the first attribute with this qualified name.
    ///
    /// On a parsed element this compares names only and decodes just the
    /// value it returns.
    public func value(of name: XMLQualifiedName) -> String? {
        if let (tree, start, count) = list.treeRange {
            for index in start..<(start + count) where tree.attributeName(index) == name {
                return tree.attributeValue(index)
            }
            return nil
        }
        for attribute in self where attribute.name == name {
            return attribute.value
        }
        return nil
    }

    /// The name of the attribute at `position`, without making its value
    /// (for readers that want only some values).
    func name(at position: Int) -> XMLQualifiedName {
        list.part(at: position, tree: { $0.attributeName($1) }, array: \.name)
    }

    /// The value of the attribute at `position`.
    func value(at position: Int) -> String {
        list.part(at: position, tree: { $0.attributeValue($1) }, array: \.value)
    }

    /// Calls `body` with the UTF-8 of the value at `position`: in place
    /// for a parsed element, so a lookup by bytes makes no string.
    func withValueBytes<Result>(at position: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        list.part(at: position, tree: { $0.withAttributeValueBytes($1, body) }) { attribute in
            var value = attribute.value
            return value.withUTF8(body)
        }
    }

    /// Attributes are equal when they hold the same attributes in the same order.
    public static func == (lhs: XMLAttributes, rhs: XMLAttributes) -> Bool {
        lhs.elementsEqual(rhs)
    }

    /// Hashes the attributes in order.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for attribute in self { hasher.combine(attribute) }
    }
}

extension XMLAttributes: CustomStringConvertible {
    /// The attributes as an array would print them.
    public var description: String { Array(self).description }
}
