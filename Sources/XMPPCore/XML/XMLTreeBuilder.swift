internal import CExpat
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The reader's state between Expat callbacks: builds one ``XMLElement`` per
/// top-level child of the stream and checks the limits as it goes.
///
/// Kept as a struct inside the reader so that each callback touches the
/// reader's storage once and everything else is plain, statically checked
/// struct mutation.
struct XMLTreeBuilder {
    let parser: XML_Parser
    let limits: XMLStreamReader.Limits
    var names = XMLNameTable()

    /// Events completed since the caller last took them.
    var events: [XMLStreamEvent] = []
    /// The first failure; once set, callbacks do nothing more.
    var failure: XMLStreamError?

    /// Elements open inside the current top-level element, outermost first.
    private var stack: [XMLElement] = []
    /// Character data of the innermost open element not yet turned into a node.
    private var text: [UInt8] = []
    private var streamStarted = false
    private var namespaceDeclarations: [String: String] = [:]
    /// Byte index where the current top-level element started.
    private(set) var elementStart = 0
    /// Byte index just after the last event's closing `>`.
    private(set) var lastEventEnd = 0

    init(parser: XML_Parser, limits: XMLStreamReader.Limits) {
        self.parser = parser
        self.limits = limits
        text.reserveCapacity(256)
    }

    /// Whether a top-level element is open.
    var isInsideElement: Bool { !stack.isEmpty }
    /// Whether the stream header has been read.
    var hasStreamStarted: Bool { streamStarted }

    /// Forgets everything about the current stream (for a stream restart);
    /// keeps the name table, which stays valid across streams.
    mutating func reset() {
        events.removeAll()
        failure = nil
        stack.removeAll()
        text.removeAll(keepingCapacity: true)
        streamStarted = false
        namespaceDeclarations = [:]
        elementStart = 0
        lastEventEnd = 0
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

    mutating func startNamespaceDeclaration(prefix: UnsafePointer<CChar>?, uri: UnsafePointer<CChar>?) {
        // Only the header's declarations are reported; inside stanzas the
        // reader resolves names itself.
        guard !streamStarted, failure == nil else { return }
        let prefixString = prefix.map { String(cString: $0) } ?? ""
        namespaceDeclarations[prefixString] = uri.map { String(cString: $0) } ?? ""
    }

    mutating func startElement(_ rawName: UnsafePointer<CChar>, _ rawAttributes: UnsafeMutablePointer<UnsafePointer<CChar>?>) {
        guard failure == nil else { return }
        if !streamStarted {
            startStream(rawName, rawAttributes)
            return
        }
        if stack.isEmpty {
            elementStart = Int(XML_GetCurrentByteIndex(parser))
        } else {
            flushText()
        }
        guard stack.count < limits.maxDepth else {
            return fail(.tooDeep, detail: "limit \(limits.maxDepth)")
        }
        guard let name = qualifiedName(rawName), let attributes = attributes(rawAttributes) else { return }
        stack.append(XMLElement(name: name, attributes: attributes))
    }

    mutating func endElement() {
        guard failure == nil else { return }
        guard !stack.isEmpty else {
            events.append(.streamEnd)
            lastEventEnd = currentTokenEnd
            return
        }
        flushText()
        let element = stack.removeLast()
        if stack.isEmpty {
            let end = currentTokenEnd
            guard end - elementStart <= limits.maxElementBytes else {
                return fail(.elementTooLarge, detail: "limit \(limits.maxElementBytes)")
            }
            events.append(.element(element))
            lastEventEnd = end
        } else {
            if stack[stack.count - 1].children.capacity == 0 {
                stack[stack.count - 1].children.reserveCapacity(6)
            }
            stack[stack.count - 1].children.append(.element(element))
        }
    }

    mutating func characters(_ start: UnsafePointer<CChar>, count: Int) {
        guard failure == nil, count > 0 else { return }
        start.withMemoryRebound(to: UInt8.self, capacity: count) { bytes in
            let buffer = UnsafeBufferPointer(start: bytes, count: count)
            guard !stack.isEmpty else {
                // Between top-level elements only whitespace (keepalives) may appear.
                if buffer.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) {
                    fail(.textAtStreamLevel)
                }
                return
            }
            guard text.count + count <= limits.maxTextBytes else {
                return fail(.textTooLong, detail: "limit \(limits.maxTextBytes)")
            }
            text.append(contentsOf: buffer)
        }
    }

    // MARK: Building

    private mutating func startStream(_ rawName: UnsafePointer<CChar>, _ rawAttributes: UnsafeMutablePointer<UnsafePointer<CChar>?>) {
        guard let name = qualifiedName(rawName), let attributes = attributes(rawAttributes) else { return }
        streamStarted = true
        events.append(.streamStart(XMLStreamHeader(
            name: name,
            attributes: attributes,
            namespaceDeclarations: namespaceDeclarations
        )))
        lastEventEnd = currentTokenEnd
    }

    private mutating func flushText() {
        guard !text.isEmpty else { return }
        let run = String(decoding: text, as: UTF8.self)
        text.removeAll(keepingCapacity: true)
        stack[stack.count - 1].children.append(.text(run))
    }

    /// Splits Expat's `namespace<0x1F>local` form.
    private mutating func qualifiedName(_ rawName: UnsafePointer<CChar>) -> XMLQualifiedName? {
        let length = strlen(rawName)
        guard length <= limits.maxNameBytes else {
            fail(.nameTooLong, detail: "limit \(limits.maxNameBytes)")
            return nil
        }
        return rawName.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
            names.qualifiedName(bytes, count: length)
        }
    }

    private mutating func attributes(_ raw: UnsafeMutablePointer<UnsafePointer<CChar>?>) -> [XMLAttribute]? {
        guard raw[0] != nil else { return [] }
        var pairs = 0
        while raw[pairs * 2] != nil { pairs += 1 }
        guard pairs <= limits.maxAttributes else {
            fail(.tooManyAttributes, detail: "limit \(limits.maxAttributes)")
            return nil
        }
        var result: [XMLAttribute] = []
        result.reserveCapacity(pairs)
        for pair in 0..<pairs {
            guard let rawName = raw[pair * 2], let rawValue = raw[pair * 2 + 1],
                  let name = qualifiedName(rawName)
            else { return nil }
            let length = strlen(rawValue)
            guard length <= limits.maxAttributeValueBytes else {
                fail(.attributeValueTooLong, detail: "limit \(limits.maxAttributeValueBytes)")
                return nil
            }
            let value = rawValue.withMemoryRebound(to: UInt8.self, capacity: length) {
                String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
            }
            result.append(XMLAttribute(name, value: value))
        }
        return result
    }
}
