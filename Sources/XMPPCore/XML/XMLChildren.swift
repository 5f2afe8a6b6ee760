/// The content of an ``XMLElement``: child elements and text, in document order.
///
/// A random-access, mutable, range-replaceable collection of ``XMLNode``,
/// so it reads and changes like an array. For an element the reader
/// produced, it is a view into the stanza's shared storage: iterating it
/// hands out child elements that are views too, and allocates nothing. The
/// first change copies the nodes into an array of their own.
public struct XMLChildren: RandomAccessCollection, MutableCollection, RangeReplaceableCollection, Hashable, Sendable,
    ExpressibleByArrayLiteral
{
    private enum Storage: Sendable {
        case tree(XMLTree, start: Int32, count: Int32)
        case array([XMLNode])
    }

    private var storage: Storage

    init(tree: XMLTree, start: Int32, count: Int32) {
        storage = count == 0 ? .array([]) : .tree(tree, start: start, count: count)
    }

    /// No content.
    public init() {
        storage = .array([])
    }

    /// The nodes of an array, in its order.
    public init(_ nodes: [XMLNode]) {
        storage = .array(nodes)
    }

    /// The nodes of an array literal, in its order.
    public init(arrayLiteral elements: XMLNode...) {
        storage = .array(elements)
    }

    /// The position of the first node (always 0).
    public var startIndex: Int { 0 }

    /// The position after the last node (the count).
    public var endIndex: Int {
        switch storage {
        case .tree(_, _, let count): Int(count)
        case .array(let array): array.count
        }
    }

    /// The node at `position`.
    public subscript(position: Int) -> XMLNode {
        get {
            switch storage {
            case .tree(let tree, let start, let count):
                precondition(position >= 0 && position < Int(count), "XMLChildren index out of range")
                let reference = tree.child(start + Int32(position))
                return reference >= 0 ? .element(tree.element(reference)) : .text(tree.text(~reference))
            case .array(let array):
                return array[position]
            }
        }
        set {
            makeArray()
            if case .array(var array) = storage {
                storage = .array([])
                array[position] = newValue
                storage = .array(array)
            }
        }
    }

    /// Replaces the nodes in `subrange` with `newElements`.
    public mutating func replaceSubrange<C: Collection<XMLNode>>(_ subrange: Range<Int>, with newElements: C) {
        makeArray()
        if case .array(var array) = storage {
            storage = .array([])
            array.replaceSubrange(subrange, with: newElements)
            storage = .array(array)
        }
    }

    /// Reserves room for `minimumCapacity` nodes.
    public mutating func reserveCapacity(_ minimumCapacity: Int) {
        makeArray()
        if case .array(var array) = storage {
            storage = .array([])
            array.reserveCapacity(minimumCapacity)
            storage = .array(array)
        }
    }

    /// Turns a view into an array of its own before a change.
    private mutating func makeArray() {
        if case .tree = storage {
            storage = .array(Array(self))
        }
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
