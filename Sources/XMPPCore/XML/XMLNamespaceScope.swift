#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The namespace bindings in force at the reader's position in the stream
/// (Namespaces in XML 1.0), as namespace numbers of the reader's
/// ``XMLNamespaceTable``.
///
/// Expat can resolve namespaces itself (`XML_ParserCreateNS`), but routed
/// chats carry `xml:lang`, and for every prefixed attribute Expat's
/// namespace mode hashes the expanded name a byte at a time into its own
/// table and copies it into a pool: about a seventh of Expat's time per
/// message. So the reader runs Expat without namespace processing, sees
/// `xmlns` attributes as attributes, and resolves names here, with the
/// constraints Expat's namespace mode enforced (see ``Failure``).
///
/// Bindings live on a stack: each start tag pushes its declarations and
/// its end tag pops them (``unwind(to:)``), so the stream header's bindings
/// stay for the whole stream. Memory is owned manually; the owner calls
/// ``deallocate()`` once.
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
        /// Not a qualified name: an empty prefix or local part, a second
        /// colon, or a local part that cannot start a name.
        case malformedName
        /// More distinct namespaces in one stanza than the table holds.
        case tooManyNamespaces
    }

    private struct Binding {
        /// Where the prefix's bytes start in `bytes`; the URI follows them.
        var offset: Int32
        var prefixCount: Int32
        var uriCount: Int32
        var namespace: Int32
    }

    private static let xmlPrefix: StaticString = "xml"
    private static let xmlnsPrefix: StaticString = "xmlns"
    private static let xmlURI: StaticString = "http://www.w3.org/XML/1998/namespace"
    private static let xmlnsURI: StaticString = "http://www.w3.org/2000/xmlns/"
    static let colon = UInt8(ascii: ":")

    /// The prefix and URI bytes of every binding in force, in binding order.
    private var bytes = ScratchBuffer<UInt8>(capacity: 64)
    private var bindings = ScratchBuffer<Binding>(capacity: 4)
    /// The namespace unprefixed element names take: the innermost default
    /// binding's, or none.
    private(set) var defaultNamespace = XMLNamespaceTable.none

    /// How many bindings are in force; what ``unwind(to:)`` returns to.
    var bindingCount: Int { bindings.count }

    /// Drops the bindings made after the first `count`.
    mutating func unwind(to count: Int) {
        guard count < bindings.count else { return }
        bytes.truncate(to: Int(bindings[count].offset))
        bindings.truncate(to: count)
        findDefaultNamespace()
    }

    /// Forgets every binding (a new stream).
    mutating func removeAll() {
        bytes.removeAll()
        bindings.removeAll()
        defaultNamespace = XMLNamespaceTable.none
    }

    /// Frees the memory; the scope must not be used afterwards.
    mutating func deallocate() {
        bytes.deallocate()
        bindings.deallocate()
    }

    /// Numbers the bindings' URIs again in a table that started afresh
    /// (``XMLNameTable/rotateIfNeeded()``). Between stanzas only the stream
    /// header's bindings are in force, a handful.
    mutating func renumber(in namespaces: inout XMLNamespaceTable) throws(Failure) {
        for index in 0..<bindings.count {
            let binding = bindings[index]
            let uri = bytes.baseAddress + Int(binding.offset + binding.prefixCount)
            guard let number = namespaces.number(uri, count: Int(binding.uriCount)) else { throw .tooManyNamespaces }
            bindings[index].namespace = number
        }
        findDefaultNamespace()
    }

    /// Sets ``defaultNamespace`` from the innermost default binding left.
    private mutating func findDefaultNamespace() {
        defaultNamespace = innermostBinding(prefix: UnsafeBufferPointer(start: nil, count: 0))
            .map { bindings[$0].namespace } ?? XMLNamespaceTable.none
    }

    /// Whether an attribute name is a namespace declaration (`xmlns` or
    /// `xmlns:…`); `name` is NUL-terminated. The comparison stops at the
    /// first byte that differs, so it never reads past the terminator.
    @inline(__always)
    static func isDeclaration(_ name: UnsafePointer<UInt8>) -> Bool {
        name[0] == UInt8(ascii: "x") && name[1] == UInt8(ascii: "m") && name[2] == UInt8(ascii: "l")
            && name[3] == UInt8(ascii: "n") && name[4] == UInt8(ascii: "s") && (name[5] == 0 || name[5] == colon)
    }

    /// Binds the prefix of the declaration attribute `name` (`xmlns` for the
    /// default namespace, `xmlns:p` for `p`) to `uri`.
    mutating func declare(
        _ name: UnsafeBufferPointer<UInt8>, uri: UnsafeBufferPointer<UInt8>, in namespaces: inout XMLNamespaceTable
    ) throws(Failure) {
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
        let number: Int32
        if let base = uri.baseAddress, !uri.isEmpty {
            guard let found = namespaces.number(base, count: uri.count) else { throw .tooManyNamespaces }
            number = found
        } else {
            number = XMLNamespaceTable.none  // `xmlns=""`: no default namespace
        }
        let offset = bytes.count
        if let base = prefix.baseAddress { bytes.append(copying: base, count: prefix.count) }
        if let base = uri.baseAddress { bytes.append(copying: base, count: uri.count) }
        if prefix.isEmpty { defaultNamespace = number }
        bindings.append(Binding(offset: Int32(offset), prefixCount: Int32(prefix.count), uriCount: Int32(uri.count), namespace: number))
    }

    /// The namespace number a non-empty prefix is bound to; `nil` for an
    /// unbound prefix (`xmlns` is never bound).
    func namespace(forPrefix prefix: UnsafeBufferPointer<UInt8>) -> Int32? {
        if Self.equal(prefix, Self.xmlPrefix) { return XMLNamespaceTable.xml }
        return innermostBinding(prefix: prefix).map { bindings[$0].namespace }
    }

    /// The index of the innermost binding of `prefix` (empty: the default).
    private func innermostBinding(prefix: UnsafeBufferPointer<UInt8>) -> Int? {
        var index = bindings.count - 1
        while index >= 0 {
            let binding = bindings[index]
            if Int(binding.prefixCount) == prefix.count,
               Self.equal(UnsafeBufferPointer(start: bytes.baseAddress + Int(binding.offset), count: prefix.count), prefix) {
                return index
            }
            index -= 1
        }
        return nil
    }

    /// Whether a name part may start with `byte`, given that Expat accepted
    /// the whole name: an ASCII letter or `_` (not a digit, `-` or `.`).
    /// A non-ASCII first character is let through: Expat checked it is a
    /// name character, and telling start characters among those apart
    /// needs Unicode tables for no gain in safety.
    @inline(__always)
    static func startsName(_ byte: UInt8) -> Bool {
        byte >= 0x80 || byte == UInt8(ascii: "_") || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
    }

    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ other: StaticString) -> Bool {
        equal(bytes, UnsafeBufferPointer(start: other.utf8Start, count: other.utf8CodeUnitCount))
    }

    private static func equal(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        guard lhs.count > 0, let left = lhs.baseAddress, let right = rhs.baseAddress else { return true }
        return memcmp(left, right, lhs.count) == 0
    }
}
