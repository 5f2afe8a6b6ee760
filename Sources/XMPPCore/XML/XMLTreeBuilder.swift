internal import CExpat
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    private var scope = XMLNamespaceScope()

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

    private var open: [OpenElement] = []
    // The scratch buffers start at what a typical small stanza needs and
    // double when a bigger one arrives: every session holds them for its
    // whole life, idle or not, so large first sizes cost memory per session.
    private var nodes = ScratchBuffer<XMLTreeStorage.Node>(capacity: 8)
    private var attributes = ScratchBuffer<XMLTreeStorage.Attribute>(capacity: 16)
    /// Child references of finished elements, contiguous per element.
    private var children = ScratchBuffer<Int32>(capacity: 16)
    /// Child references of open elements, innermost last.
    private var pending = ScratchBuffer<Int32>(capacity: 16)
    private var texts = ScratchBuffer<XMLTreeStorage.ByteRange>(capacity: 8)
    /// The bytes of every attribute value and text run of the current stanza.
    private var bytes = ScratchBuffer<UInt8>(capacity: 512)
    /// Where the innermost open element's pending text run starts in `bytes`.
    private var textStart = 0
    private var streamStarted = false
    /// The stream header's declarations, by prefix ("" for the default).
    private var namespaceDeclarations: [String: String] = [:]
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
            names.rotateIfNeeded()
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

    /// Counts the start tag's attributes against the limit (namespace
    /// declarations included, H23) and binds the prefixes it declares;
    /// `nil` on failure. Declarations come first: they apply to the
    /// element's own name and attributes.
    private mutating func declareNamespaces(_ raw: UnsafeMutablePointer<UnsafePointer<CChar>?>) -> Int? {
        var pairs = 0
        while raw[pairs * 2] != nil { pairs += 1 }
        guard pairs <= limits.maxAttributes else {
            fail(.tooManyAttributes, detail: "limit \(limits.maxAttributes), namespace declarations included")
            return nil
        }
        for pair in 0..<pairs {
            guard let rawName = raw[pair * 2], let rawValue = raw[pair * 2 + 1] else { return nil }
            guard XMLNamespaceScope.isDeclaration(UnsafeRawPointer(rawName)) else { continue }
            guard let value = attributeValue(rawValue) else { return nil }
            let name = Self.bytes(rawName, count: strlen(rawName))
            do {
                try scope.declare(name, uri: value)
            } catch {
                fail(error)
                return nil
            }
            if !streamStarted {
                let prefix = name.count > 5 ? String(decoding: UnsafeBufferPointer(rebasing: name[6...]), as: UTF8.self) : ""
                namespaceDeclarations[prefix] = String(decoding: value, as: UTF8.self)
            }
        }
        return pairs
    }

    /// The name table index of an element's name, resolved in the scope.
    private mutating func elementName(_ rawName: UnsafePointer<CChar>) -> Int32? {
        do {
            return intern(try scope.expandedName(Self.bytes(rawName, count: strlen(rawName)), isAttribute: false))
        } catch {
            fail(error)
            return nil
        }
    }

    /// Looks an expanded name (`namespace<0x1F>local`, or a local name in
    /// no namespace) up in the name table.
    private mutating func intern(_ name: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard name.count <= limits.maxNameBytes else {
            fail(.nameTooLong, detail: "limit \(limits.maxNameBytes)")
            return nil
        }
        guard let base = name.baseAddress, let index = names.index(base, count: name.count) else {
            fail(.tooManyNames, detail: "at least \(XMLNameStore.capacity / 2) distinct names per stanza")
            return nil
        }
        return index
    }

    /// An attribute value's bytes, after the length limit; `nil` on failure.
    private mutating func attributeValue(_ rawValue: UnsafePointer<CChar>) -> UnsafeBufferPointer<UInt8>? {
        let length = strlen(rawValue)
        guard length <= limits.maxAttributeValueBytes else {
            fail(.attributeValueTooLong, detail: "limit \(limits.maxAttributeValueBytes)")
            return nil
        }
        return Self.bytes(rawValue, count: length)
    }

    /// Appends the element's attributes other than namespace declarations
    /// to `attributes`; false on failure.
    private mutating func appendAttributes(_ raw: UnsafeMutablePointer<UnsafePointer<CChar>?>, pairs: Int) -> Bool {
        var prefixed = 0
        for pair in 0..<pairs {
            guard let rawName = raw[pair * 2], let rawValue = raw[pair * 2 + 1] else { return false }
            guard !XMLNamespaceScope.isDeclaration(UnsafeRawPointer(rawName)) else { continue }
            let rawBytes = Self.bytes(rawName, count: strlen(rawName))
            let name: Int32
            do {
                let expanded = try scope.expandedName(rawBytes, isAttribute: true)
                if expanded.baseAddress != rawBytes.baseAddress { prefixed += 1 }
                guard let index = intern(expanded) else { return false }
                name = index
            } catch {
                fail(error)
                return false
            }
            guard let value = attributeValue(rawValue), let valueBase = value.baseAddress else { return false }
            let offset = bytes.count
            bytes.append(copying: valueBase, count: value.count)
            attributes.append(XMLTreeStorage.Attribute(
                name: name,
                value: XMLTreeStorage.ByteRange(offset: Int32(offset), count: Int32(value.count))
            ))
        }
        // Expat refused repeated raw names; two prefixes bound to one
        // namespace can still repeat an expanded name.
        if prefixed > 1, hasDuplicateExpandedName(raw, pairs: pairs) {
            fail(.duplicateAttribute)
            return false
        }
        return true
    }

    /// Whether two prefixed attributes of the start tag expand to one name
    /// (quadratic, but only over prefixed attributes, which are rare and
    /// at most `maxAttributes`).
    private func hasDuplicateExpandedName(_ raw: UnsafeMutablePointer<UnsafePointer<CChar>?>, pairs: Int) -> Bool {
        for first in 0..<pairs {
            guard let a = raw[first * 2], strchr(a, 0x3A) != nil, !XMLNamespaceScope.isDeclaration(UnsafeRawPointer(a)) else { continue }
            for second in (first + 1)..<max(pairs, first + 1) {
                guard let b = raw[second * 2], strchr(b, 0x3A) != nil, !XMLNamespaceScope.isDeclaration(UnsafeRawPointer(b)) else { continue }
                if scope.sameExpandedName(Self.bytes(a, count: strlen(a)), Self.bytes(b, count: strlen(b))) { return true }
            }
        }
        return false
    }

    /// Records a namespace failure with its stream error condition.
    private mutating func fail(_ failure: XMLNamespaceScope.Failure) {
        switch failure {
        case .unboundPrefix: fail(.notWellFormed, detail: "unbound namespace prefix")
        case .emptyPrefixedDeclaration: fail(.notWellFormed, detail: "a prefix declared with an empty namespace")
        case .reservedPrefix: fail(.badNamespacePrefix, detail: "the xml or xmlns prefix declared")
        case .reservedNamespace: fail(.badNamespacePrefix, detail: "the xml or xmlns namespace bound to another prefix")
        case .malformedName: fail(.notWellFormed, detail: "not a qualified name")
        case .duplicateAttribute: fail(.notWellFormed, detail: "duplicate attribute (after namespace expansion)")
        }
    }

    /// A NUL-terminated C string of known length, as bytes.
    @inline(__always)
    private static func bytes(_ string: UnsafePointer<CChar>, count: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: UnsafeRawPointer(string).assumingMemoryBound(to: UInt8.self), count: count)
    }
}
