/// The storage shared by ``XMLAttributes`` and ``XMLChildren``: either a
/// range of a parsed stanza's tree (read in place, never copied) or an array
/// of its own. Reading a range leaves it a range; the first change turns it
/// into an array, so values that share a tree never see each other's edits.
struct XMLTreeList<Element>: Sendable where Element: Sendable {
    private enum Storage: Sendable {
        case tree(XMLTree, start: Int32, count: Int32)
        case array([Element])
    }

    private var storage: Storage

    init(tree: XMLTree, start: Int32, count: Int32) {
        storage = count == 0 ? .array([]) : .tree(tree, start: start, count: count)
    }

    init(_ array: [Element]) {
        storage = .array(array)
    }

    var count: Int {
        switch storage {
        case .tree(_, _, let count): Int(count)
        case .array(let array): array.count
        }
    }

    /// Element `position`, read from the tree with `read` or from the array.
    @inline(__always)
    func element(at position: Int, read: (XMLTree, Int32) -> Element) -> Element {
        part(at: position, tree: read, array: { $0 })
    }

    /// Reads one part of the element at `position`: from the tree in
    /// place (`tree`, given the tree index), or from the array's element.
    @inline(__always)
    func part<Part>(at position: Int, tree read: (XMLTree, Int32) -> Part, array: (Element) -> Part) -> Part {
        switch storage {
        case .tree(let tree, let start, let count):
            precondition(position >= 0 && position < Int(count), "index out of range")
            return read(tree, start + Int32(position))
        case .array(let elements):
            return array(elements[position])
        }
    }

    /// The tree range, for readers that can avoid decoding whole elements.
    var treeRange: (tree: XMLTree, start: Int32, count: Int32)? {
        if case .tree(let tree, let start, let count) = storage { return (tree, start, count) }
        return nil
    }

    /// Runs `body` on an array of the list's own, copying a tree range out
    /// first (with `read`).
    mutating func withArray<Result>(read: (XMLTree, Int32) -> Element, _ body: (inout [Element]) -> Result) -> Result {
        var array: [Element]
        switch storage {
        case .tree(let tree, let start, let count):
            array = (start..<(start + count)).map { read(tree, $0) }
        case .array(let existing):
            array = existing
        }
        // Drop our reference before mutating, so the array is unique and
        // changes in place.
        storage = .array([])
        defer { storage = .array(array) }
        return body(&array)
    }
}
