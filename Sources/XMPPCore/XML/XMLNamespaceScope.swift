#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The namespace bindings in force at the reader's position in the stream
/// (Namespaces in XML 1.0), and the expanded names made from them.
///
/// Expat can resolve namespaces itself (`XML_ParserCreateNS`), but in that
/// mode it spends about an eighth more time per stanza than reading plain
/// XML: it hashes every declaration and every prefixed attribute into its
/// own tables and copies each expanded name into a pool. A stanza rarely
/// declares anything, so the reader runs Expat without namespace
/// processing, sees `xmlns` attributes as attributes, and resolves here,
/// with the constraints Expat's namespace mode enforced (see ``Failure``).
///
/// Expanded names have Expat's shape (namespace, `0x1F`, local name; a name
/// in no namespace is its local name alone), which is what ``XMLNameTable``
/// keys on. Bindings live on a stack: each start tag pushes its
/// declarations and its end tag pops them (``unwind(to:)``), so the stream
/// header's bindings stay for the whole stream. Memory is owned manually;
/// the owner calls ``deallocate()`` once.
struct XMLNamespaceScope {
    /// Why a name or declaration is refused.
    enum Failure: Error {
        /// A prefix with no binding in force.
        case unboundPrefix
        /// `xmlns:p=""`: Namespaces 1.0 cannot undeclare a prefix.
        case emptyPrefixedDeclaration
        /// The `xml` prefix bound elsewhere, or the `xmlns` prefix declared.
        case reservedPrefix
        /// The `xml` or `xmlns` namespace bound to another prefix.
        case reservedNamespace
        /// Not a qualified name: an empty prefix or local part, or a second colon.
        case malformedName
        /// Two attributes with one expanded name (`a:x` and `b:x`, both prefixes
        /// bound to the same namespace).
        case duplicateAttribute
    }

    private struct Binding {
        /// Where the prefix's bytes start in `bytes`; the URI follows them.
        var offset: Int32
        var prefixCount: Int32
        var uriCount: Int32
    }

    private static let xmlPrefix: StaticString = "xml"
    private static let xmlnsPrefix: StaticString = "xmlns"
    private static let xmlURI: StaticString = "http://www.w3.org/XML/1998/namespace"
    private static let xmlnsURI: StaticString = "http://www.w3.org/2000/xmlns/"
    private static let colon = UInt8(ascii: ":")

    /// The prefix and URI bytes of every binding in force, in binding order.
    private var bytes = ScratchBuffer<UInt8>(capacity: 64)
    private var bindings = ScratchBuffer<Binding>(capacity: 4)
    /// The expanded name last made by ``expandedName(_:isAttribute:)``.
    private var key = ScratchBuffer<UInt8>(capacity: 64)
    /// The innermost default-namespace binding (nearly every element name
    /// resolves through it), or -1 for none.
    private var defaultBinding = -1

    /// How many bindings are in force; what ``unwind(to:)`` returns to.
    var bindingCount: Int { bindings.count }

    /// Drops the bindings made after the first `count`.
    mutating func unwind(to count: Int) {
        guard count < bindings.count else { return }
        bytes.truncate(to: Int(bindings[count].offset))
        bindings.truncate(to: count)
        if defaultBinding >= count { defaultBinding = innermostBinding(prefix: UnsafeBufferPointer(start: nil, count: 0)) }
    }

    /// Forgets every binding (a new stream).
    mutating func removeAll() {
        bytes.removeAll()
        bindings.removeAll()
        defaultBinding = -1
    }

    /// Frees the memory; the scope must not be used afterwards.
    mutating func deallocate() {
        bytes.deallocate()
        bindings.deallocate()
        key.deallocate()
    }

    /// Whether an attribute name is a namespace declaration (`xmlns` or
    /// `xmlns:…`); `name` is NUL-terminated.
    /// The comparison stops at the first byte that differs, so it never
    /// reads past the terminator.
    static func isDeclaration(_ name: UnsafeRawPointer) -> Bool {
        let bytes = name.assumingMemoryBound(to: UInt8.self)
        return bytes[0] == UInt8(ascii: "x") && bytes[1] == UInt8(ascii: "m") && bytes[2] == UInt8(ascii: "l")
            && bytes[3] == UInt8(ascii: "n") && bytes[4] == UInt8(ascii: "s") && (bytes[5] == 0 || bytes[5] == colon)
    }

    /// Binds the prefix of the declaration attribute `name` (`xmlns` for the
    /// default namespace, `xmlns:p` for `p`) to `uri`.
    mutating func declare(_ name: UnsafeBufferPointer<UInt8>, uri: UnsafeBufferPointer<UInt8>) throws(Failure) {
        let prefix = name.count > 5 ? UnsafeBufferPointer(rebasing: name[6...]) : UnsafeBufferPointer(start: nil, count: 0)
        if name.count > 5 {
            guard let first = prefix.first, Self.startsName(first), !prefix.contains(Self.colon) else { throw .malformedName }
            if Self.equal(prefix, Self.xmlnsPrefix) { throw .reservedPrefix }
            if Self.equal(prefix, Self.xmlPrefix) {
                guard Self.equal(uri, Self.xmlURI) else { throw .reservedPrefix }
                return  // always bound; nothing changes
            }
            guard !uri.isEmpty else { throw .emptyPrefixedDeclaration }
        }
        if Self.equal(uri, Self.xmlURI) || Self.equal(uri, Self.xmlnsURI) { throw .reservedNamespace }
        let offset = bytes.count
        if let base = prefix.baseAddress { bytes.append(copying: base, count: prefix.count) }
        if let base = uri.baseAddress { bytes.append(copying: base, count: uri.count) }
        if prefix.isEmpty { defaultBinding = bindings.count }
        bindings.append(Binding(offset: Int32(offset), prefixCount: Int32(prefix.count), uriCount: Int32(uri.count)))
    }

