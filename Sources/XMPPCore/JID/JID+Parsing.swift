/// Splitting an address into its parts, and byte-wise comparison of parts.
enum JIDSyntax {
    /// The raw, not yet normalised parts of an address string.
    struct Pieces {
        var localpart: String?
        var domainpart: String
        var resourcepart: String?
    }

    /// Splits an address per RFC 7622 §3.1 without validating the parts.
    ///
    /// The first `/` starts the resourcepart, which may itself contain `@`
    /// and `/`. In what precedes it, the first `@` ends the localpart. A
    /// separator followed or preceded by nothing is an error.
    static func split(_ string: String) throws(JIDError) -> Pieces {
        let utf8 = string.utf8
        var rest = Substring(string)
        var resourcepart: String?
        if let slash = utf8.firstIndex(of: UInt8(ascii: "/")) {
            let resource = string[string.utf8.index(after: slash)...]
            guard !resource.isEmpty else { throw JIDError(.resourcepart, .empty) }
            resourcepart = String(resource)
            rest = string[..<slash]
        }
        var localpart: String?
        if let at = rest.utf8.firstIndex(of: UInt8(ascii: "@")) {
            let local = rest[..<at]
            guard !local.isEmpty else { throw JIDError(.localpart, .empty) }
            localpart = String(local)
            rest = rest[rest.utf8.index(after: at)...]
        }
        guard !rest.isEmpty else { throw JIDError(.domainpart, .empty) }
        return Pieces(localpart: localpart, domainpart: String(rest), resourcepart: resourcepart)
    }

    /// Whether two optional parts are equal as UTF-8 byte sequences.
    ///
    /// Swift's `==` on `String` compares by canonical equivalence, which is
    /// slower and ties equality to the runtime's Unicode tables; normalised
    /// parts are compared as the bytes that go on the wire.
    static func bytesEqual(_ lhs: String?, _ rhs: String?) -> Bool {
        switch (lhs, rhs) {
        case (nil, nil): true
        case let (lhs?, rhs?): lhs.utf8.elementsEqual(rhs.utf8)
        default: false
        }
    }

    /// Feeds an optional part's UTF-8 bytes to a hasher, unambiguously.
    static func hashBytes(_ part: String?, into hasher: inout Hasher) {
        guard let part else {
            hasher.combine(0 as UInt8)
            return
        }
        hasher.combine(1 as UInt8)
        hasher.combine(part.utf8.count)
        for byte in part.utf8 {
            hasher.combine(byte)
        }
    }

    /// The largest size of a part in UTF-8 bytes (RFC 7622 §3.2–3.4).
    static let maximumPartLength = 1023
}
