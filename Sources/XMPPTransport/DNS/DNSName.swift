/// A domain name as a sequence of raw labels, as it appears in a DNS message.
///
/// Labels stay bytes because DNS allows any octet in them; only names that
/// are plain host names become strings (``hostName``).
struct DNSName: Hashable, Sendable {
    /// The labels, most specific first, without the empty root label.
    var labels: [[UInt8]]

    /// Creates a name from its labels.
    init(labels: [[UInt8]]) {
        self.labels = labels
    }

    /// Splits a dotted name such as `"_xmpp-client._tcp.example.com"`; a
    /// trailing dot is allowed. Returns `nil` for names that cannot be sent:
    /// empty labels, labels over 63 bytes, more than 255 bytes in wire form,
    /// or bytes outside printable ASCII.
    init?(dotted name: String) {
        var labels: [[UInt8]] = []
        var current: [UInt8] = []
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes != [UInt8(ascii: ".")] else { return nil }
        for (index, byte) in bytes.enumerated() {
            guard byte > 0x20, byte < 0x7F else { return nil }
            if byte == UInt8(ascii: ".") {
                guard !current.isEmpty else { return nil }
                labels.append(current)
                current = []
                // Only the very last dot may end the name.
                if index == bytes.count - 1 { break }
            } else {
                current.append(byte)
            }
        }
        if !current.isEmpty { labels.append(current) }
        guard labels.allSatisfy({ $0.count <= 63 }) else { return nil }
        self.init(labels: labels)
        guard wireLength <= 255 else { return nil }
    }

    /// The length of the name in uncompressed wire form, root label included.
    var wireLength: Int { labels.reduce(1) { $0 + 1 + $1.count } }

    /// Case-insensitive comparison, as DNS compares names (ASCII letters only).
    func matches(_ other: DNSName) -> Bool {
        guard labels.count == other.labels.count else { return false }
        return zip(labels, other.labels).allSatisfy { left, right in
            left.count == right.count && zip(left, right).allSatisfy { lowercased($0) == lowercased($1) }
        }
    }

    /// The name as a host name without trailing dot, `"."` for the root, or
    /// `nil` when a label holds anything but letters, digits, `-` and `_`:
    /// such a name cannot be handed to the system's address lookup safely.
    var hostName: String? {
        guard !labels.isEmpty else { return "." }
        for label in labels {
            for byte in label where !isHostNameByte(byte) { return nil }
        }
        return labels.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ".")
    }
}

/// ASCII lower-casing of one byte; other bytes are returned unchanged.
private func lowercased(_ byte: UInt8) -> UInt8 {
    (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 0x20 : byte
}

/// Letters, digits, hyphen and underscore.
private func isHostNameByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
        true
    default:
        false
    }
}
