/// A node in an element's content: a child element or a run of text.
public enum XMLNode: Hashable, Sendable {
    /// A child element.
    case element(XMLElement)
    /// Character data, unescaped. CDATA sections arrive as text too.
    case text(String)
}

/// An XML element as a value: a qualified name, attributes and content.
///
/// The model is lossless for everything XMPP allows: unknown extension
/// elements, their attributes and their text survive a read and a write.
/// Prefixes are not kept (see ``XMLQualifiedName``). Comments, processing
/// instructions and DTDs are forbidden on XMPP streams, so there are no nodes
/// for them.
///
/// An element is one reference wide. Elements the reader produces point into
/// the one storage block of their stanza (see ``XMLAttributes`` and
/// ``XMLChildren``): copying one, or walking its children, allocates
/// nothing. The first change to a parsed element copies just that element's
/// level into storage of its own (copy-on-write, like any Swift collection).
public struct XMLElement: Hashable, Sendable {
    private enum Storage: Sendable {
        case parsed(XMLTree, node: Int32)
        case built(XMLElementBox)
        /// Held only for the instant a mutation checks uniqueness.
        case moving
    }

    private var storage: Storage

    /// Creates an element.
    /// - Parameters:
    ///   - name: The qualified name.
    ///   - attributes: Attributes in document order.
    ///   - children: Content in document order.
    public init(name: XMLQualifiedName, attributes: [XMLAttribute] = [], children: [XMLNode] = []) {
        storage = .built(XMLElementBox(name: name, attributes: XMLAttributes(attributes), children: XMLChildren(children)))
    }

    /// Creates an element from collections (for example another element's).
    /// - Parameters:
    ///   - name: The qualified name.
    ///   - attributes: Attributes in document order.
    ///   - children: Content in document order.
    public init(name: XMLQualifiedName, attributes: XMLAttributes, children: XMLChildren) {
        storage = .built(XMLElementBox(name: name, attributes: attributes, children: children))
    }

    /// A parsed element: node `node` of `tree`.
    init(tree: XMLTree, node: Int32) {
        storage = .parsed(tree, node: node)
    }

    /// Creates an element from a local name and namespace.
    /// - Parameters:
    ///   - localName: The local name, for example `"body"`.
    ///   - namespace: The namespace URI, for example `"jabber:client"`.
    ///   - attributes: Attributes without a namespace, in the given order.
    ///   - children: Content in document order.
    public init(
        _ localName: String,
        namespace: String,
        attributes: KeyValuePairs<String, String> = [:],
        children: [XMLNode] = []
    ) {
        self.init(
            name: XMLQualifiedName(localName, namespace: namespace),
            attributes: attributes.map { XMLAttribute($0.key, value: $0.value) },
            children: children
        )
    }

    /// Creates an element whose only content is text (`<body>hi</body>`).
    public init(_ localName: String, namespace: String, text: String) {
        self.init(name: XMLQualifiedName(localName, namespace: namespace), children: text.isEmpty ? [] : [.text(text)])
    }

    /// The element's qualified name.
    public var name: XMLQualifiedName {
        get {
            switch storage {
            case .parsed(let tree, let node): tree.name(of: node)
            case .built(let box): box.name
            case .moving: XMLQualifiedName("")
            }
        }
        set { uniqueBox().name = newValue }
    }

    /// The attributes in document order. Namespace declarations are not
    /// attributes: the reader resolves them and the writer creates them.
    public var attributes: XMLAttributes {
        get {
            switch storage {
            case .parsed(let tree, let node): tree.attributes(of: node)
            case .built(let box): box.attributes
            case .moving: XMLAttributes()
            }
        }
        _modify {
            let box = uniqueBox()
            yield &box.attributes
        }
    }

    /// Child elements and text, in document order.
    public var children: XMLChildren {
        get {
            switch storage {
            case .parsed(let tree, let node): tree.children(of: node)
            case .built(let box): box.children
            case .moving: XMLChildren()
            }
        }
        _modify {
            let box = uniqueBox()
            yield &box.children
        }
    }

