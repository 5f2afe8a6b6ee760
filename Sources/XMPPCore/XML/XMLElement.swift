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
public struct XMLElement: Hashable, Sendable {
    /// The element's qualified name.
    public var name: XMLQualifiedName
    /// The attributes in document order. Namespace declarations are not
    /// attributes: the reader resolves them and the writer creates them.
    public var attributes: [XMLAttribute]
    /// Child elements and text, in document order.
    public var children: [XMLNode]

    /// Creates an element.
    /// - Parameters:
    ///   - name: The qualified name.
    ///   - attributes: Attributes in document order.
    ///   - children: Content in document order.
    public init(name: XMLQualifiedName, attributes: [XMLAttribute] = [], children: [XMLNode] = []) {
        self.name = name
        self.attributes = attributes
        self.children = children
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
        self.name = XMLQualifiedName(localName, namespace: namespace)
        self.attributes = attributes.map { XMLAttribute($0.key, value: $0.value) }
        self.children = children
    }

    /// Creates an element whose only content is text (`<body>hi</body>`).
    public init(_ localName: String, namespace: String, text: String) {
        self.init(name: XMLQualifiedName(localName, namespace: namespace), children: text.isEmpty ? [] : [.text(text)])
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
        get {
            for attribute in attributes where attribute.name == name {
                return attribute.value
            }
            return nil
        }
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
