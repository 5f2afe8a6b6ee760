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
        var string = string
        // One pass over contiguous UTF-8 (native strings already are).
        let result: Result<Pieces, JIDError> = string.withUTF8 { bytes in
            var slash = bytes.count
            var at: Int?
            for index in 0..<bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "/") {
                    slash = index
                    break
                }
                if byte == UInt8(ascii: "@"), at == nil { at = index }
            }
            func part(_ range: Range<Int>) -> String {
                String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            }
            var resourcepart: String?
            if slash < bytes.count {
                guard slash + 1 < bytes.count else { return .failure(JIDError(.resourcepart, .empty)) }
                resourcepart = part(slash + 1..<bytes.count)
            }
            var localpart: String?
            var domainStart = 0
            if let at {
                guard at > 0 else { return .failure(JIDError(.localpart, .empty)) }
                localpart = part(0..<at)
                domainStart = at + 1
            }
            guard domainStart < slash else { return .failure(JIDError(.domainpart, .empty)) }
            return .success(Pieces(localpart: localpart, domainpart: part(domainStart..<slash), resourcepart: resourcepart))
        }
        return try result.get()
    }

    /// Whether two optional parts are equal as UTF-8 byte sequences.
    ///
    /// Swift's `==` on `String` compares by canonical equivalence, which is
    /// slower and ties equality to the runtime's Unicode tables; normalised
    /// parts are compared as the bytes that go on the wire.
    static func bytesEqual(_ lhs: String?, _ rhs: String?) -> Bool {
        UTF8Equality.equal(lhs, rhs)
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

    /// The string form of an address from its normalised parts
    /// (`local@domain/resource`, either end optional), made with one
    /// allocation: addresses are written on every stanza sent, and `+`
    /// made a new string for each step.
    static func string(localpart: String?, domainpart: String, resourcepart: String?) -> String {
        var result = ""
        result.reserveCapacity(
            (localpart.map { $0.utf8.count + 1 } ?? 0) + domainpart.utf8.count
                + (resourcepart.map { $0.utf8.count + 1 } ?? 0))
        if let localpart {
            result.append(localpart)
            result.append("@")
        }
        result.append(domainpart)
        if let resourcepart {
            result.append("/")
            result.append(resourcepart)
        }
        return result
    }
}
