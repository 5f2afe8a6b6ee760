internal import CExpat

/// The reader's state between Expat callbacks: collects one top-level child
/// of the stream at a time and turns it into a single ``XMLTree``, checking
/// the limits as it goes.
///
/// Everything a stanza holds is gathered in scratch buffers that live as
/// long as the reader, then moved into one allocation when the stanza ends;
/// so building a stanza allocates its tree and its strings, nothing else.
/// The builder lives in memory the reader allocates once, so each Expat
/// callback reaches it through a plain pointer.
struct XMLTreeBuilder {
    let parser: XML_Parser
    let limits: XMLStreamReader.Limits
    var names = XMLNameTable()
    /// Expat runs without namespace processing; see XMLNamespaceScope.
    var scope = XMLNamespaceScope()

    /// Events completed since the caller last took them.
    var events: [XMLStreamEvent] = []
    /// The first failure; once set, callbacks do nothing more.
    var failure: XMLStreamError?

    /// An element whose end tag has not arrived yet.
    private struct OpenElement {
        var node: Int32
        /// Where this element's child references start in `pending`.
        var pendingStart: Int
        /// The bindings in force before its start tag (its own go at its end).
        var bindingMark: Int
    }

    /// A prefixed attribute of the start tag being read, kept to find two
    /// that expand to one name.
    struct PrefixedName {
        var namespace: Int32
        var local: UnsafePointer<UInt8>
        var count: Int
    }

    private var open: [OpenElement] = []
    // The scratch buffers start at what a typical small stanza needs and
    // double when a bigger one arrives: every session holds them for its
    // whole life, idle or not, so large first sizes cost memory per session.
    private var nodes = ScratchBuffer<XMLTreeStorage.Node>(capacity: 8)
    var attributes = ScratchBuffer<XMLTreeStorage.Attribute>(capacity: 16)
    /// Child references of finished elements, contiguous per element.
    private var children = ScratchBuffer<Int32>(capacity: 16)
    /// Child references of open elements, innermost last.
    private var pending = ScratchBuffer<Int32>(capacity: 16)
    private var texts = ScratchBuffer<XMLTreeStorage.ByteRange>(capacity: 8)
    /// The bytes of every attribute value and text run of the current stanza.
    var bytes = ScratchBuffer<UInt8>(capacity: 512)
    /// Where the innermost open element's pending text run starts in `bytes`.
    private var textStart = 0
    private(set) var streamStarted = false
    /// The stream header's declarations, by prefix ("" for the default).
    var namespaceDeclarations: [String: String] = [:]
    /// The prefixed attributes of the start tag being read.
    var prefixedNames = ScratchBuffer<PrefixedName>(capacity: 2)
    /// Byte index where the current top-level element started.
    private(set) var elementStart = 0
    /// Byte index just after the last event's closing `>`.
    private(set) var lastEventEnd = 0

    init(parser: XML_Parser, limits: XMLStreamReader.Limits) {
        self.parser = parser
        self.limits = limits
    }

    /// Whether a top-level element is open.
    var isInsideElement: Bool { !open.isEmpty }
    /// Whether the stream header has been read.
    var hasStreamStarted: Bool { streamStarted }

    /// Forgets everything about the current stream (for a stream restart);
    /// keeps the name table, which stays valid across streams.
    mutating func reset() {
        events.removeAll()
        failure = nil
        discardPartialElement()
        streamStarted = false
        namespaceDeclarations = [:]
        scope.removeAll()
        elementStart = 0
        lastEventEnd = 0
    }

    /// Frees the scratch memory; the builder must not be used afterwards.
    mutating func deallocate() {
        names.deallocate()
        scope.deallocate()
        prefixedNames.deallocate()
        nodes.deallocate()
        attributes.deallocate()
        children.deallocate()
        pending.deallocate()
        texts.deallocate()
        bytes.deallocate()
    }

    private mutating func discardPartialElement() {
        open.removeAll()
        nodes.removeAll()
        attributes.removeAll()
        children.removeAll()
        pending.removeAll()
        texts.removeAll()
        bytes.removeAll()
        textStart = 0
    }

    /// Records a failure and stops the parser; the first failure wins.
    mutating func fail(_ kind: XMLStreamError.Kind, detail: String = "", at offset: Int? = nil) {
        guard failure == nil else { return }
        failure = XMLStreamError(kind, byteOffset: offset ?? Int(XML_GetCurrentByteIndex(parser)), detail: detail)
        XML_StopParser(parser, 0)
    }

    private var currentTokenEnd: Int {
        Int(XML_GetCurrentByteIndex(parser)) + Int(XML_GetCurrentByteCount(parser))
    }

    // MARK: Callbacks

