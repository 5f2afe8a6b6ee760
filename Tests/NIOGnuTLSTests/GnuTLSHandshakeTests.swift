import NIOCore
import NIOEmbedded
import NIOGnuTLS
import NIOTLS
import Synchronization
import Testing
import XMPPTestSupport

extension NIOGnuTLSTests {
    @Suite("Handshake and data, client and server back to back in memory")
    struct HandshakeTests {
        @Test("the handshake completes on both sides, once, with TLS 1.3 by default")
        func handshakeCompletes() throws {
            let pair = try BackToBackChannels(clientContext: try TestContexts.client(), serverContext: try TestContexts.server())
            defer { try? pair.tearDown() }
            try pair.handshake()

            #expect(pair.clientRecorder.events == [.handshakeCompleted(negotiatedProtocol: nil)])
            #expect(pair.serverRecorder.events == [.handshakeCompleted(negotiatedProtocol: nil)])
            #expect(pair.clientRecorder.errors.isEmpty)
            #expect(pair.serverRecorder.errors.isEmpty)

            let info = try #require(pair.clientHandler.connectionInfo)
            #expect(info.protocolVersion == .tls13)
            #expect(info.cipherSuite.hasPrefix("TLS_"))
            #expect(info.usesExtendedMasterSecret)
            #expect(info.peerCertificate == (try derOfPEM(TestContexts.certificates().identity(.server).certificatePEM)))
            #expect(try pair.client.pipeline.syncOperations.gnuTLSConnectionInfo() == info)
        }

        @Test("STARTTLS: added to an already active channel, the handler starts the handshake itself")
        func startTLSOnActiveChannel() throws {
            let pair = try BackToBackChannels(
                clientContext: try TestContexts.client(), serverContext: try TestContexts.server(), addClientHandler: false)
            defer { try? pair.tearDown() }
            try pair.activate()
            #expect(try pair.client.readOutbound(as: ByteBuffer.self) == nil)

            try pair.client.pipeline.syncOperations.addHandler(pair.clientHandler, position: .first)
            try pair.interact()
            #expect(pair.clientRecorder.handshakeCompleted)
            #expect(pair.serverRecorder.handshakeCompleted)
        }

        @Test("data flows both ways after the handshake")
        func dataBothWays() throws {
            let pair = try BackToBackChannels(clientContext: try TestContexts.client(), serverContext: try TestContexts.server())
            defer { try? pair.tearDown() }
            try pair.handshake()

            try pair.client.writeAndFlush(ByteBuffer("<stream:stream>")).wait()
            try pair.interact()
            #expect(pair.serverRecorder.receivedString == "<stream:stream>")

            try pair.server.writeAndFlush(ByteBuffer("<stream:features/>")).wait()
            try pair.interact()
            #expect(pair.clientRecorder.receivedString == "<stream:features/>")
        }

        @Test("writes issued before the handshake are held with their promises and sent after it, in order")
        func writesBeforeHandshake() throws {
            let pair = try BackToBackChannels(clientContext: try TestContexts.client(), serverContext: try TestContexts.server())
            defer { try? pair.tearDown() }
            try pair.activate()

            let completed = Mutex<[Int]>([])
            for (index, text) in ["one ", "two ", "three"].enumerated() {
                let promise = pair.client.eventLoop.makePromise(of: Void.self)
                promise.futureResult.whenSuccess { completed.withLock { $0.append(index) } }
                pair.client.write(ByteBuffer(text), promise: promise)
            }
            pair.client.flush()
            // Unflushed: held until a later flush, even after the handshake.
            let late = pair.client.eventLoop.makePromise(of: Void.self)
            pair.client.write(ByteBuffer(" four"), promise: late)
            #expect(completed.withLock { $0 }.isEmpty)

            try pair.interact()
            #expect(pair.clientRecorder.handshakeCompleted)
            #expect(pair.serverRecorder.receivedString == "one two three")
            #expect(completed.withLock { $0 } == [0, 1, 2])

            pair.client.flush()
            try pair.interact()
            try late.futureResult.wait()
            #expect(pair.serverRecorder.receivedString == "one two three four")
        }

        @Test("a 1 MiB write arrives intact, split into records and delivered in chunks", arguments: [false, true])
        func largeWrite(fromServer: Bool) throws {
            let pair = try BackToBackChannels(clientContext: try TestContexts.client(), serverContext: try TestContexts.server())
            defer { try? pair.tearDown() }
            try pair.handshake()

            let payload = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
            let sender = fromServer ? pair.server : pair.client
            let receiver = fromServer ? pair.clientRecorder : pair.serverRecorder
            try sender.writeAndFlush(ByteBuffer(bytes: payload)).wait()
            try pair.interact()
            #expect(receiver.received.count == payload.count)
            #expect(receiver.received == payload)
            #expect(receiver.readCount > 1)
        }

        @Test("a burst of records in one read is handed on in chunks that never outgrow their buffer")
        func burstInOneRead() throws {
            let pair = try BackToBackChannels(clientContext: try TestContexts.client(), serverContext: try TestContexts.server())
            defer { try? pair.tearDown() }
            try pair.handshake()

            // 300 KiB in records of 100 bytes, all the ciphertext in one read.
            let payload = (0..<(300 << 10)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 11) }
            for offset in stride(from: 0, to: payload.count, by: 100) {
                pair.server.write(ByteBuffer(bytes: payload[offset..<min(offset + 100, payload.count)]), promise: nil)
                pair.server.flush()
            }
            pair.server.embeddedEventLoop.run()
            var ciphertext = ByteBuffer()
            while var bytes = try pair.server.readOutbound(as: ByteBuffer.self) { ciphertext.writeBuffer(&bytes) }
            try pair.client.writeInbound(ciphertext)
            try pair.interact()