    /// The namespace URI `prefix` is bound to (empty: the default namespace);
    /// an empty result is no namespace, `nil` an unbound prefix.
    func uri(forPrefix prefix: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        if prefix.isEmpty {
            return defaultBinding < 0 ? UnsafeBufferPointer(start: nil, count: 0) : uri(of: defaultBinding)
        }
        if Self.equal(prefix, Self.xmlPrefix) {
            return UnsafeBufferPointer(start: Self.xmlURI.utf8Start, count: Self.xmlURI.utf8CodeUnitCount)
        }
        let index = innermostBinding(prefix: prefix)
        return index < 0 ? nil : uri(of: index)
    }

    private func uri(of index: Int) -> UnsafeBufferPointer<UInt8> {
        let binding = bindings[index]
        return UnsafeBufferPointer(start: bytes.baseAddress + Int(binding.offset + binding.prefixCount), count: Int(binding.uriCount))
    }

    /// The index of the innermost binding of `prefix`, or -1.
    private func innermostBinding(prefix: UnsafeBufferPointer<UInt8>) -> Int {
        var index = bindings.count - 1
        while index >= 0 {
            let binding = bindings[index]
            if Int(binding.prefixCount) == prefix.count,
               Self.equal(UnsafeBufferPointer(start: bytes.baseAddress + Int(binding.offset), count: prefix.count), prefix) {
                return index
            }
            index -= 1
        }
        return -1
    }

    /// Splits a raw name at its colon: the prefix (empty for none) and the
    /// local part.
    static func split(_ name: UnsafeBufferPointer<UInt8>) throws(Failure) -> (prefix: UnsafeBufferPointer<UInt8>, local: UnsafeBufferPointer<UInt8>) {
        guard let base = name.baseAddress, let found = memchr(base, Int32(colon), name.count) else {
            return (UnsafeBufferPointer(start: nil, count: 0), name)
        }
        let colon = UnsafeRawPointer(found) - UnsafeRawPointer(base)
        let local = UnsafeBufferPointer(rebasing: name[(colon + 1)...])
        // Expat checked the whole as an XML name; a qualified name also needs
        // a prefix, a single colon, and a local part that starts a name.
        guard colon > 0, let first = local.first, startsName(first), !local.contains(Self.colon)
        else { throw .malformedName }
        return (UnsafeBufferPointer(rebasing: name[..<colon]), local)
    }

    /// The expanded name of a raw element or attribute name. An unprefixed
    /// element takes the default namespace; an unprefixed attribute has no
    /// namespace (and is returned as it came). Valid until the next call.
    mutating func expandedName(_ name: UnsafeBufferPointer<UInt8>, isAttribute: Bool) throws(Failure) -> UnsafeBufferPointer<UInt8> {
        let (prefix, local) = try Self.split(name)
        if prefix.isEmpty && isAttribute { return name }
        guard let uri = uri(forPrefix: prefix) else { throw .unboundPrefix }
        guard let uriBase = uri.baseAddress, let localBase = local.baseAddress else { return local }
        // Written past the buffer's count, as scratch space: the bytes are
        // plain data, and the next call overwrites them.
        key.reserveCapacity(uri.count + 1 + local.count)
        let start = key.baseAddress
        start.initialize(from: uriBase, count: uri.count)
        start[uri.count] = XMLStreamReader.namespaceSeparator
        (start + uri.count + 1).initialize(from: localBase, count: local.count)
        return UnsafeBufferPointer(start: start, count: uri.count + 1 + local.count)
    }

    /// Whether two prefixed attribute names expand to the same name.
    func sameExpandedName(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let left = try? Self.split(lhs), let right = try? Self.split(rhs),
              Self.equal(left.local, right.local),
              let leftURI = uri(forPrefix: left.prefix), let rightURI = uri(forPrefix: right.prefix)
        else { return false }
        return Self.equal(leftURI, rightURI)
    }

    /// Whether a name part may start with `byte`, given that Expat accepted
    /// the whole name: an ASCII letter or `_` (not a digit, `-` or `.`).
    /// A non-ASCII first character is let through: Expat checked it is a
    /// name character, and telling start characters among those apart
    /// needs Unicode tables for no gain in safety.
    private static func startsName(_ byte: UInt8) -> Bool {
        byte >= 0x80 || byte == UInt8(ascii: "_") || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
    }

    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ other: StaticString) -> Bool {
        equal(bytes, UnsafeBufferPointer(start: other.utf8Start, count: other.utf8CodeUnitCount))
    }

    private static func equal(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        guard let left = lhs.baseAddress, let right = rhs.baseAddress else { return true }
        return memcmp(left, right, lhs.count) == 0
    }
}
