internal import CGnuTLS

/// What a finished handshake negotiated: the version, the cipher suite,
/// the ALPN protocol, the peer's certificates and the channel-binding
/// values (RFC 5929, RFC 9266) for SCRAM-…-PLUS.
///
/// A snapshot taken once when the handshake completes; it stays valid after
/// the connection closes.
public struct GnuTLSConnectionInfo: Hashable, Sendable {
    /// The negotiated protocol version.
    public var protocolVersion: TLSProtocolVersion
    /// The cipher suite's IANA name, such as `TLS_AES_128_GCM_SHA256`.
    public var cipherSuite: String
    /// The ALPN protocol the server selected; `nil` if it selected none.
    public var applicationProtocol: String?
    /// The peer's certificates in DER, leaf first, as the peer sent them;
    /// empty when it sent none (a client without a certificate).
    public var peerCertificateChain: [[UInt8]]
    /// Whether the TLS 1.2 handshake used the extended master secret
    /// (RFC 7627); always true for TLS 1.3, whose key schedule has it built in.
    public var usesExtendedMasterSecret: Bool
    /// The channel-binding values GnuTLS could compute, by type.
    var channelBindings: [ChannelBindingType: [UInt8]]

    /// The peer's leaf certificate in DER, if it sent one.
    public var peerCertificate: [UInt8]? { peerCertificateChain.first }

    /// The channel-binding data of `type`, or `nil` where the type does not
    /// exist for this connection: `tls-unique` on TLS 1.3 (RFC 8446 §C.5),
    /// `tls-exporter` on TLS 1.2 without the extended master secret
    /// (RFC 9266 §3), `tls-server-end-point` without an X.509 server
    /// certificate.
    public func channelBinding(_ type: ChannelBindingType) -> [UInt8]? {
        channelBindings[type]
    }

    /// Creates a value; for tests of code that consumes connection info.
    public init(
        protocolVersion: TLSProtocolVersion,
        cipherSuite: String,
        applicationProtocol: String? = nil,
        peerCertificateChain: [[UInt8]] = [],
        usesExtendedMasterSecret: Bool = true,
        channelBindings: [ChannelBindingType: [UInt8]] = [:]
    ) {
        self.protocolVersion = protocolVersion
        self.cipherSuite = cipherSuite
        self.applicationProtocol = applicationProtocol
        self.peerCertificateChain = peerCertificateChain
        self.usesExtendedMasterSecret = usesExtendedMasterSecret
        self.channelBindings = channelBindings
    }
}

extension GnuTLSConnectionInfo {
    /// A kind of TLS channel binding, named as in the IANA registry that
    /// SASL's `-PLUS` mechanisms use.
    public struct ChannelBindingType: Hashable, Sendable, CustomStringConvertible {
        /// The registered name (`tls-exporter`, `tls-server-end-point`, `tls-unique`).
        public let name: String
        private init(name: String) { self.name = name }

        /// RFC 9266: 32 bytes exported with the label
        /// "EXPORTER-Channel-Binding"; the one to prefer.
        public static let tlsExporter = ChannelBindingType(name: "tls-exporter")
        /// RFC 5929 §4: a hash of the server's certificate; works on every
        /// version but binds only to the certificate, not the connection.
        public static let tlsServerEndPoint = ChannelBindingType(name: "tls-server-end-point")
        /// RFC 5929 §3: the first Finished message; TLS 1.2 only.
        public static let tlsUnique = ChannelBindingType(name: "tls-unique")

        /// Every type, in order of preference.
        public static let allCases: [ChannelBindingType] = [.tlsExporter, .tlsServerEndPoint, .tlsUnique]

        /// The registered name.
        public var description: String { name }

        var gnutls: gnutls_channel_binding_t {
            switch self {
            case .tlsExporter: GNUTLS_CB_TLS_EXPORTER
            case .tlsServerEndPoint: GNUTLS_CB_TLS_SERVER_END_POINT
            default: GNUTLS_CB_TLS_UNIQUE
            }
        }
    }
}

extension GnuTLSSession {
    /// Reads what the finished handshake negotiated. Channel bindings GnuTLS
    /// refuses (`GNUTLS_E_INVALID_REQUEST` or `…_UNIMPLEMENTED_FEATURE`) are
    /// left out, so that a missing one reads as `nil`, never as empty bytes.
    package func connectionInfo() -> GnuTLSConnectionInfo? {
        guard let session = raw else { return nil }
        let version = TLSProtocolVersion(gnutls: gnutls_protocol_get_version(session))
            ?? TLSProtocolVersion(wireValue: 0)
        let suite = gnutls_ciphersuite_get(session).map { String(cString: $0) } ?? ""

        var alpn = gnutls_datum_t()
        var applicationProtocol: String?
        if gnutls_alpn_get_selected_protocol(session, &alpn) == GNUTLS_E_SUCCESS, let data = alpn.data {
            // Owned by the session; copy, never free.
            let bytes = UnsafeBufferPointer(start: data, count: Int(alpn.size))
            applicationProtocol = String(decoding: bytes, as: UTF8.self)
        }

        var count: UInt32 = 0
        var chain: [[UInt8]] = []
        if let certificates = gnutls_certificate_get_peers(session, &count) {
            for index in 0..<Int(count) {
                let datum = certificates[index]
                chain.append(Array(UnsafeBufferPointer(start: datum.data, count: Int(datum.size))))
            }
        }

        var bindings: [GnuTLSConnectionInfo.ChannelBindingType: [UInt8]] = [:]
        for type in GnuTLSConnectionInfo.ChannelBindingType.allCases {
            var datum = gnutls_datum_t()
            guard gnutls_session_channel_binding(session, type.gnutls, &datum) == GNUTLS_E_SUCCESS else { continue }
            // Allocated for us; copy it out, then give it back to GnuTLS.
            if let data = datum.data, datum.size > 0 {
                bindings[type] = Array(UnsafeBufferPointer(start: data, count: Int(datum.size)))
            }
            GnuTLSMemory.free(datum.data)
        }

        return GnuTLSConnectionInfo(
            protocolVersion: version,
            cipherSuite: suite,
            applicationProtocol: applicationProtocol,
            peerCertificateChain: chain,
            usesExtendedMasterSecret: version >= .tls13 || gnutls_session_ext_master_secret_status(session) != 0,
            channelBindings: bindings)
    }
}
