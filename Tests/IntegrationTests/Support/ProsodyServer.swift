import Foundation
import NIOCore
import NIOGnuTLS
import XMPPTestSupport
import XMPPTransport

/// The throwaway Prosody that `Scripts/prosody.sh up` runs, as described by
/// the variables `eval "$(Scripts/prosody.sh env)"` exports (the defaults are
/// the script's own).
struct ProsodyServer: Sendable {
    /// Whether the integration tests should run: `Scripts/test.sh` starts
    /// Prosody and exports `XMPP_TEST_HOST`; a plain `swift test` does not.
    static let isConfigured = ProcessInfo.processInfo.environment["XMPP_TEST_HOST"] != nil

    /// Where it listens (loopback).
    let host: String
    /// The c2s port, where STARTTLS is required.
    let startTLSPort: Int
    /// The XEP-0368 direct TLS port.
    let directTLSPort: Int
    /// The XMPP domain, which the certificate must match.
    let domain: String
    /// The test CA that issued the server's certificate.
    let caPath: String
    /// The test PKI that CA belongs to (for the untrusted CA and the leaf).
    let certificates: TestCertificates

    /// Reads the environment.
    static func fromEnvironment() throws -> ProsodyServer {
        let environment = ProcessInfo.processInfo.environment
        func port(_ name: String, default value: Int) throws -> Int {
            guard let text = environment[name] else { return value }
            guard let number = Int(text), (1...65535).contains(number) else {
                throw XMLStreamChannelError("\(name)=\(text) is not a port number")
            }
            return number
        }
        let caPath = environment["XMPP_TEST_CA"] ?? TestCertificates.defaultDirectory + "/ca.pem"
        // Read, never generate: Prosody serves a leaf of the CA that exists
        // now, and a freshly generated CA would not have issued it.
        let directory = (caPath as NSString).deletingLastPathComponent
        return ProsodyServer(
            host: environment["XMPP_TEST_HOST"] ?? "127.0.0.1",
            startTLSPort: try port("XMPP_TEST_PORT", default: 15222),
            directTLSPort: try port("XMPP_TEST_DIRECT_TLS_PORT", default: 15223),
            domain: environment["XMPP_TEST_DOMAIN"] ?? "xmpp.test",
            caPath: caPath,
            certificates: try TestCertificates.read(from: directory))
    }

    /// One of the two ways in.
    enum Port: String, CaseIterable, Sendable, CustomStringConvertible {
        case startTLS, directTLS

        /// How TLS starts there.
        var security: XMPPEndpoint.Security {
            switch self {
            case .startTLS: .startTLS
            case .directTLS: .directTLS
            }
        }

        var description: String { security.description }
    }

    /// The fixed location of `port`: no DNS, the domain stays `domain`.
    func location(_ port: Port) -> XMPPServerLocation {
        switch port {
        case .startTLS: .host(host, port: startTLSPort, security: .startTLS)
        case .directTLS: .host(host, port: directTLSPort, security: .directTLS)
        }
    }

    /// A client context with verification on.
    /// - Parameters:
    ///   - trustRoots: The anchors; by default only the test CA, replacing
    ///     the system store.
    ///   - applicationProtocols: ALPN names to offer.
    func tlsContext(
        trustRoots: GnuTLSConfiguration.TrustRoots? = nil,
        applicationProtocols: [String] = []
    ) throws -> GnuTLSContext {
        var configuration = GnuTLSConfiguration()
        configuration.trustRoots = trustRoots ?? .files([caPath])
        configuration.certificateVerification = .full
        configuration.applicationProtocols = applicationProtocols
        // Bounds closing a channel whose peer has stopped reading.
        configuration.shutdownTimeout = .seconds(2)
        return try GnuTLSContext(configuration: configuration)
    }

    /// A connector for this server: loopback deadlines well inside the
    /// tests' own, and a direct-TLS handler that sends SNI `domain` and
    /// verifies `verificationName` (`nil`: `domain`), never the host.
    func connector(context: GnuTLSContext, verificationName: String? = nil) -> XMPPConnector {
        let domain = self.domain
        return XMPPConnector(timeouts: .init(connect: .seconds(5), tlsHandshake: .seconds(5))) { _, _ in
            try GnuTLSClientHandler(context: context, serverName: domain, verificationName: verificationName)
        }
    }

    /// The DER of the leaf the server should present, when it is known:
    /// `prosody.sh` serves the PKI's `server` leaf for `xmpp.test` and
    /// issues a fresh one for any other domain.
    func expectedLeafDER() throws -> [UInt8]? {
        guard domain == "xmpp.test" else { return nil }
        return try derOfPEM(certificates.identity(.server).certificatePEM)
    }
}

/// The bytes of the first PEM block in `pem`.
func derOfPEM(_ pem: String) throws -> [UInt8] {
    let lines = pem.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
    guard let start = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN") }),
        let end = lines[start...].firstIndex(where: { $0.hasPrefix("-----END") }),
        let data = Data(base64Encoded: lines[(start + 1)..<end].joined())
    else { throw XMLStreamChannelError("no PEM block") }
    return Array(data)
}
