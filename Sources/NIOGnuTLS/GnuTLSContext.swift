internal import NIOCore

/// A compiled ``GnuTLSConfiguration``: the loaded trust store, client
/// certificate and priorities, shared by every connection made with it.
///
/// Building a context is expensive and does blocking file I/O (the system
/// trust store alone is hundreds of certificates), so build it once, off
/// any event loop, and reuse it for every connection and reconnection. A
/// context is immutable and safe to share between threads; GnuTLS's
/// resources are freed when the last reference goes away.
///
/// Contexts built while another one with the same trust sources and client
/// certificate lives share its loaded credentials, and those with the same
/// protocol versions its compiled priorities, so that many connections do
/// not hold many copies. A trust or key file changed on disk (path, inode,
/// size or modification time) is loaded anew; the system store is loaded
/// anew once no context uses it.
public final class GnuTLSContext: Sendable {
    /// The configuration this context was built from.
    public let configuration: GnuTLSConfiguration
    /// How many trusted certificate authorities were loaded (zero when
    /// verification does not use them).
    public let trustAnchorCount: Int

    let credentials: GnuTLSCredentials
    let priority: GnuTLSPriority

    /// Loads everything `configuration` names.
    /// - Throws: ``GnuTLSError/Kind/noTrustAnchors`` when a trust source holds
    ///   no certificate (the system store included);
    ///   ``GnuTLSError/Kind/invalidConfiguration`` for unreadable files, bad
    ///   PEM, pinning without pins, versions older than TLS 1.2, a maximum
    ///   version below the minimum or ALPN names GnuTLS cannot send.
    public init(configuration: GnuTLSConfiguration) throws(GnuTLSError) {
        try Self.validate(configuration)
        // Shared with every live context built from equal settings (see
        // GnuTLSSharedMaterial): one parsed trust store and one priority
        // cache for many connections, not one per connection.
        let loaded = try GnuTLSSharedMaterial.credentials(for: configuration)
        self.configuration = configuration
        self.credentials = loaded.credentials
        self.trustAnchorCount = loaded.trustAnchorCount
        // Appending keeps the distribution's crypto policy (ciphers, groups,
        // signature algorithms) and only takes the old versions (and, when
        // capped, the newer ones) away.
        self.priority = try GnuTLSSharedMaterial.priority(
            TLSProtocolVersion.priorityAppendix(
                minimum: configuration.minimumVersion, maximum: configuration.maximumVersion))
    }

    /// Whether this context uses the very same loaded credentials as
    /// `other` (see ``GnuTLSSharedMaterial``); for tests.
    package func sharesCredentials(with other: GnuTLSContext) -> Bool { credentials === other.credentials }

    /// The loaded credentials, to follow their lifetime; for tests.
    package var credentialsObject: AnyObject { credentials }

    /// Whether this context uses the very same compiled priorities as `other`; for tests.
    package func sharesPriority(with other: GnuTLSContext) -> Bool { priority === other.priority }

    /// GnuTLS sends at most this many ALPN names, each shorter than 32 bytes.
    static let maxApplicationProtocols = 8
    static let maxApplicationProtocolBytes = 31

    private static func validate(_ configuration: GnuTLSConfiguration) throws(GnuTLSError) {
        guard configuration.minimumVersion >= .tls12, configuration.minimumVersion <= .tls13 else {
            throw GnuTLSError(
                .invalidConfiguration,
                detail: "the minimum version must be TLS 1.2 or TLS 1.3, not \(configuration.minimumVersion)")
        }
        if let maximum = configuration.maximumVersion {
            guard maximum >= .tls12, maximum <= .tls13 else {
                throw GnuTLSError(
                    .invalidConfiguration, detail: "the maximum version must be TLS 1.2 or TLS 1.3, not \(maximum)")
            }
            guard maximum >= configuration.minimumVersion else {
                throw GnuTLSError(
                    .invalidConfiguration,
                    detail: "the maximum version \(maximum) is older than the minimum \(configuration.minimumVersion)")
            }
        }
        if configuration.certificateVerification == .pinnedOnly && configuration.publicKeyPins.isEmpty {
            throw GnuTLSError(.invalidConfiguration, detail: "pinned-only verification needs at least one pin")
        }
        guard configuration.applicationProtocols.count <= maxApplicationProtocols else {
            throw GnuTLSError(.invalidConfiguration, detail: "at most \(maxApplicationProtocols) ALPN names")
        }
        for name in configuration.applicationProtocols
        where name.utf8.isEmpty || name.utf8.count > maxApplicationProtocolBytes {
            throw GnuTLSError(.invalidConfiguration, detail: "ALPN names have 1 to \(maxApplicationProtocolBytes) bytes")
        }
        guard configuration.shutdownTimeout >= .zero else {
            throw GnuTLSError(.invalidConfiguration, detail: "the shutdown timeout must not be negative")
        }
    }
}
