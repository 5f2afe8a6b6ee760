internal import CGnuTLS

/// A TLS protocol version, ordered from oldest to newest.
public struct TLSProtocolVersion: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The version as it appears on the wire (0x0303 for TLS 1.2).
    public let wireValue: UInt16

    /// Creates a version from its wire value.
    public init(wireValue: UInt16) { self.wireValue = wireValue }

    /// TLS 1.0; never negotiated by this library.
    public static let tls10 = TLSProtocolVersion(wireValue: 0x0301)
    /// TLS 1.1; never negotiated by this library.
    public static let tls11 = TLSProtocolVersion(wireValue: 0x0302)
    /// TLS 1.2, the oldest version RFC 7590 allows for XMPP.
    public static let tls12 = TLSProtocolVersion(wireValue: 0x0303)
    /// TLS 1.3.
    public static let tls13 = TLSProtocolVersion(wireValue: 0x0304)

    /// Orders by wire value, which orders by age.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.wireValue < rhs.wireValue }

    /// "TLS 1.2", "TLS 1.3", or the wire value in hex for others.
    public var description: String {
        switch self {
        case .tls10: "TLS 1.0"
        case .tls11: "TLS 1.1"
        case .tls12: "TLS 1.2"
        case .tls13: "TLS 1.3"
        default: "TLS 0x" + String(wireValue, radix: 16)
        }
    }
}

extension TLSProtocolVersion {
    /// The version GnuTLS reports for a session (`gnutls_protocol_get_version`).
    init?(gnutls version: gnutls_protocol_t) {
        switch version {
        case GNUTLS_TLS1_0: self = .tls10
        case GNUTLS_TLS1_1: self = .tls11
        case GNUTLS_TLS1_2: self = .tls12
        case GNUTLS_TLS1_3: self = .tls13
        default: return nil
        }
    }

    /// The GnuTLS priority string fragment that removes every version older
    /// than `minimum` and, with a `maximum` of TLS 1.2, TLS 1.3 too;
    /// appended to the system's default priorities.
    static func priorityAppendix(minimum: TLSProtocolVersion, maximum: TLSProtocolVersion?) -> String {
        var removed = ["-VERS-SSL3.0", "-VERS-TLS1.0", "-VERS-TLS1.1"]
        if minimum > .tls12 { removed.append("-VERS-TLS1.2") }
        if let maximum, maximum < .tls13 { removed.append("-VERS-TLS1.3") }
        return removed.joined(separator: ":")
    }
}