    /// The box to mutate: a parsed element's level copied out, or the
    /// existing box if no other element shares it.
    private mutating func uniqueBox() -> XMLElementBox {
        switch storage {
        case .parsed(let tree, let node):
            let box = XMLElementBox(name: tree.name(of: node), attributes: tree.attributes(of: node), children: tree.children(of: node))
            storage = .built(box)
            return box
        case .built(var box):
            storage = .moving
            if !isKnownUniquelyReferenced(&box) {
                box = XMLElementBox(name: box.name, attributes: box.attributes, children: box.children)
            }
            storage = .built(box)
            return box
        case .moving:
            let box = XMLElementBox(name: XMLQualifiedName(""), attributes: XMLAttributes(), children: XMLChildren())
            storage = .built(box)
            return box
        }
    }

    /// Elements are equal when their names, attributes (in order) and
    /// content are equal, however they were made.
    public static func == (lhs: XMLElement, rhs: XMLElement) -> Bool {
        lhs.name == rhs.name && lhs.attributes == rhs.attributes && lhs.children == rhs.children
    }

    /// Hashes the name, attributes and content.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(attributes)
        hasher.combine(children)
    }
}

/// The storage of an element built or changed in code. Mutated only while
/// uniquely referenced (``XMLElement`` checks before every change), which is
/// what makes sharing it between tasks safe.
final class XMLElementBox: @unchecked Sendable {
    // Not checked at run time: a box changes only inside an `XMLElement`
    // mutation, which has exclusive access to that element (checked there)
    // and has made the box unique, so no other access to it can overlap.
    // The check cost every read (the writer reads these per element).
    @exclusivity(unchecked) var name: XMLQualifiedName
    @exclusivity(unchecked) var attributes: XMLAttributes
    @exclusivity(unchecked) var children: XMLChildren

    init(name: XMLQualifiedName, attributes: XMLAttributes, children: XMLChildren) {
        self.name = name
        self.attributes = attributes
        self.children = children
    }

    /// Frees a deep element without recursing. Left to Swift, freeing a box
    /// frees its children, whose boxes free theirs: a nested call chain of
    /// 13 frames per level, which overflowed ThreadSanitizer's fixed shadow
    /// stack at 10,000 levels (and would overflow the real stack deeper).
    /// Instead the boxes that die with this one give their children to a
    /// flat list first, so each of them is freed childless.
    ///
    /// Most elements are shallow (a stanza, its payload, some text): when
    /// no built child has built children of its own, Swift's freeing goes
    /// one level down and stops, so the list (an allocation per freed
    /// stanza) is skipped.
    deinit {
        guard Self.hasBuiltGrandchildren(children) else { return }
        var dying: [XMLElementBox] = []
        Self.takeChildBoxes(of: &children, into: &dying)
        while var box = dying.popLast() {
            // Still part of a live element: not dying, so not ours to empty.
            guard isKnownUniquelyReferenced(&box) else { continue }
            Self.takeChildBoxes(of: &box.children, into: &dying)
        }
    }

    /// Whether a built element among `children` has built child elements:
    /// only then can freeing `children` nest more than one level.
    private static func hasBuiltGrandchildren(_ children: XMLChildren) -> Bool {
        guard !children.isTreeView else { return false }
        for case .element(let element) in children {
            guard let box = element.builtBox, !box.children.isTreeView else { continue }
            if box.children.contains(where: { if case .element(let grandchild) = $0 { grandchild.builtBox != nil } else { false } }) {
                return true
            }
        }
        return false
    }

    /// Moves the boxes of the built child elements in `children` to
    /// `boxes`, and empties `children`; does nothing (and allocates
    /// nothing) when there are none.
    private static func takeChildBoxes(of children: inout XMLChildren, into boxes: inout [XMLElementBox]) {
        guard !children.isTreeView,
              children.contains(where: { if case .element(let element) = $0 { element.builtBox != nil } else { false } })
        else { return }
        for case .element(let element) in children {
            if let box = element.builtBox { boxes.append(box) }
        }
        children = XMLChildren()
    }
}

extension XMLElement {
    /// The tree and node of a parsed element; `nil` for one built or
    /// changed in code.
    var parsedNode: (tree: XMLTree, node: Int32)? {
        if case .parsed(let tree, let node) = storage { return (tree, node) }
        return nil
    }

