import CGnuTLS
import NIOCore
import NIOEmbedded
import NIOGnuTLS
import Testing
import XMPPTestSupport

extension NIOGnuTLSTests {
    @Suite("Channel binding, read on both ends")
    struct ChannelBindingTests {
        private func handshake(serverPriority: String) throws -> (client: GnuTLSConnectionInfo, server: GnuTLSConnectionInfo) {
            let server = try TestContexts.makeServer(.server, priority: serverPriority)
            let pair = try BackToBackChannels(clientContext: try TestContexts.client(), serverContext: server)
            defer { try? pair.tearDown() }
            try pair.handshake()
            return (try #require(pair.clientHandler.connectionInfo), try #require(pair.serverHandler.connectionInfo))
        }

        @Test("TLS 1.3: tls-exporter and tls-server-end-point agree on both ends; tls-unique does not exist")
        func tls13() throws {
            let (client, server) = try handshake(serverPriority: "NORMAL:-VERS-ALL:+VERS-TLS1.3")
            #expect(client.protocolVersion == .tls13)

            let exporter = try #require(client.channelBinding(.tlsExporter))
            #expect(exporter.count == 32)
            #expect(server.channelBinding(.tlsExporter) == exporter)

            let endPoint = try #require(client.channelBinding(.tlsServerEndPoint))
            #expect(server.channelBinding(.tlsServerEndPoint) == endPoint)

            #expect(client.channelBinding(.tlsUnique) == nil)
            #expect(server.channelBinding(.tlsUnique) == nil)
        }

        @Test("TLS 1.2 with the extended master secret: all three exist and agree")
        func tls12() throws {
            let (client, server) = try handshake(serverPriority: "NORMAL:-VERS-ALL:+VERS-TLS1.2")
            #expect(client.protocolVersion == .tls12)
            #expect(client.usesExtendedMasterSecret)
            for type in GnuTLSConnectionInfo.ChannelBindingType.allCases {
                let value = try #require(client.channelBinding(type), "\(type)")
                #expect(!value.isEmpty)
                #expect(server.channelBinding(type) == value, "\(type)")
            }
            #expect(client.channelBinding(.tlsUnique)?.count == 12)  // a TLS 1.2 Finished's verify_data
        }

        @Test("TLS 1.2 without the extended master secret: no tls-exporter (RFC 9266), tls-unique still there")
        func tls12WithoutExtendedMasterSecret() throws {
            let (client, server) = try handshake(serverPriority: "NORMAL:-VERS-ALL:+VERS-TLS1.2:%NO_SESSION_HASH")
            #expect(client.protocolVersion == .tls12)
            #expect(!client.usesExtendedMasterSecret)
            #expect(client.channelBinding(.tlsExporter) == nil)
            #expect(server.channelBinding(.tlsExporter) == nil)
            #expect(client.channelBinding(.tlsUnique) != nil)
            #expect(client.channelBinding(.tlsUnique) == server.channelBinding(.tlsUnique))
        }

        @Test("tls-server-end-point is the SHA-256 of the server certificate (ECDSA-SHA256 signed)")
        func serverEndPointIsCertificateHash() throws {
            let (client, _) = try handshake(serverPriority: "NORMAL")
            let certificate = try derOfPEM(try TestContexts.certificates().identity(.server).certificatePEM)
            var digest = [UInt8](repeating: 0, count: 32)
            let rc = certificate.withUnsafeBytes { bytes in
                digest.withUnsafeMutableBytes { gnutls_hash_fast(GNUTLS_DIG_SHA256, bytes.baseAddress, bytes.count, $0.baseAddress) }
            }
            #expect(rc == 0)
            #expect(client.channelBinding(.tlsServerEndPoint) == digest)
        }

        @Test("each connection has its own tls-exporter")
        func exporterIsPerConnection() throws {
            let first = try handshake(serverPriority: "NORMAL").client.channelBinding(.tlsExporter)
            let second = try handshake(serverPriority: "NORMAL").client.channelBinding(.tlsExporter)
            #expect(first != nil)
            #expect(first != second)
        }

        @Test("before the handshake there is no connection info")
        func nothingBeforeHandshake() throws {
            let pair = try BackToBackChannels(clientContext: try TestContexts.client(), serverContext: try TestContexts.server())
            defer { try? pair.tearDown() }
            try pair.activate()
            #expect(pair.clientHandler.connectionInfo == nil)
            #expect(try pair.client.pipeline.syncOperations.gnuTLSConnectionInfo() == nil)
        }
    }
}
