/// Reads the SRV records out of a DNS response message (RFC 1035 §4.1,
/// RFC 2782).
///
/// The message comes from the network, so every length and pointer is
/// checked: a malformed message is a ``Failure``, never a trap. Compression
/// pointers are followed (RFC 2782 forbids compressing the target, but
/// servers do it anyway) with a bound on jumps and on name length, so a
/// pointer loop ends in an error.
enum SRVAnswerParser {
    /// A message that does not follow RFC 1035.
    struct Failure: Error, Hashable, Sendable {
        /// What was wrong, for logs.
        var detail: String
    }

    /// Record types and class of RFC 1035 and RFC 2782.
    private static let typeCNAME: UInt16 = 5
    private static let typeSRV: UInt16 = 33
    private static let classIN: UInt16 = 1
    /// CNAME hops followed from the query name; resolvers give up far earlier.
    private static let maxAliases = 16

    /// The SRV records of `message` that answer `queryName`.
    ///
    /// Only records owned by the query name, or by a name it is a CNAME of
    /// (followed within the answer section), count: the answer section may
    /// hold other data. Records whose target is not a plain host name are
    /// skipped, not fatal: the other records stay usable.
    /// - Parameters:
    ///   - message: The whole response, header included.
    ///   - queryName: The name that was asked for.
    /// - Returns: The records in answer order; `[]` for NXDOMAIN.
    static func records(in message: [UInt8], answering queryName: DNSName) throws(Failure) -> [SRVRecord] {
        var reader = DNSMessageReader(message)
        try reader.skip(2)  // the ID: libresolv has matched it already
        let flags = try reader.readUInt16()
        guard flags & 0x8000 != 0 else { throw Failure(detail: "not a response") }
        switch flags & 0x000F {
        case 0: break
        case 3: return []  // NXDOMAIN: the name does not exist
        case let rcode: throw Failure(detail: "response code \(rcode)")
        }
        let questionCount = try reader.readUInt16()
        let answerCount = try reader.readUInt16()
        try reader.skip(4)  // authority and additional counts: not needed
        for _ in 0..<questionCount {
            _ = try reader.readName()
            try reader.skip(4)  // type and class
        }

        var owners = [queryName]
        var records: [SRVRecord] = []
        for _ in 0..<answerCount {
            let owner = try reader.readName()
            let type = try reader.readUInt16()
            let recordClass = try reader.readUInt16()
            try reader.skip(4)  // the TTL: answers are used once, not cached
            let dataLength = Int(try reader.readUInt16())
            let dataEnd = reader.offset + dataLength
            guard dataEnd <= message.count else { throw Failure(detail: "record data past the end") }
            let owned = recordClass == classIN && owners.contains { $0.matches(owner) }
            if owned && type == typeCNAME && owners.count <= maxAliases {
                owners.append(try reader.readName())
            } else if owned && type == typeSRV {
                let priority = try reader.readUInt16()
                let weight = try reader.readUInt16()
                let port = try reader.readUInt16()
                let target = try reader.readName()
                if let host = target.hostName {
                    records.append(SRVRecord(priority: priority, weight: weight, port: port, target: host))
                }
            }
            guard reader.offset <= dataEnd else { throw Failure(detail: "record data longer than announced") }
            reader.offset = dataEnd
        }
        return records
    }
}

/// A bounds-checked cursor over a DNS message.
struct DNSMessageReader {
    /// The whole message; compression pointers are offsets into it.
    let message: [UInt8]
    /// The next byte to read.
    var offset = 0

    /// Creates a reader at the start of `message`.
    init(_ message: [UInt8]) {
        self.message = message
    }

    /// Jumps a name may take; a legal name needs far fewer.
    private static let maxPointers = 64

    /// Skips `count` bytes.
    mutating func skip(_ count: Int) throws(SRVAnswerParser.Failure) {
        guard count <= message.count - offset else { throw .init(detail: "truncated message") }
        offset += count
    }

    /// Reads a big-endian 16-bit value.
    mutating func readUInt16() throws(SRVAnswerParser.Failure) -> UInt16 {
        guard offset + 2 <= message.count else { throw .init(detail: "truncated message") }
        defer { offset += 2 }
        return UInt16(message[offset]) << 8 | UInt16(message[offset + 1])
    }

    /// Reads a possibly compressed name (RFC 1035 §4.1.4).
    ///
    /// Pointers must point backwards, their number is bounded and the name
    /// may not exceed 255 bytes, so hostile pointer chains terminate.
    mutating func readName() throws(SRVAnswerParser.Failure) -> DNSName {
        var labels: [[UInt8]] = []
        var position = offset
        var wireLength = 1  // the root label
        var pointers = 0
        var resumeAt: Int?  // where reading continues after the first pointer
        while true {
            guard position < message.count else { throw .init(detail: "name past the end") }
            let length = Int(message[position])
            switch length & 0xC0 {
            case 0x00 where length == 0:
                offset = resumeAt ?? position + 1
                return DNSName(labels: labels)
            case 0x00:
                let end = position + 1 + length
                wireLength += 1 + length
                guard end <= message.count else { throw .init(detail: "label past the end") }
                guard wireLength <= 255 else { throw .init(detail: "name longer than 255 bytes") }
                labels.append(Array(message[(position + 1)..<end]))
                position = end
            case 0xC0:
                guard position + 1 < message.count else { throw .init(detail: "pointer past the end") }
                let target = (length & 0x3F) << 8 | Int(message[position + 1])
                guard target < position else { throw .init(detail: "forward compression pointer") }
                pointers += 1
                guard pointers <= Self.maxPointers else { throw .init(detail: "too many compression pointers") }
                if resumeAt == nil { resumeAt = position + 2 }
                position = target
            default:
                throw .init(detail: "unsupported label type")
            }
        }
    }
}
