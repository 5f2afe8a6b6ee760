/// One place to try when connecting to an XMPP server: a host, a port, how
/// TLS starts there, and where the candidate came from.
///
/// ``XMPPEndpointResolver`` produces them in the order to try;
/// ``XMPPConnector`` tries them.
public struct XMPPEndpoint: Hashable, Sendable {
    /// A host name or IP address (without brackets), for example
    /// `"xmpp.example.com"`; never used to verify the server's certificate,
    /// which must match the XMPP domain.
    public var host: String
    /// The TCP port.
    public var port: Int
    /// How TLS starts on this endpoint.
    public var security: Security
    /// Where this candidate came from.
    public var source: Source

    /// Creates an endpoint.
    /// - Parameters:
    ///   - host: A host name or IP address (without brackets).
    ///   - port: The TCP port.
    ///   - security: How TLS starts on this endpoint.
    ///   - source: Where this candidate came from.
    public init(host: String, port: Int, security: Security, source: Source) {
        self.host = host
        self.port = port
        self.security = security
        self.source = source
    }

    /// How TLS starts on a connection.
    public enum Security: Hashable, Sendable {
        /// TLS from the first byte (XEP-0368, `_xmpps-client._tcp`).
        case directTLS
        /// A plain TCP stream upgraded with `<starttls/>` (RFC 6120 §5,
        /// `_xmpp-client._tcp` and the fallback port 5222).
        case startTLS
    }
}

extension XMPPEndpoint {
    /// Where a candidate endpoint came from. A struct rather than an enum so
    /// sources (for example XEP-0156 alternative methods) can be added
    /// without breaking code that switches over them.
    public struct Source: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case srv, fallback, override
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A DNS SRV record of `_xmpps-client._tcp` or `_xmpp-client._tcp`.
        public static let srv = Source(.srv)
        /// The domain itself on port 5222, used when DNS offered no SRV
        /// records (RFC 6120 §3.2.2) or the domain is an IP address.
        public static let fallback = Source(.fallback)
        /// A host and port the application configured, bypassing DNS SRV.
        public static let override = Source(.override)

        /// The source's name, for example `"SRV"`.
        public var description: String {
            switch base {
            case .srv: "SRV"
            case .fallback: "fallback"
            case .override: "override"
            }
        }
    }
}

extension XMPPEndpoint.Security: CustomStringConvertible {
    /// `"direct TLS"` or `"STARTTLS"`.
    public var description: String {
        switch self {
        case .directTLS: "direct TLS"
        case .startTLS: "STARTTLS"
        }
    }
}

extension XMPPEndpoint: CustomStringConvertible {
    /// For example `"xmpp.example.com:5223 (direct TLS, SRV)"`; IPv6
    /// addresses are bracketed.
    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "\(hostPart):\(port) (\(security), \(source))"
    }
}