            #expect(pair.clientRecorder.received == payload)
            #expect(pair.clientRecorder.readCount > 1)
            // Handed on before another record might not fit: no plaintext
            // buffer grows past a delivery chunk (64 KiB).
            #expect(pair.clientRecorder.largestReadCapacity <= 64 << 10)
        }

        @Test("records split at every byte still decrypt: partial records wait for the rest")
        func partialRecords() throws {
            let pair = try BackToBackChannels(clientContext: try TestContexts.client(), serverContext: try TestContexts.server())
            defer { try? pair.tearDown() }
            try pair.activate()
            // The handshake, with every server flight fed to the client one byte at a time.
            var moved = true
            while moved {
                moved = false
                while let bytes = try pair.client.readOutbound(as: ByteBuffer.self) {
                    moved = true
                    try pair.server.writeInbound(bytes)
                }
                while var bytes = try pair.server.readOutbound(as: ByteBuffer.self) {
                    moved = true
                    while let byte = bytes.readSlice(length: 1) { try pair.client.writeInbound(byte) }
                }
            }
            #expect(pair.clientRecorder.handshakeCompleted)

            try pair.server.writeAndFlush(ByteBuffer("split across many reads")).wait()
            var ciphertext = try #require(try pair.server.readOutbound(as: ByteBuffer.self))
            while let byte = ciphertext.readSlice(length: 1) { try pair.client.writeInbound(byte) }
            #expect(pair.clientRecorder.receivedString == "split across many reads")
            // Only the read that completed the record produced plaintext.
            #expect(pair.clientRecorder.readCount == 1)
            #expect(pair.clientRecorder.readCompleteCount == 1)
        }

        @Test("plaintext is delivered per read batch, with one read-complete")
        func readBatching() throws {
            let pair = try BackToBackChannels(clientContext: try TestContexts.client(), serverContext: try TestContexts.server())
            defer { try? pair.tearDown() }
            try pair.handshake()

            for text in ["a", "b", "c"] { pair.server.write(ByteBuffer(text), promise: nil) }
            pair.server.flush()
            var batch = pair.server.allocator.buffer(capacity: 256)
            while var record = try pair.server.readOutbound(as: ByteBuffer.self) { batch.writeBuffer(&record) }
            try pair.client.writeInbound(batch)
            #expect(pair.clientRecorder.receivedString == "abc")
            #expect(pair.clientRecorder.readCount == 1)
            #expect(pair.clientRecorder.readCompleteCount == 1)
        }

        @Test("ALPN: the offered protocol is reported when the server picks it, and nothing when it ignores ALPN")
        func applicationProtocols() throws {
            let client = try TestContexts.makeClient { $0.applicationProtocols = ["xmpp-client"] }
            let picking = try TestContexts.makeServer(.server, applicationProtocols: ["xmpp-client"])
            let pair = try BackToBackChannels(clientContext: client, serverContext: picking)
            defer { try? pair.tearDown() }
            try pair.handshake()
            #expect(pair.clientRecorder.events == [.handshakeCompleted(negotiatedProtocol: "xmpp-client")])
            #expect(pair.clientHandler.connectionInfo?.applicationProtocol == "xmpp-client")

            let ignoring = try BackToBackChannels(clientContext: client, serverContext: try TestContexts.server())
            defer { try? ignoring.tearDown() }
            try ignoring.handshake()
            #expect(ignoring.clientRecorder.events == [.handshakeCompleted(negotiatedProtocol: nil)])
        }

        @Test("a TLS 1.2-only server is accepted as TLS 1.2")
        func tls12Server() throws {
            let server = try TestContexts.makeServer(.server, priority: "NORMAL:-VERS-ALL:+VERS-TLS1.2")
            let pair = try BackToBackChannels(clientContext: try TestContexts.client(), serverContext: server)
            defer { try? pair.tearDown() }
            try pair.handshake()
            #expect(pair.clientHandler.connectionInfo?.protocolVersion == .tls12)
            #expect(pair.clientHandler.connectionInfo?.usesExtendedMasterSecret == true)
        }

        @Test("versions below the minimum are refused", arguments: [
            ("NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0", TLSProtocolVersion.tls12),
            ("NORMAL:-VERS-ALL:+VERS-TLS1.2", TLSProtocolVersion.tls13),
        ])
        func oldVersionsRefused(serverPriority: String, minimum: TLSProtocolVersion) throws {
            let client = try TestContexts.makeClient { $0.minimumVersion = minimum }
            let server = try TestContexts.makeServer(.server, priority: serverPriority)
            let pair = try BackToBackChannels(clientContext: client, serverContext: server)
            defer { try? pair.tearDown() }
            try pair.handshake()
            #expect(!pair.clientRecorder.handshakeCompleted)
            #expect(pair.clientRecorder.gnuTLSErrors.map(\.kind) == [.handshakeFailed])
            #expect(!pair.client.isActive)
        }

        @Test("a client certificate is sent when the server asks for one")
        func clientCertificate() throws {
            let certificates = try TestContexts.certificates()
            let identity = certificates.identity(.client)
            let client = try TestContexts.makeClient {
                $0.clientCertificate = .pem(certificateChain: identity.certificatePEM, privateKey: identity.privateKeyPEM)
            }
            let server = try TestContexts.makeServer(.server, clientCertificateRequest: .require)
            let pair = try BackToBackChannels(clientContext: client, serverContext: server)
            defer { try? pair.tearDown() }
            try pair.handshake()
            #expect(pair.serverRecorder.handshakeCompleted)
            #expect(pair.serverHandler.connectionInfo?.peerCertificate == (try derOfPEM(identity.certificatePEM)))
        }
    }
}
