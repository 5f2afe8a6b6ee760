import NIOGnuTLS
import XMPPTransport

/// The compiled TLS configurations of one `withConnection` call, made once
/// and used for every endpoint and every redirect, so a redirect can never
/// change the TLS policy.
///
/// Direct TLS offers ALPN `xmpp-client` (XEP-0368) unless the application
/// chose its own protocols; STARTTLS uses the configuration as given.
/// Only the contexts the server location can need are made (loading a
/// trust store is not free).
struct TLSContexts: Sendable {
    /// For STARTTLS endpoints.
    let startTLS: GnuTLSContext?
    /// For direct-TLS endpoints.
    let directTLS: GnuTLSContext?
    /// The name sent as SNI and verified: the JID's domain, in ASCII.
    let serverName: String

    /// Compiles the configuration.
    /// - Throws: ``XMPPClientError/Code/tlsFailed`` with the ``GnuTLSError``
    ///   (for example no trust anchors).
    init(configuration: GnuTLSConfiguration, location: XMPPServerLocation, serverName: String) throws(XMPPClientError) {
        let security = location.fixedEndpoint?.security
        do throws(GnuTLSError) {
            startTLS = security == .directTLS ? nil : try GnuTLSContext(configuration: configuration)
            if security == .startTLS {
                directTLS = nil
            } else {
                var direct = configuration
                if direct.applicationProtocols.isEmpty { direct.applicationProtocols = ["xmpp-client"] }
                directTLS = try GnuTLSContext(configuration: direct)
            }
        } catch {
            throw .tlsFailed(error, detail: "the TLS configuration could not be loaded")
        }
        self.serverName = serverName
    }

    /// A client handler for `security`, verifying ``serverName``.
    func makeHandler(for security: XMPPEndpoint.Security) throws -> GnuTLSClientHandler {
        guard let context = security == .directTLS ? directTLS : startTLS else {
            throw XMPPClientError.invalidConfiguration("no TLS context for \(security) endpoints")
        }
        return try GnuTLSClientHandler(context: context, serverName: serverName)
    }
}
