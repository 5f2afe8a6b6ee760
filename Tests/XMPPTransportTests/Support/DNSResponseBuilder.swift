import XMPPTransport

/// Builds DNS response messages for tests, with optional name compression,
/// so that both the loopback responder and parser tests can make them.
struct DNSResponseBuilder {
    /// One answer record to write.
    enum Answer {
        /// An SRV record owned by the query name.
        case srv(SRVRecord)
        /// A CNAME record: `owner` is an alias of `target`.
        case cname(owner: String, target: String)
        /// An SRV record owned by some other name.
        case srvOwnedBy(String, SRVRecord)
    }

    var bytes: [UInt8] = []
    /// Lower-cased dotted suffixes already written, and where; the targets
    /// of compression pointers.
    private var suffixOffsets: [String: Int] = [:]
    /// Whether names after the question reuse earlier suffixes.
    let compress: Bool

    /// Starts a response to query `id` for `queryName` (type SRV, class IN).
    init(id: UInt16, queryName: String, responseCode: UInt8 = 0, answerCount: Int, compress: Bool = true) {
        self.compress = compress
        appendUInt16(id)
        appendUInt16(0x8180 | UInt16(responseCode))  // response, RD, RA
        appendUInt16(1)
        appendUInt16(UInt16(answerCount))
        appendUInt16(0)
        appendUInt16(0)
        appendName(queryName, allowCompression: false)
        appendUInt16(33)
        appendUInt16(1)
    }

    /// Appends one answer record.
    mutating func append(_ answer: Answer, queryName: String) {
        switch answer {
        case .srv(let record):
            appendSRV(owner: queryName, record)
        case .srvOwnedBy(let owner, let record):
            appendSRV(owner: owner, record)
        case .cname(let owner, let target):
            appendName(owner, allowCompression: true)
            appendUInt16(5)
            appendUInt16(1)
            appendUInt32(300)
            let lengthOffset = bytes.count
            appendUInt16(0)
            appendName(target, allowCompression: true)
            patchLength(at: lengthOffset)
        }
    }

    private mutating func appendSRV(owner: String, _ record: SRVRecord) {
        appendName(owner, allowCompression: true)
        appendUInt16(33)
        appendUInt16(1)
        appendUInt32(300)
        let lengthOffset = bytes.count
        appendUInt16(0)
        appendUInt16(record.priority)
        appendUInt16(record.weight)
        appendUInt16(record.port)
        appendName(record.target, allowCompression: true)
        patchLength(at: lengthOffset)
    }

    private mutating func patchLength(at offset: Int) {
        let length = bytes.count - offset - 2
        bytes[offset] = UInt8(length >> 8)
        bytes[offset + 1] = UInt8(length & 0xFF)
    }

    /// Writes a name, replacing the longest suffix already written by a
    /// pointer when compressing.
    mutating func appendName(_ name: String, allowCompression: Bool) {
        let labels = name == "." ? [] : name.split(separator: ".").map(String.init)
        for index in labels.indices {
            let suffix = labels[index...].joined(separator: ".").lowercased()
            if compress, allowCompression, let offset = suffixOffsets[suffix] {
                appendUInt16(0xC000 | UInt16(offset))
                return
            }
            if suffixOffsets[suffix] == nil, bytes.count < 0x3FFF { suffixOffsets[suffix] = bytes.count }
            bytes.append(UInt8(labels[index].utf8.count))
            bytes += Array(labels[index].utf8)
        }
        bytes.append(0)
    }

    mutating func appendUInt16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    mutating func appendUInt32(_ value: UInt32) {
        appendUInt16(UInt16(value >> 16))
        appendUInt16(UInt16(value & 0xFFFF))
    }

    /// A complete response with the given SRV answers.
    static func response(
        id: UInt16 = 0x1234,
        queryName: String,
        responseCode: UInt8 = 0,
        answers: [Answer],
        compress: Bool = true
    ) -> [UInt8] {
        var builder = DNSResponseBuilder(
            id: id, queryName: queryName, responseCode: responseCode, answerCount: answers.count, compress: compress)
        for answer in answers { builder.append(answer, queryName: queryName) }
        return builder.bytes
    }
}
