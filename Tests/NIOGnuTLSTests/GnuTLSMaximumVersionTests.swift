import NIOCore
import NIOEmbedded
import NIOGnuTLS
import Testing
import XMPPTestSupport

extension NIOGnuTLSTests {
    @Suite("Maximum version: capping the client at TLS 1.2")
    struct MaximumVersionTests {
        @Test("no cap by default: the default test server negotiates TLS 1.3")
        func uncappedByDefault() throws {
            #expect(GnuTLSConfiguration().maximumVersion == nil)
            let pair = try BackToBackChannels(
                clientContext: try TestContexts.client(), serverContext: try TestContexts.server())
            defer { try? pair.tearDown() }
            try pair.handshake()
            #expect(pair.clientHandler.connectionInfo?.protocolVersion == .tls13)
        }

        @Test("a client capped at TLS 1.2 negotiates TLS 1.2 against the default test server, with tls-unique")
        func cappedAtTLS12() throws {
            let client = try TestContexts.makeClient { $0.maximumVersion = .tls12 }
            let pair = try BackToBackChannels(clientContext: client, serverContext: try TestContexts.server())
            defer { try? pair.tearDown() }
            try pair.handshake()
            #expect(pair.clientRecorder.handshakeCompleted)
            let info = try #require(pair.clientHandler.connectionInfo)
            #expect(info.protocolVersion == .tls12)
            #expect(pair.serverHandler.connectionInfo?.protocolVersion == .tls12)
            let unique = try #require(info.channelBinding(.tlsUnique), "tls-unique exists on TLS 1.2")
            #expect(pair.serverHandler.connectionInfo?.channelBinding(.tlsUnique) == unique)
        }

        @Test("a cap at TLS 1.3 changes nothing", arguments: [TLSProtocolVersion.tls12, .tls13])
        func cappedAtTLS13(minimum: TLSProtocolVersion) throws {
            let client = try TestContexts.makeClient {
                $0.minimumVersion = minimum
                $0.maximumVersion = .tls13
            }
            let pair = try BackToBackChannels(clientContext: client, serverContext: try TestContexts.server())
            defer { try? pair.tearDown() }
            try pair.handshake()
            #expect(pair.clientHandler.connectionInfo?.protocolVersion == .tls13)
        }

        @Test("a client capped at TLS 1.2 fails against a TLS 1.3-only server")
        func cappedRefusesTLS13Only() throws {
            let client = try TestContexts.makeClient { $0.maximumVersion = .tls12 }
            let server = try TestContexts.makeServer(.server, priority: "NORMAL:-VERS-ALL:+VERS-TLS1.3")
            let pair = try BackToBackChannels(clientContext: client, serverContext: server)
            defer { try? pair.tearDown() }
            try pair.handshake()
            #expect(!pair.clientRecorder.handshakeCompleted)
            #expect(pair.clientRecorder.gnuTLSErrors.map(\.kind) == [.handshakeFailed])
            #expect(!pair.client.isActive)
        }

        @Test("caps outside TLS 1.2…1.3 or below the minimum are refused", arguments: [
            (TLSProtocolVersion.tls12, TLSProtocolVersion.tls11),
            (TLSProtocolVersion.tls12, TLSProtocolVersion.tls10),
            (TLSProtocolVersion.tls12, TLSProtocolVersion(wireValue: 0x0305)),
            (TLSProtocolVersion.tls13, TLSProtocolVersion.tls12),
        ])
        func invalidCaps(minimum: TLSProtocolVersion, maximum: TLSProtocolVersion) throws {
            var configuration = GnuTLSConfiguration()
            configuration.trustRoots = .pem(try TestContexts.certificates().caPEM)
            configuration.minimumVersion = minimum
            configuration.maximumVersion = maximum
            let error = try #require(throws: GnuTLSError.self) { try GnuTLSContext(configuration: configuration) }
            #expect(error.kind == .invalidConfiguration)
        }
    }
}