    /// The element's name when it is one of the ``XMLKnownName``s: by its
    /// index for a parsed element (no string compared), by comparing
    /// names for one built in code.
    package var knownName: XMLKnownName? {
        if case .parsed(let tree, let node) = storage { return tree.knownName(of: node) }
        return XMLKnownName(name)
    }

    /// Whether the element is named `name`, whose known name (when it has
    /// one) is `known`: an index test for a parsed element.
    package func hasName(_ name: XMLQualifiedName, known: XMLKnownName?) -> Bool {
        if let known, case .parsed(let tree, let node) = storage { return tree.knownName(of: node) == known }
        return self.name == name
    }

    /// Calls `body` with the UTF-8 of the first attribute named `known`;
    /// `nil` when the element has none. A parsed element's value is read
    /// where it lies, so no string is made for it (an address filter reads
    /// the `from` of every stanza).
    package func withAttributeValueBytes<Result>(
        _ known: XMLKnownName, _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result? {
        guard case .parsed(let tree, let node) = storage else {
            guard var value = attributes.value(of: known.qualifiedName) else { return nil }
            return value.withUTF8(body)
        }
        let parsed = tree.node(node)
        for attribute in parsed.attributeStart..<(parsed.attributeStart + parsed.attributeCount)
        where tree.knownAttributeName(attribute) == known {
            return tree.withAttributeValueBytes(attribute, body)
        }
        return nil
    }

    /// The storage of an element built or changed in code; `nil` for a
    /// parsed element, which holds no box.
    fileprivate var builtBox: XMLElementBox? {
        if case .built(let box) = storage { return box }
        return nil
    }
}

// MARK: - Attributes

extension XMLElement {
    /// The value of the attribute with this local name and no namespace.
    ///
    /// Setting `nil` removes the attribute; setting a value replaces an
    /// existing one in place or appends a new one.
    public subscript(attribute localName: String) -> String? {
        get { self[attribute: XMLQualifiedName(localName)] }
        set { self[attribute: XMLQualifiedName(localName)] = newValue }
    }

    /// The value of the attribute with this qualified name.
    public subscript(attribute name: XMLQualifiedName) -> String? {
        get { attributes.value(of: name) }
        set {
            if let index = attributes.firstIndex(where: { $0.name == name }) {
                if let newValue {
                    attributes[index].value = newValue
                } else {
                    attributes.remove(at: index)
                }
            } else if let newValue {
                attributes.append(XMLAttribute(name, value: newValue))
            }
        }
    }
}

// MARK: - Content

extension XMLElement {
    /// The concatenated text of the direct text children (not of descendants).
    public var text: String {
        var result = ""
        for case .text(let run) in children {
            result += run
        }
        return result
    }

    /// The child elements in document order, without text.
    public var elements: [XMLElement] {
        children.compactMap { node in
            if case .element(let element) = node { return element }
            return nil
        }
    }

    /// The first child element with this local name and namespace.
    public func firstChild(named localName: String, namespace: String) -> XMLElement? {
        for case .element(let element) in children
        where element.name.localName == localName && element.name.namespace == namespace {
            return element
        }
        return nil
    }

    /// The first child element in this namespace, whatever its name.
    public func firstChild(namespace: String) -> XMLElement? {
        for case .element(let element) in children where element.name.namespace == namespace {
            return element
        }
        return nil
    }

    /// All child elements with this local name and namespace, in order.
    public func children(named localName: String, namespace: String) -> [XMLElement] {
        elements.filter { $0.name.localName == localName && $0.name.namespace == namespace }
    }

    /// Appends a child element.
    public mutating func append(_ element: XMLElement) {
        children.append(.element(element))
    }

    /// Appends a run of text; empty text adds nothing.
    public mutating func append(text: String) {
        guard !text.isEmpty else { return }
        children.append(.text(text))
    }

    /// Removes every child element with this local name and namespace.
    public mutating func removeChildren(named localName: String, namespace: String) {
        children.removeAll { node in
            if case .element(let element) = node {
                return element.name.localName == localName && element.name.namespace == namespace
            }
            return false
        }
    }
}
