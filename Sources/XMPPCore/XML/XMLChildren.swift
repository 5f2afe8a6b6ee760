/// The content of an ``XMLElement``: child elements and text, in document order.
///
/// A random-access, mutable, range-replaceable collection of ``XMLNode``,
/// so it reads and changes like an array. For an element the reader
/// produced, it is a view into the stanza's shared storage: iterating it
/// hands out child elements that are views too, and allocates nothing but
/// the text it decodes. The first change copies the nodes into an array of
/// their own.
public struct XMLChildren: RandomAccessCollection, MutableCollection, RangeReplaceableCollection, Hashable, Sendable,
    ExpressibleByArrayLiteral
{
    private var list: XMLTreeList<XMLNode>

    /// Reads child reference `index`: a node index when non-negative, else
    /// the complement of a text index.
    private static func read(_ tree: XMLTree, _ index: Int32) -> XMLNode {
        let reference = tree.child(index)
        return reference >= 0 ? .element(tree.element(reference)) : .text(tree.text(~reference))
    }

    init(tree: XMLTree, start: Int32, count: Int32) {
        list = XMLTreeList(tree: tree, start: start, count: count)
    }

    /// No content.
    public init() {
        list = XMLTreeList([])
    }

    /// The nodes of an array, in its order.
    public init(_ nodes: [XMLNode]) {
        list = XMLTreeList(nodes)
    }

    /// The nodes of an array literal, in its order.
    public init(arrayLiteral elements: XMLNode...) {
        list = XMLTreeList(elements)
    }

    /// Whether these are a parsed stanza's nodes, read in place (which
    /// holds no element built in code).
    var isTreeView: Bool { list.treeRange != nil }

    /// The position of the first node (always 0).
    public var startIndex: Int { 0 }

    /// The position after the last node (the count).
    public var endIndex: Int { list.count }

    /// The node at `position`.
    public subscript(position: Int) -> XMLNode {
        get { list.element(at: position, read: Self.read) }
        set { list.withArray(read: Self.read) { $0[position] = newValue } }
    }

    /// Replaces the nodes in `subrange` with `newElements`.
    public mutating func replaceSubrange<C: Collection<XMLNode>>(_ subrange: Range<Int>, with newElements: C) {
        list.withArray(read: Self.read) { $0.replaceSubrange(subrange, with: newElements) }
    }

    /// Reserves room for `minimumCapacity` nodes.
    public mutating func reserveCapacity(_ minimumCapacity: Int) {
        list.withArray(read: Self.read) { $0.reserveCapacity(minimumCapacity) }
    }

    /// Contents are equal when they hold equal nodes in the same order.
    public static func == (lhs: XMLChildren, rhs: XMLChildren) -> Bool {
        lhs.elementsEqual(rhs)
    }

    /// Hashes the nodes in order.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for node in self { hasher.combine(node) }
    }
}

extension XMLChildren: CustomStringConvertible {
    /// The nodes as an array would print them.
    public var description: String { Array(self).description }
}
