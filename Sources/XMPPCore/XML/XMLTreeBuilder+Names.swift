#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Names for the builder: Expat runs without namespace processing, so each
/// start tag's declarations are bound here (``XMLNamespaceScope``) and each
/// raw name is resolved to a (namespace number, local name) pair and found
/// in the name table.
extension XMLTreeBuilder {
    /// Counts the start tag's attributes against the limits (namespace
    /// declarations apart, H23) and binds the prefixes it declares; the
    /// number of attribute pairs, or `nil` on failure. Declarations come
    /// first: they apply to the element's own name and attributes.
    @inline(__always)
    mutating func declareNamespaces(_ raw: UnsafeMutablePointer<UnsafePointer<CChar>?>) -> Int? {
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
    mutating func elementName(_ rawName: UnsafePointer<CChar>) -> Int32? {
        let name = Self.bytes(rawName)
        let (count, colon) = Self.measure(name)
        guard colon >= 0 else { return intern(namespace: scope.defaultNamespace, local: name, count: count) }
        guard let namespace = resolvePrefix(name, count: count, colon: colon) else { return nil }
        return intern(namespace: namespace, local: name + colon + 1, count: count - colon - 1)
    }

    /// Appends the element's attributes other than namespace declarations
    /// to `attributes`; false on failure.
    @inline(__always)
    mutating func appendAttributes(_ raw: UnsafeMutablePointer<UnsafePointer<CChar>?>, pairs: Int) -> Bool {
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
    mutating func fail(_ failure: XMLNamespaceScope.Failure) {
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