    mutating func startElement(_ rawName: UnsafePointer<CChar>, _ rawAttributes: UnsafeMutablePointer<UnsafePointer<CChar>?>) {
        guard failure == nil else { return }
        guard streamStarted else {
            startStream(rawName, rawAttributes)
            return
        }
        if open.isEmpty {
            elementStart = Int(XML_GetCurrentByteIndex(parser))
            if names.rotateIfNeeded() {
                // Only the header's bindings are in force between stanzas.
                do {
                    try scope.renumber(in: &names.namespaces)
                } catch {
                    return fail(error)
                }
            }
        } else {
            flushText()
        }
        guard open.count < limits.maxDepth else {
            return fail(.tooDeep, detail: "limit \(limits.maxDepth)")
        }
        let bindingMark = scope.bindingCount
        guard let pairs = declareNamespaces(rawAttributes), let name = elementName(rawName) else { return }
        let attributeStart = attributes.count
        guard appendAttributes(rawAttributes, pairs: pairs) else { return }
        let node = Int32(nodes.count)
        nodes.append(XMLTreeStorage.Node(
            name: name,
            attributeStart: Int32(attributeStart),
            attributeCount: Int32(attributes.count - attributeStart),
            childStart: 0,
            childCount: 0
        ))
        if !open.isEmpty {
            // A child of the innermost open element.
            pending.append(node)
        }
        open.append(OpenElement(node: node, pendingStart: pending.count, bindingMark: bindingMark))
        textStart = bytes.count
    }

    mutating func endElement() {
        guard failure == nil else { return }
        guard let element = open.last else {
            events.append(.streamEnd)
            lastEventEnd = currentTokenEnd
            return
        }
        flushText()
        open.removeLast()
        scope.unwind(to: element.bindingMark)
        let childStart = children.count
        children.moveTail(of: &pending, from: element.pendingStart)
        nodes[Int(element.node)].childStart = Int32(childStart)
        nodes[Int(element.node)].childCount = Int32(children.count - childStart)
        guard open.isEmpty else { return }
        let end = currentTokenEnd
        guard end - elementStart <= limits.maxElementBytes else {
            return fail(.elementTooLarge, detail: "limit \(limits.maxElementBytes)")
        }
        let tree = XMLTree.make(names: names.store, nodes: &nodes, attributes: &attributes, children: &children, texts: &texts, bytes: &bytes)
        textStart = 0
        events.append(.element(tree.element(0)))
        lastEventEnd = end
    }

    mutating func characters(_ start: UnsafePointer<CChar>, count: Int) {
        guard failure == nil, count > 0 else { return }
        start.withMemoryRebound(to: UInt8.self, capacity: count) { chunk in
            guard !open.isEmpty else {
                // Between top-level elements only whitespace (keepalives) may appear.
                let buffer = UnsafeBufferPointer(start: chunk, count: count)
                if buffer.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) {
                    fail(.textAtStreamLevel)
                }
                return
            }
            guard bytes.count - textStart + count <= limits.maxTextBytes else {
                return fail(.textTooLong, detail: "limit \(limits.maxTextBytes)")
            }
            bytes.append(copying: chunk, count: count)
        }
    }

    // MARK: Building

    private mutating func startStream(_ rawName: UnsafePointer<CChar>, _ rawAttributes: UnsafeMutablePointer<UnsafePointer<CChar>?>) {
        guard let pairs = declareNamespaces(rawAttributes), let name = elementName(rawName),
              appendAttributes(rawAttributes, pairs: pairs)
        else { return }
        var headerAttributes: [XMLAttribute] = []
        headerAttributes.reserveCapacity(attributes.count)
        for index in 0..<attributes.count {
            headerAttributes.append(XMLAttribute(names.store.name(attributes[index].name), value: bytes.string(attributes[index].value)))
        }
        attributes.removeAll()
        bytes.removeAll()
        streamStarted = true
        // An XML declaration is legal only before the header: stop Expat
        // calling back for it on every stanza (`reset()` installs it again).
        XML_SetXmlDeclHandler(parser, nil)
        events.append(.streamStart(XMLStreamHeader(
            name: names.store.name(name),
            attributes: headerAttributes,
            namespaceDeclarations: namespaceDeclarations
        )))
        lastEventEnd = currentTokenEnd
    }

    /// Ends the innermost element's current text run (at a child's start or
    /// the element's end), recording it as a child.
    private mutating func flushText() {
        guard bytes.count > textStart else { return }
        let index = Int32(texts.count)
        texts.append(XMLTreeStorage.ByteRange(offset: Int32(textStart), count: Int32(bytes.count - textStart)))
        pending.append(~index)
        textStart = bytes.count
    }
}
