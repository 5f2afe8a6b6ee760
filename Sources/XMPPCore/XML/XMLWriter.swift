/// Serialises ``XMLElement`` values to UTF-8 bytes for an XMPP stream.
///
/// Escapes text and attribute values so that what a reader gets back is
/// exactly what was written (including CR, tabs and newlines in attributes),
/// declares each namespace only where it changes, and refuses characters XML
/// 1.0 cannot carry (``XMLWriterError``).
///
/// Top-level stanzas are written in the scope of the stream header: with the
/// default ``Scope/client`` a `jabber:client` message needs no `xmlns`, and
/// `stream:`-prefixed elements use the header's `stream` prefix.
public struct XMLWriter: Sendable {
    /// The namespaces in scope where an element is written.
    public struct Scope: Hashable, Sendable {
        /// The default namespace in scope (empty for none).
        public var defaultNamespace: String
        /// Prefixes in scope, by namespace URI.
        public var prefixes: [String: String]

        /// Creates a scope.
        public init(defaultNamespace: String, prefixes: [String: String] = [:]) {
            self.defaultNamespace = defaultNamespace
            self.prefixes = prefixes
        }

        /// The scope inside a client stream header: default `jabber:client`,
        /// prefix `stream` for the streams namespace.
        public static let client = Scope(defaultNamespace: XMLNamespace.client, prefixes: [XMLNamespace.streams: "stream"])
        /// No namespace in scope: every namespace is declared.
        public static let empty = Scope(defaultNamespace: "")
    }

    /// The scope top-level elements are written in.
    public var scope: Scope

    /// Creates a writer.
    /// - Parameter scope: The namespaces the stream header put in scope.
    public init(scope: Scope = .client) {
        self.scope = scope
    }

    /// Appends the serialised element to `buffer`.
    ///
    /// On error, `buffer` may hold a partial element; callers discard it.
    public func write(_ element: XMLElement, into buffer: inout [UInt8]) throws(XMLWriterError) {
        try Self.serialising(scope: scope, into: &buffer) { serialiser throws(XMLWriterError) in
            try serialiser.write(element)
        }
    }

    /// The serialised element as bytes.
    public func bytes(_ element: XMLElement) throws(XMLWriterError) -> [UInt8] {
        // No reserve: the bytes arrive in one append for a stanza that fits
        // the writer's scratch, which then allocates just their size.
        var buffer: [UInt8] = []
        try write(element, into: &buffer)
        return buffer
    }

    /// The serialised element as a string.
    public func string(_ element: XMLElement) throws(XMLWriterError) -> String {
        String(decoding: try bytes(element), as: UTF8.self)
    }

    // MARK: Stream framing

    /// The XML declaration and opening tag of a stream, for example
    /// `<?xml version='1.0'?><stream:stream xmlns='jabber:client' …>`.
    ///
    /// The header's name must be in a namespace it declares a prefix for
    /// (normally `stream`); its declarations are written as given.
    public static func streamOpening(_ header: XMLStreamHeader) throws(XMLWriterError) -> [UInt8] {
        let declarations = header.namespaceDeclarations
        // The scope the header's attributes are written in: what it declares.
        var scope = Scope(defaultNamespace: declarations[""] ?? "")
        for (declaredPrefix, uri) in declarations where !declaredPrefix.isEmpty {
            scope.prefixes[uri] = declaredPrefix
        }
        var buffer: [UInt8] = []
        try serialising(scope: scope, into: &buffer) { serialiser throws(XMLWriterError) in
            serialiser.output.append("<?xml version='1.0'?><")
            if let prefix = declarations.first(where: { $0.key != "" && $0.value == header.name.namespace })?.key {
                try serialiser.appendName(prefix, element: header.name)
                serialiser.output.append(UInt8(ascii: ":"))
            }
            try serialiser.appendName(header.name.localName, element: header.name)
            for (declaredPrefix, uri) in declarations.sorted(by: { $0.key < $1.key }) {
                if declaredPrefix.isEmpty {
                    serialiser.output.append(" xmlns='")
                } else {
                    serialiser.output.append(" xmlns:")
                    try serialiser.appendName(declaredPrefix, element: header.name)
                    serialiser.output.append("='")
                }
                try serialiser.appendEscaped(uri, inAttribute: true, element: header.name)
                serialiser.output.append(UInt8(ascii: "'"))
            }
            try serialiser.appendAttributes(header.attributes, of: header.name)
            serialiser.output.append(UInt8(ascii: ">"))
        }
        return buffer
    }

    /// The closing tag of a client stream.
    public static let streamClosing: [UInt8] = Array("</stream:stream>".utf8)
}
