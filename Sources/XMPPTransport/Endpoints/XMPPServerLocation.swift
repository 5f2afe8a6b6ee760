/// How to find the server of an XMPP domain: by DNS, or at a fixed address.
///
/// A struct rather than an enum so ways (for example XEP-0156 discovery) can
/// be added without breaking code that switches over them.
public struct XMPPServerLocation: Hashable, Sendable {
    private enum Base: Hashable, Sendable {
        case discover
        case fixed(XMPPEndpoint)
    }

    private let base: Base
    private init(_ base: Base) { self.base = base }

    /// Look up `_xmpps-client._tcp` and `_xmpp-client._tcp` SRV records and
    /// fall back to the domain on port 5222 (RFC 6120 §3.2, XEP-0368).
    public static let discover = XMPPServerLocation(.discover)

    /// Connect to this host and port only, skipping DNS SRV (the host name
    /// itself is still resolved to addresses). The server's certificate must
    /// still match the XMPP domain, not `host`.
    /// - Parameters:
    ///   - host: A host name or IP address (without brackets).
    ///   - port: The TCP port.
    ///   - security: Whether the port speaks TLS at once or expects STARTTLS.
    public static func host(_ host: String, port: Int, security: XMPPEndpoint.Security) -> XMPPServerLocation {
        XMPPServerLocation(.fixed(XMPPEndpoint(host: host, port: port, security: security, source: .override)))
    }

    /// The configured endpoint, or `nil` when the server is discovered.
    public var fixedEndpoint: XMPPEndpoint? {
        switch base {
        case .discover: nil
        case .fixed(let endpoint): endpoint
        }
    }
}
