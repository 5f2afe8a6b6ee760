/// The attributes of an ``XMLElement``, in document order.
///
/// A random-access, mutable, range-replaceable collection of
/// ``XMLAttribute``, so it reads and changes like an array
/// (`append`, `remove(at:)`, `first(where:)`, subscripts, array literals).
/// For an element the reader produced, it is a view into the stanza's
/// shared storage: reading it allocates nothing. The first change copies the
/// attributes into an array of their own (copy-on-write, like any Swift
/// collection).
public struct XMLAttributes: RandomAccessCollection, MutableCollection, RangeReplaceableCollection, Hashable, Sendable,
    ExpressibleByArrayLiteral
{
    private enum Storage: Sendable {
        case tree(XMLTree, start: Int32, count: Int32)
        case array([XMLAttribute])
    }

    private var storage: Storage

    init(tree: XMLTree, start: Int32, count: Int32) {
        storage = count == 0 ? .array([]) : .tree(tree, start: start, count: count)
    }

    /// An empty collection.
    public init() {
        storage = .array([])
    }

    /// The attributes of an array, in its order.
    public init(_ attributes: [XMLAttribute]) {
        storage = .array(attributes)
    }

    /// The attributes of an array literal, in its order.
    public init(arrayLiteral elements: XMLAttribute...) {
        storage = .array(elements)
    }

    /// The position of the first attribute (always 0).
    public var startIndex: Int { 0 }

    /// The position after the last attribute (the count).
    public var endIndex: Int {
        switch storage {
        case .tree(_, _, let count): Int(count)
        case .array(let array): array.count
        }
    }

    /// The attribute at `position`.
    public subscript(position: Int) -> XMLAttribute {
        get {
            switch storage {
            case .tree(let tree, let start, let count):
                precondition(position >= 0 && position < Int(count), "XMLAttributes index out of range")
                return tree.attribute(start + Int32(position))
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

    /// Replaces the attributes in `subrange` with `newElements`.
    public mutating func replaceSubrange<C: Collection<XMLAttribute>>(_ subrange: Range<Int>, with newElements: C) {
        makeArray()
        if case .array(var array) = storage {
            storage = .array([])
            array.replaceSubrange(subrange, with: newElements)
            storage = .array(array)
        }
    }

    /// Reserves room for `minimumCapacity` attributes.
    public mutating func reserveCapacity(_ minimumCapacity: Int) {
        makeArray()
        if case .array(var array) = storage {
            storage = .array([])
            array.reserveCapacity(minimumCapacity)
            storage = .array(array)
        }
    }

    /// The value of the first attribute with this qualified name.
    ///
    /// On a parsed element this compares names only and decodes just the
    /// value it returns.
    public func value(of name: XMLQualifiedName) -> String? {
        switch storage {
        case .tree(let tree, let start, let count):
            for index in start..<(start + count) where tree.attributeName(index) == name {
                return tree.attributeValue(index)
            }
            return nil
        case .array(let array):
            for attribute in array where attribute.name == name {
                return attribute.value
            }
            return nil
        }
    }

    /// Turns a view into an array of its own before a change.
    private mutating func makeArray() {
        if case .tree = storage {
            storage = .array(Array(self))
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
