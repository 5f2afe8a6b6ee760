import NIOGnuTLS

/// A kind of TLS channel binding (RFC 5929, RFC 9266), named as in the IANA
/// registry that the SCRAM `-PLUS` mechanisms and XEP-0440 use.
public struct ChannelBindingType: Hashable, Sendable, CustomStringConvertible {
    /// The registered name, such as `tls-exporter`.
    public let name: String

    /// A type by its registered name; unknown names (from a server's XEP-0440
    /// list) are kept so that they simply never match data we have.
    public init(name: String) { self.name = name }

    /// RFC 9266: keying material exported from the connection; binds to this
    /// very connection on TLS 1.3 (and on 1.2 with the extended master secret).
    public static let tlsExporter = ChannelBindingType(name: "tls-exporter")
    /// RFC 5929 §4: a hash of the server certificate; binds only to the
    /// certificate, not the connection.
    public static let tlsServerEndPoint = ChannelBindingType(name: "tls-server-end-point")
    /// RFC 5929 §3: the first Finished message; TLS 1.2 only, and the only
    /// type deployed servers such as Prosody 0.12 accept.
    public static let tlsUnique = ChannelBindingType(name: "tls-unique")

    /// The registered name.
    public var description: String { name }
}

/// What the TLS layer can bind to, for `-PLUS`: the data per type, and
/// whether the stream is encrypted at all.
///
/// The session builds this from the finished TLS handshake. It holds channel
/// binding data, which is not secret (both peers know it) but is connection
/// specific; it is never logged.
struct SASLTransportSecurity: Sendable {
    /// Whether the stream runs over TLS; PLAIN and EXTERNAL require it.
    var isEncrypted: Bool
    /// The binding data the TLS layer computed, by type. Empty entries are
    /// ignored: an empty binding would bind to nothing.
    var channelBindings: [ChannelBindingType: [UInt8]]

    /// Creates a value from its parts.
    init(isEncrypted: Bool, channelBindings: [ChannelBindingType: [UInt8]] = [:]) {
        self.isEncrypted = isEncrypted
        self.channelBindings = channelBindings
    }

    /// A plaintext stream: no encryption, nothing to bind to.
    static let unencrypted = SASLTransportSecurity(isEncrypted: false)

    /// The security of a stream after a finished handshake described by
    /// `connectionInfo`, or of a plaintext stream when it is `nil`.
    init(connectionInfo: GnuTLSConnectionInfo?) {
        guard let connectionInfo else {
            self = .unencrypted
            return
        }
        var bindings: [ChannelBindingType: [UInt8]] = [:]
        let types: [(GnuTLSConnectionInfo.ChannelBindingType, ChannelBindingType)] = [
            (.tlsExporter, .tlsExporter), (.tlsServerEndPoint, .tlsServerEndPoint), (.tlsUnique, .tlsUnique),
        ]
        for (tlsType, saslType) in types {
            if let data = connectionInfo.channelBinding(tlsType), !data.isEmpty {
                bindings[saslType] = data
            }
        }
        self.init(isEncrypted: true, channelBindings: bindings)
    }

    /// The binding data of `type`, or `nil` when it is missing or empty.
    func bindingData(for type: ChannelBindingType) -> [UInt8]? {
        guard let data = channelBindings[type], !data.isEmpty else { return nil }
        return data
    }
}
