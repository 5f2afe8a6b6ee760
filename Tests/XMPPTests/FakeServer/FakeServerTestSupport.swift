import NIOCore
import NIOGnuTLS
import XMPPCore
import XMPPTestSupport
import XMPPTransport

@testable import XMPP

/// Client configurations and scaffolding for tests against
/// ``FakeXMPPServer``: the client's normal, secure defaults (STARTTLS
/// required, the certificate verified against xmpp.test with the test CA
/// as the only trust root), short deadlines.
enum FakeServerTest {
    static let jid = "alice@xmpp.test"

    /// A configuration for alice@xmpp.test reaching 127.0.0.1:`port`.
    static func configuration(
        port: Int, resource: String? = nil, password: String = "fake-password"
    ) throws -> XMPPConnection.Configuration {
        let certificates = try TestCertificates.load()
        var tls = GnuTLSConfiguration()
        tls.trustRoots = .pem(certificates.caPEM)
        tls.certificateVerification = .full
        tls.shutdownTimeout = .seconds(2)
        let timeouts = XMPPConnection.Configuration.Timeouts(
            connect: .seconds(5), tlsHandshake: .seconds(5), negotiationStep: .seconds(5),
            authentication: .seconds(5), close: .seconds(2), iq: .seconds(5))
        let location = XMPPServerLocation.host("127.0.0.1", port: port, security: .startTLS)
        if let resource {
            return XMPPConnection.Configuration(
                jid: try FullJID("\(jid)/\(resource)"), password: password, serverLocation: location, tls: tls,
                timeouts: timeouts)
        }
        return XMPPConnection.Configuration(
            jid: try BareJID(jid), password: password, serverLocation: location, tls: tls, timeouts: timeouts)
    }

    /// Runs `body` with a fresh fake server; closes it afterwards.
    static func withServer<Result>(
        _ body: (FakeXMPPServer) async throws -> Result
    ) async throws -> Result {
        let server = try await FakeXMPPServer.start(certificates: try TestCertificates.load())
        do {
            let result = try await body(server)
            await server.close()
            return result
        } catch {
            await server.close()
            throw error
        }
    }

    /// The server's side of a clean close: the client's `</stream:stream>`
    /// (after its final `<a/>`, if any), then ours.
    static func acceptClose(_ connection: FakeXMPPServer.Connection) async throws {
        try await connection.expectStreamEnd()
        try await connection.closeStream()
    }

    /// A chat message from bob to alice's resource `r1`.
    static func chat(id: String, body: String) -> String {
        "<message from='bob@xmpp.test/x' to='alice@xmpp.test/r1' type='chat' id='\(id)'><body>\(body)</body></message>"
    }
}
