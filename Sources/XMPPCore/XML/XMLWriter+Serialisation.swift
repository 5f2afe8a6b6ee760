extension XMLWriter {
    /// An element whose start tag is written: what its end tag and its
    /// remaining children need.
    struct Frame {
        let name: XMLQualifiedName
        let prefix: String?
        let children: XMLChildren
        var next: Int
        /// The default namespace around the element, when its start tag
        /// declared another: restored at its end tag.
        let outerDefaultNamespace: String?
        /// How many of the write's own prefix declarations were in scope
        /// around the element.
        let outerDeclarationCount: Int
    }

    /// Runs `body` with a serialiser that writes into `buffer` in `scope`.
    ///
    /// The serialiser's scratch bytes, open elements and attribute keys
    /// live in temporary allocations of at most 1 KiB each, which Swift puts
    /// on the machine stack: writing an ordinary stanza allocates nothing
    /// beyond what `buffer` needs to grow. Whatever `body` wrote reaches
    /// `buffer` also when it throws (callers discard a partial element).
    @inline(__always)
    static func serialising(
        scope: Scope,
        into buffer: inout [UInt8],
        _ body: (inout Serialiser) throws(XMLWriterError) -> Void
    ) throws(XMLWriterError) {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: XMLWriterOutput.scratchSize) { scratch throws(XMLWriterError) in
            try withUnsafeTemporaryAllocation(of: Frame.self, capacity: Serialiser.lentFrames) { frames throws(XMLWriterError) in
                try withUnsafeTemporaryAllocation(of: XMLWriterName.Key.self, capacity: Serialiser.lentKeys) { keys throws(XMLWriterError) in
                    var serialiser = Serialiser(scope: scope, scratch: scratch, frames: frames, keys: keys)
                    swap(&serialiser.output.destination, &buffer)
                    defer {
                        serialiser.output.flush()
                        swap(&serialiser.output.destination, &buffer)
                    }
                    try body(&serialiser)
                }
            }
        }
    }

    /// The state of one write: the output, the namespaces in scope, the
    /// open elements.
    ///
    /// Namespaces are tracked as changes rather than as a `Scope` per
    /// element: the default namespace in a variable (an element that
    /// declares another keeps the outer one in its frame), the prefixes this
    /// write declares in a short list that end tags cut back, and the
    /// caller's prefixes in the caller's dictionary, which is never copied.
    /// Elements are written with an explicit stack rather than recursion, so
    /// a deep element cannot exhaust the machine stack.
    struct Serialiser: ~Copyable {
        /// Frames lent from the machine stack (1 KiB of them).
        static var lentFrames: Int { 1024 / MemoryLayout<Frame>.stride }
        /// Attribute keys lent from the machine stack (1 KiB of them).
        static var lentKeys: Int { 1024 / MemoryLayout<XMLWriterName.Key>.stride }

        var output: XMLWriterOutput
        /// The default namespace in scope.
        private(set) var defaultNamespace: String
        /// The prefixes the caller's scope binds, by namespace.
        private let rootPrefixes: [String: String]
        /// Prefixes this write declared that are in scope, innermost last.
        /// A namespace is declared only when no prefix is in scope for it,
        /// so none of these shadows another or a root prefix.
        private var declarations: [(namespace: String, prefix: String)] = []
        /// How many prefixes the write has made up (`ns1`, `ns2`, …).
        private var generatedPrefixes = 0
        private var frames: XMLWriterStack<Frame>
        /// The keys of the current element's attributes written so far,
        /// for the duplicate check: kept rather than the names read back,
        /// which for a parsed element would decode each value again.
        private var attributeKeys: XMLWriterStack<XMLWriterName.Key>

        init(
            scope: Scope,
            scratch: UnsafeMutableBufferPointer<UInt8>,
            frames: UnsafeMutableBufferPointer<Frame>,
            keys: UnsafeMutableBufferPointer<XMLWriterName.Key>
        ) {
            output = XMLWriterOutput(scratch: scratch)
            defaultNamespace = scope.defaultNamespace
            rootPrefixes = scope.prefixes
            self.frames = XMLWriterStack(lending: frames)
            attributeKeys = XMLWriterStack(lending: keys)
        }

        /// Writes one element and its content.
        mutating func write(_ root: XMLElement) throws(XMLWriterError) {
            try startElement(root)
            while !frames.isEmpty {
                let top = frames.top
                let next = top.pointee.next
                guard next < top.pointee.children.count else {
                    endElement(frames.removeLast())
                    continue
                }
                top.pointee.next = next + 1
                switch top.pointee.children[next] {
                case .text(let text):
                    try appendEscaped(text, inAttribute: false, element: top.pointee.name)
                case .element(let child):
                    // May move the frames: `top` is not used after this.
                    try startElement(child)
                }
            }
        }

        /// Writes a start tag, declaring what the scope lacks; for an
        /// element with content, opens a frame for it, else closes it (`/>`).
        private mutating func startElement(_ element: XMLElement) throws(XMLWriterError) {
            let name = element.name
            let namespace = name.namespace
            // XML reserves these; a reader refuses any element declared in them.
            if XMLWriterName.isReservedForElements(namespace) {
                throw XMLWriterError(.reservedNamespace(namespace), element: name)
            }
            output.append(UInt8(ascii: "<"))
            var prefix: String?
            var outerDefaultNamespace: String?
            if namespace == defaultNamespace {
                prefix = nil
            } else if !namespace.isEmpty, let known = self.prefix(for: namespace) {
                prefix = known
            } else {
                // Declaring a new default namespace is the shortest form and the
                // one XMPP peers expect (`<query xmlns='jabber:iq:roster'>`).
                outerDefaultNamespace = defaultNamespace
                defaultNamespace = namespace
            }
            if let prefix {
                try appendName(prefix, element: name)
                output.append(UInt8(ascii: ":"))
            }
            try appendName(name.localName, element: name)
            if outerDefaultNamespace != nil {
                output.append(" xmlns='")
                try appendEscaped(namespace, inAttribute: true, element: name)
                output.append(UInt8(ascii: "'"))
            }
            let outerDeclarationCount = declarations.count
            try appendAttributes(element.attributes, of: name)
            let children = element.children
            if children.isEmpty {
                output.append("/>")
                restoreScope(outerDefaultNamespace, declarationCount: outerDeclarationCount)
            } else {
                output.append(UInt8(ascii: ">"))
                frames.append(
                    Frame(
                        name: name, prefix: prefix, children: children, next: 0,
                        outerDefaultNamespace: outerDefaultNamespace, outerDeclarationCount: outerDeclarationCount))
            }
        }

        /// Writes an end tag and leaves the element's scope.
        private mutating func endElement(_ frame: consuming Frame) {
            output.append("</")
            // Checked when the start tag was written.
            if let prefix = frame.prefix {
                output.appendUTF8(prefix)
                output.append(UInt8(ascii: ":"))
            }
            output.appendUTF8(frame.name.localName)
            output.append(UInt8(ascii: ">"))
            restoreScope(frame.outerDefaultNamespace, declarationCount: frame.outerDeclarationCount)
        }

        private mutating func restoreScope(_ outerDefaultNamespace: String?, declarationCount: Int) {
            if let outerDefaultNamespace { defaultNamespace = outerDefaultNamespace }
            if declarations.count > declarationCount { declarations.removeLast(declarations.count - declarationCount) }
        }

        /// The prefix in scope for `namespace`, if any. (`mutating` only so
        /// that the serialiser is passed by reference: a non-mutating call
        /// from a mutating method copied all of it.)
        private mutating func prefix(for namespace: String) -> String? {
            var index = declarations.count
            while index > 0 {
                index -= 1
                if declarations[index].namespace == namespace { return declarations[index].prefix }
            }
            // A handful (the usual one: `stream`) is quicker compared than hashed.
            guard rootPrefixes.count > 4 else {
                for (uri, prefix) in rootPrefixes where uri == namespace { return prefix }
                return nil
            }
            return rootPrefixes[namespace]
        }

        /// Writes ` name='value'` for each attribute, declaring the
        /// prefixes namespaced ones need.
        mutating func appendAttributes(
            _ attributes: some Collection<XMLAttribute>, of element: XMLQualifiedName
        ) throws(XMLWriterError) {
            let checksDuplicates = attributes.count > 1
            if checksDuplicates { attributeKeys.removeAll() }
            for attribute in attributes {
                let name = attribute.name
                let namespace = name.namespace
                // `xmlns` and `xmlns:…` are namespace declarations, which the
                // writer makes itself; one written as an attribute would change
                // the namespace of the element it is on.
                if namespace.isEmpty
                    ? XMLWriterName.equals(name.localName, literal: "xmlns")
                    : XMLWriterName.equals(namespace, literal: XMLNamespace.xmlns)
                {
                    throw XMLWriterError(.reservedNamespace(XMLNamespace.xmlns), element: element)
                }
                // Checked now, thrown where the name is written.
                let key = XMLWriterName.Key(localName: name.localName, hasNamespace: !namespace.isEmpty)
                if checksDuplicates {
                    if isDuplicate(name, key: key, among: attributes) {
                        throw XMLWriterError(.duplicateAttribute(name), element: element)
                    }
                    attributeKeys.append(key)
                }
                output.append(UInt8(ascii: " "))
                if namespace.isEmpty {
                    try appendLocalName(name.localName, key: key, element: element)
                } else if XMLWriterName.equals(namespace, literal: XMLNamespace.xml) {
                    output.append("xml:")
                    try appendLocalName(name.localName, key: key, element: element)
                } else {
                    // Unprefixed attributes have no namespace, so a namespaced one
                    // always needs a prefix; reuse one in scope or declare one.
                    let prefix: String
                    if let known = self.prefix(for: namespace) {
                        prefix = known
                    } else {
                        generatedPrefixes += 1
                        prefix = "ns\(generatedPrefixes)"
                        declarations.append((namespace, prefix))
                        output.append("xmlns:")
                        output.appendUTF8(prefix)
                        output.append("='")
                        try appendEscaped(namespace, inAttribute: true, element: element)
                        output.append("' ")
                    }
                    try appendName(prefix, element: element)
                    output.append(UInt8(ascii: ":"))
                    try appendLocalName(name.localName, key: key, element: element)
                }
                output.append("='")
                try appendEscaped(attribute.value, inAttribute: true, element: element)
                output.append(UInt8(ascii: "'"))
            }
        }

        /// Whether an attribute before this one (the first
        /// `attributeKeys.count` of `attributes`) has the name `name`, whose
        /// key is `key`. See ``XMLWriterName/Key`` for when keys decide.
        /// (`mutating` for the reason ``prefix(for:)`` is.)
        private mutating func isDuplicate(
            _ name: XMLQualifiedName, key: XMLWriterName.Key, among attributes: some Collection<XMLAttribute>
        ) -> Bool {
            let earlier = attributeKeys.count
            // Earlier names were all accepted; an unaccepted one (which is
            // refused below either way) may still equal one of them.
            guard key.isNCName else { return attributes.prefix(earlier).contains { $0.name == name } }
            for index in 0..<earlier where attributeKeys[index] == key {
                if attributes[attributes.index(attributes.startIndex, offsetBy: index)].name == name { return true }
            }
            return false
        }

        /// Appends a local name whose key said whether it is accepted.
        @inline(__always)
        mutating func appendLocalName(_ name: String, key: XMLWriterName.Key, element: XMLQualifiedName) throws(XMLWriterError) {
            guard key.isNCName else { throw XMLWriterError(.invalidName(name), element: element) }
            output.appendUTF8(name)
        }

        /// Appends `name` after checking it is an XML name without a colon.
        @inline(__always)
        mutating func appendName(_ name: String, element: XMLQualifiedName) throws(XMLWriterError) {
            guard output.appendName(name) else { throw XMLWriterError(.invalidName(name), element: element) }
        }

        /// Appends `text` escaped, refusing characters XML 1.0 forbids.
        @inline(__always)
        mutating func appendEscaped(_ text: String, inAttribute: Bool, element: XMLQualifiedName) throws(XMLWriterError) {
            if let illegal = output.appendEscaped(text, inAttribute: inAttribute) {
                throw XMLWriterError(.illegalCharacter(illegal), element: element)
            }
        }
    }
}
