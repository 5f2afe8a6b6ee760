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

    /// A prefixed attribute of the start tag being read, kept to find two
    /// that expand to one name.
    private struct PrefixedName {
        var namespace: Int32
        var local: UnsafePointer<UInt8>
        var count: Int
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
    /// The prefixed attributes of the start tag being read.
    private var prefixedNames = ScratchBuffer<PrefixedName>(capacity: 2)
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

    // MARK: Names

    /// Counts the start tag's attributes against the limits (namespace
    /// declarations apart, H23) and binds the prefixes it declares; the
    /// number of attribute pairs, or `nil` on failure. Declarations come
    /// first: they apply to the element's own name and attributes.
    @inline(__always)
    private mutating func declareNamespaces(_ raw: UnsafeMutablePointer<UnsafePointer<CChar>?>) -> Int? {
        var pairs = 0
        var declarations = 0
        while let name = raw[pairs * 2] {
            if XMLNamespaceScope.isDeclaration(Self.bytes(name)) { declarations += 1 }
            pairs += 1
        }
        guard declarations <= limits.maxAttributes else {
            fail(.tooManyAttributes, detail: "limit \(limits.maxAttributes), namespace declarations included")
            return nil
        }
        guard pairs - declarations <= limits.maxAttributes else {
            fail(.tooManyAttributes, detail: "limit \(limits.maxAttributes)")
            return nil
        }
        guard declarations > 0 else { return pairs }
        for pair in 0..<pairs {
            guard let rawName = raw[pair * 2], let rawValue = raw[pair * 2 + 1] else { return nil }
            let name = Self.bytes(rawName)
            guard XMLNamespaceScope.isDeclaration(name) else { continue }
            guard let value = attributeValue(rawValue) else { return nil }
            let declaration = UnsafeBufferPointer(start: name, count: strlen(rawName))
            do {
                try scope.declare(declaration, uri: value, in: &names.namespaces)
            } catch {
                fail(error)
                return nil
            }
            if !streamStarted {
                let prefix = declaration.count > 5 ? String(decoding: UnsafeBufferPointer(rebasing: declaration[6...]), as: UTF8.self) : ""
                namespaceDeclarations[prefix] = String(decoding: value, as: UTF8.self)
            }
        }
        return pairs
    }

    /// The name table index of an element's raw name, resolved in the scope.
    @inline(__always)
    private mutating func elementName(_ rawName: UnsafePointer<CChar>) -> Int32? {
        let name = Self.bytes(rawName)
        let (count, colon) = Self.measure(name)
        guard colon >= 0 else { return intern(namespace: scope.defaultNamespace, local: name, count: count) }
        guard let namespace = resolvePrefix(name, count: count, colon: colon) else { return nil }
        return intern(namespace: namespace, local: name + colon + 1, count: count - colon - 1)
    }

    /// Appends the element's attributes other than namespace declarations
    /// to `attributes`; false on failure.
    @inline(__always)
    private mutating func appendAttributes(_ raw: UnsafeMutablePointer<UnsafePointer<CChar>?>, pairs: Int) -> Bool {
        prefixedNames.removeAll()
        for pair in 0..<pairs {
            guard let rawName = raw[pair * 2], let rawValue = raw[pair * 2 + 1] else { return false }
            let name = Self.bytes(rawName)
            if XMLNamespaceScope.isDeclaration(name) { continue }
            let (count, colon) = Self.measure(name)
            let index: Int32
            if colon < 0 {
                // An unprefixed attribute is in no namespace.
                guard let found = intern(namespace: XMLNamespaceTable.none, local: name, count: count) else { return false }
                index = found
            } else {
                let local = name + colon + 1
                guard let namespace = resolvePrefix(name, count: count, colon: colon),
                      let found = intern(namespace: namespace, local: local, count: count - colon - 1)
                else { return false }
                prefixedNames.append(PrefixedName(namespace: namespace, local: local, count: count - colon - 1))
                index = found
            }
            guard let value = attributeValue(rawValue), let valueBase = value.baseAddress else { return false }
            let offset = bytes.count
            bytes.append(copying: valueBase, count: value.count)
            attributes.append(XMLTreeStorage.Attribute(
                name: index,
                value: XMLTreeStorage.ByteRange(offset: Int32(offset), count: Int32(value.count))
            ))
        }
        // Expat refused repeated raw names; two prefixes bound to one
        // namespace can still repeat an expanded name.
        if prefixedNames.count > 1, hasDuplicatePrefixedName() {
            fail(.notWellFormed, detail: "duplicate attribute (after namespace expansion)")
            return false
        }
        return true
    }

    /// Whether two prefixed attributes of the start tag expand to one name
    /// (quadratic, but only over prefixed attributes, at most
    /// `maxAttributes`, and namespace numbers are exact).
    private func hasDuplicatePrefixedName() -> Bool {
        for first in 0..<prefixedNames.count {
            let a = prefixedNames[first]
            for second in (first + 1)..<prefixedNames.count {
                let b = prefixedNames[second]
                if a.namespace == b.namespace, a.count == b.count, memcmp(a.local, b.local, a.count) == 0 { return true }
            }
        }
        return false
    }

    /// The length of a NUL-terminated raw name and the position of its
    /// first colon (-1 for none), in one pass.
    @inline(__always)
    private static func measure(_ name: UnsafePointer<UInt8>) -> (count: Int, colon: Int) {
        var count = 0
        var colon = -1
        while name[count] != 0 {
            if name[count] == XMLNamespaceScope.colon, colon < 0 { colon = count }
            count += 1
        }
        return (count, colon)
    }

    /// The namespace of a prefixed raw name's prefix; `nil` (after failing)
    /// when the name is not a qualified name (Expat, without namespace
    /// processing, checked only that it is an XML name) or the prefix is
    /// unbound.
    private mutating func resolvePrefix(_ name: UnsafePointer<UInt8>, count: Int, colon: Int) -> Int32? {
        let localStart = colon + 1
        guard colon > 0, localStart < count, XMLNamespaceScope.startsName(name[localStart]),
              memchr(name + localStart, Int32(XMLNamespaceScope.colon), count - localStart) == nil
        else {
            fail(.malformedName)
            return nil
        }
        guard let namespace = scope.namespace(forPrefix: UnsafeBufferPointer(start: name, count: colon)) else {
            fail(.unboundPrefix)
            return nil
        }
        return namespace
    }

    /// The name table index of a resolved name, after the length limit
    /// (which counts the name in its expanded form, namespace, separator
    /// and local name, as when Expat expanded names).
    @inline(__always)
    private mutating func intern(namespace: Int32, local: UnsafePointer<UInt8>, count: Int) -> Int32? {
        let expandedCount = namespace == XMLNamespaceTable.none ? count : names.namespaces.length(namespace) + 1 + count
        guard expandedCount <= limits.maxNameBytes else {
            fail(.nameTooLong, detail: "limit \(limits.maxNameBytes)")
            return nil
        }
        guard let index = names.index(namespace: namespace, local: local, count: count) else {
            fail(.tooManyNames, detail: "at least \(XMLNameStore.capacity / 2) distinct names per stanza")
            return nil
        }
        return index
    }

    /// An attribute value's bytes, after the length limit; `nil` on failure.
    @inline(__always)
    private mutating func attributeValue(_ rawValue: UnsafePointer<CChar>) -> UnsafeBufferPointer<UInt8>? {
        let length = strlen(rawValue)
        guard length <= limits.maxAttributeValueBytes else {
            fail(.attributeValueTooLong, detail: "limit \(limits.maxAttributeValueBytes)")
            return nil
        }
        return UnsafeBufferPointer(start: Self.bytes(rawValue), count: length)
    }

    /// Records a namespace failure with its stream error condition.
    private mutating func fail(_ failure: XMLNamespaceScope.Failure) {
        switch failure {
        case .unboundPrefix: fail(.notWellFormed, detail: "unbound namespace prefix")
        case .emptyPrefixedDeclaration: fail(.notWellFormed, detail: "a prefix declared with an empty namespace")
        case .reservedPrefix: fail(.badNamespacePrefix, detail: "the xml or xmlns prefix declared")
        case .reservedNamespace: fail(.badNamespacePrefix, detail: "the xml or xmlns namespace bound to another prefix")
        case .malformedName: fail(.notWellFormed, detail: "not a qualified name")
        case .tooManyNamespaces:
            fail(.tooManyNames, detail: "more than \(XMLNamespaceTable.capacity / 2) distinct namespaces per stanza")
        }
    }

    /// A NUL-terminated C string, as bytes.
    @inline(__always)
    private static func bytes(_ string: UnsafePointer<CChar>) -> UnsafePointer<UInt8> {
        UnsafeRawPointer(string).assumingMemoryBound(to: UInt8.self)
    }
}
