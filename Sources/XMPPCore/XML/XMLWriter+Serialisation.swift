extension XMLWriter {
    /// An element whose start tag is written: what its end tag and its
    /// remaining children need.
    private struct Frame {
        let name: XMLQualifiedName
        let prefix: String?
        let children: XMLChildren
        var next: Int
        /// Where in the scope stack the scope its children see is.
        let scopeIndex: Int
        /// Whether its start tag declared something (pushed that scope).
        let pushedScope: Bool
    }

    /// Writes one element and its content. Iterates with an explicit stack
    /// rather than recursing, so a deep element cannot exhaust the stack;
    /// scopes are stacked only where a start tag declares a namespace, so
    /// that the common element costs no copy of them.
    static func write(
        _ root: XMLElement,
        scope rootScope: Scope,
        generatedPrefixes: inout Int,
        into buffer: inout [UInt8]
    ) throws(XMLWriterError) {
        var frames: [Frame] = []
        var scopes: [Scope] = [rootScope]
        var pending: XMLElement? = root
        var pendingScopeIndex = 0
        while true {
            if let element = pending {
                pending = nil
                var scope = scopes[pendingScopeIndex]
                let before = (scope.defaultNamespace, scope.prefixes.count)
                let prefix = try startTag(element, scope: &scope, generatedPrefixes: &generatedPrefixes, into: &buffer)
                let children = element.children
                if children.isEmpty {
                    appendASCII("/>", into: &buffer)
                } else {
                    buffer.append(UInt8(ascii: ">"))
                    // Prefixes are only ever added, so a count compares them.
                    let declared = scope.defaultNamespace != before.0 || scope.prefixes.count != before.1
                    if declared { scopes.append(scope) }
                    frames.append(
                        Frame(
                            name: element.name, prefix: prefix, children: children, next: 0,
                            scopeIndex: declared ? scopes.count - 1 : pendingScopeIndex, pushedScope: declared))
                }
            }
            let last = frames.count - 1
            guard last >= 0 else { return }
            let next = frames[last].next
            if next == frames[last].children.count {
                let top = frames.removeLast()
                if top.pushedScope { scopes.removeLast() }
                appendASCII("</", into: &buffer)
                // Checked when the start tag was written.
                if let prefix = top.prefix {
                    appendUTF8(prefix, into: &buffer)
                    buffer.append(UInt8(ascii: ":"))
                }
                appendUTF8(top.name.localName, into: &buffer)
                buffer.append(UInt8(ascii: ">"))
                continue
            }
            frames[last].next = next + 1
            switch frames[last].children[next] {
            case .text(let text):
                try appendEscaped(text, inAttribute: false, element: frames[last].name, into: &buffer)
            case .element(let child):
                pending = child
                pendingScopeIndex = frames[last].scopeIndex
            }
        }
    }

    /// Writes `<name attrs` (without the closing `>`), declaring what the
    /// scope lacks, and returns the prefix used for the element name.
    private static func startTag(
        _ element: XMLElement,
        scope: inout Scope,
        generatedPrefixes: inout Int,
        into buffer: inout [UInt8]
    ) throws(XMLWriterError) -> String? {
        let namespace = element.name.namespace
        // XML reserves these; a reader refuses any element declared in them.
        guard namespace != XMLNamespace.xml, namespace != XMLNamespace.xmlns else {
            throw XMLWriterError(.reservedNamespace(namespace), element: element.name)
        }
        buffer.append(UInt8(ascii: "<"))
        var prefix: String?
        var declareDefault = false
        if namespace == scope.defaultNamespace {
            prefix = nil
        } else if let known = scope.prefixes[namespace], !namespace.isEmpty {
            prefix = known
        } else {
            // Declaring a new default namespace is the shortest form and the
            // one XMPP peers expect (`<query xmlns='jabber:iq:roster'>`).
            declareDefault = true
            scope.defaultNamespace = namespace
        }
        try appendName(element.name.localName, prefix: prefix, element: element.name, into: &buffer)
        if declareDefault {
            appendASCII(" xmlns='", into: &buffer)
            try appendEscaped(namespace, inAttribute: true, element: element.name, into: &buffer)
            buffer.append(UInt8(ascii: "'"))
        }
        try appendAttributes(element.attributes, of: element.name, scope: &scope, generatedPrefixes: &generatedPrefixes, into: &buffer)
        return prefix
    }

    static func appendAttributes(
        _ attributes: some Collection<XMLAttribute>,
        of element: XMLQualifiedName,
        scope: inout Scope,
        generatedPrefixes: inout Int,
        into buffer: inout [UInt8]
    ) throws(XMLWriterError) {
        // The names written so far, for the duplicate check: kept rather
        // than read back, which for a parsed element decodes each again.
        var written: [XMLQualifiedName] = []
        let checksDuplicates = attributes.count > 1
        if checksDuplicates { written.reserveCapacity(attributes.count) }
        for attribute in attributes {
            let namespace = attribute.name.namespace
            // `xmlns` and `xmlns:…` are namespace declarations, which the
            // writer makes itself; one written as an attribute would change
            // the namespace of the element it is on.
            if namespace == XMLNamespace.xmlns || (namespace.isEmpty && attribute.name.localName == "xmlns") {
                throw XMLWriterError(.reservedNamespace(XMLNamespace.xmlns), element: element)
            }
            if checksDuplicates {
                if written.contains(attribute.name) {
                    throw XMLWriterError(.duplicateAttribute(attribute.name), element: element)
                }
                written.append(attribute.name)
            }
            buffer.append(UInt8(ascii: " "))
            if namespace.isEmpty {
                try appendName(attribute.name.localName, prefix: nil, element: element, into: &buffer)
            } else if namespace == XMLNamespace.xml {
                try appendName(attribute.name.localName, prefix: "xml", element: element, into: &buffer)
            } else {
                // Unprefixed attributes have no namespace, so a namespaced one
                // always needs a prefix; reuse one in scope or declare one.
                let prefix: String
                if let known = scope.prefixes[namespace] {
                    prefix = known
                } else {
                    generatedPrefixes += 1
                    prefix = "ns\(generatedPrefixes)"
                    scope.prefixes[namespace] = prefix
                    buffer.append(contentsOf: "xmlns:\(prefix)='".utf8)
                    try appendEscaped(namespace, inAttribute: true, element: element, into: &buffer)
                    appendASCII("' ", into: &buffer)
                }
                try appendName(attribute.name.localName, prefix: prefix, element: element, into: &buffer)
            }
            appendASCII("='", into: &buffer)
            try appendEscaped(attribute.value, inAttribute: true, element: element, into: &buffer)
            buffer.append(UInt8(ascii: "'"))
        }
    }

    /// Appends a string's UTF-8 bytes in one copy (the generic
    /// `append(contentsOf: string.utf8)` goes byte by byte).
    @inline(__always)
    static func appendUTF8(_ string: String, into buffer: inout [UInt8]) {
        var string = string
        string.withUTF8 { buffer.append(contentsOf: $0) }
    }

    /// Appends a literal's bytes in one copy.
    @inline(__always)
    static func appendASCII(_ literal: StaticString, into buffer: inout [UInt8]) {
        literal.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }

    /// Appends `prefix:local` after checking both are XML names without a colon.
    static func appendName(_ local: String, prefix: String?, element: XMLQualifiedName, into buffer: inout [UInt8]) throws(XMLWriterError) {
        if let prefix {
            guard isNCName(prefix) else { throw XMLWriterError(.invalidName(prefix), element: element) }
            appendUTF8(prefix, into: &buffer)
            buffer.append(UInt8(ascii: ":"))
        }
        guard isNCName(local) else { throw XMLWriterError(.invalidName(local), element: element) }
        appendUTF8(local, into: &buffer)
    }

    /// A conservative NCName check: ASCII letters, digits, '_', '-' and '.',
    /// not empty, no leading digit, '-' or '.'. Non-ASCII names are refused:
    /// which of them are names depends on the XML edition, and Expat (ours
    /// and most servers') rejects many that XML 1.0 (5th edition) allows, such
    /// as `÷`, a leading combining mark or anything outside the BMP.
    private static func isNCName(_ name: String) -> Bool {
        var first = true
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
                break
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."):
                if first { return false }
            default:
                return false
            }
            first = false
        }
        return !first
    }

    /// Appends `text` escaped for character data or a single-quoted
    /// attribute value, refusing characters XML 1.0 forbids.
    static func appendEscaped(_ text: String, inAttribute: Bool, element: XMLQualifiedName, into buffer: inout [UInt8]) throws(XMLWriterError) {
        var text = text
        // Native strings are contiguous UTF-8 already (no copy); the scan
        // then runs over raw bytes and copies clean runs in one go.
        let failure = text.withUTF8 { bytes in
            appendEscaped(bytes, inAttribute: inAttribute, element: element, into: &buffer)
        }
        if let failure { throw failure }
    }

    /// Bytes below 0x40 that need more than copying in character data:
    /// the controls, `&`, `<` and `>`, as bits of a mask.
    private static let textAttentionMask: UInt64 =
        0xFFFF_FFFF | 1 << UInt64(UInt8(ascii: "&")) | 1 << UInt64(UInt8(ascii: "<")) | 1 << UInt64(UInt8(ascii: ">"))
    /// The same in an attribute value, plus both quotes.
    private static let attributeAttentionMask: UInt64 =
        textAttentionMask | 1 << UInt64(UInt8(ascii: "'")) | 1 << UInt64(UInt8(ascii: "\""))

    /// Whether `byte` needs more than copying: markup, a control
    /// character, a quote inside an attribute (per `mask`), or the lead
    /// byte of a possible U+FFFE / U+FFFF.
    @inline(__always)
    private static func needsAttention(_ byte: UInt8, mask: UInt64) -> Bool {
        byte < 0x40 ? mask & (1 << UInt64(byte)) != 0 : byte == 0xEF
    }

    /// ``appendEscaped(_:inAttribute:element:into:)`` over UTF-8 bytes.
    /// - Returns: Why the text cannot be written, or `nil`.
    private static func appendEscaped(
        _ bytes: UnsafeBufferPointer<UInt8>, inAttribute: Bool, element: XMLQualifiedName, into buffer: inout [UInt8]
    ) -> XMLWriterError? {
        var index = 0
        var pendingStart = 0
        let count = bytes.count
        let mask = inAttribute ? attributeAttentionMask : textAttentionMask
        while index < count {
            let byte = bytes[index]
            guard needsAttention(byte, mask: mask) else {
                index += 1
                continue
            }
            let replacement: StaticString?
            switch byte {
            case UInt8(ascii: "&"): replacement = "&amp;"
            case UInt8(ascii: "<"): replacement = "&lt;"
            // '>' only matters in "]]>", but escaping it always is cheaper than looking back.
            case UInt8(ascii: ">"): replacement = "&gt;"
            case UInt8(ascii: "'"): replacement = "&apos;"
            case UInt8(ascii: "\""): replacement = "&quot;"
            // A reader normalises raw CR (and, in attributes, tab and LF) away;
            // character references survive.
            case 0x0D: replacement = "&#13;"
            case 0x09: replacement = inAttribute ? "&#9;" : nil
            case 0x0A: replacement = inAttribute ? "&#10;" : nil
            case 0x00..<0x20:
                return XMLWriterError(.illegalCharacter(Unicode.Scalar(byte)), element: element)
            default:
                // 0xEF: U+FFFE and U+FFFF are EF BF BE / EF BF BF.
                if index + 2 < count, bytes[index + 1] == 0xBF, bytes[index + 2] == 0xBE || bytes[index + 2] == 0xBF {
                    let scalar = Unicode.Scalar(UInt32(bytes[index + 2] == 0xBE ? 0xFFFE : 0xFFFF)) ?? "?"
                    return XMLWriterError(.illegalCharacter(scalar), element: element)
                }
                replacement = nil
            }
            if let replacement {
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[pendingStart..<index]))
                replacement.withUTF8Buffer { buffer.append(contentsOf: $0) }
                pendingStart = index + 1
            }
            index += 1
        }
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[pendingStart..<count]))
        return nil
    }
}
