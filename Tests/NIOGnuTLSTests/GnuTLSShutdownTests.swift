import NIOCore
import NIOEmbedded
import NIOGnuTLS
import NIOTLS
import Testing
import XMPPTestSupport

extension NIOGnuTLSTests {
    @Suite("EOF, close_notify, renegotiation and garbage")
    struct ShutdownTests {
        private func connectedPair(serverPriority: String = "NORMAL") throws -> BackToBackChannels {
            let server = try TestContexts.makeServer(.server, priority: serverPriority)
            let pair = try BackToBackChannels(clientContext: try TestContexts.client(), serverContext: server)
            try pair.handshake()
            try #require(pair.clientRecorder.handshakeCompleted)
            return pair
        }

        @Test("EOF in the middle of the handshake is handshakeEOF, and fails the writes waiting for it")
        func eofDuringHandshake() throws {
            let pair = try BackToBackChannels(clientContext: try TestContexts.client(), serverContext: try TestContexts.server())
            defer { try? pair.tearDown() }
            try pair.activate()
            let waiting = pair.client.eventLoop.makePromise(of: Void.self)
            pair.client.writeAndFlush(ByteBuffer("<stream:stream>"), promise: waiting)
            // The ClientHello reaches the server; half of its answer comes back; then the peer is gone.
            try pair.server.writeInbound(try #require(try pair.client.readOutbound(as: ByteBuffer.self)))
            let flight = try #require(try pair.server.readOutbound(as: ByteBuffer.self))
            try pair.client.writeInbound(flight.getSlice(at: flight.readerIndex, length: flight.readableBytes / 2))
            pair.client.pipeline.fireChannelInactive()

            #expect(pair.clientRecorder.gnuTLSErrors.map(\.kind) == [.handshakeEOF])
            #expect(!pair.clientRecorder.handshakeCompleted)
            #expect(throws: GnuTLSError.self) { try waiting.futureResult.wait() }
        }

        @Test("a half-closed input during the handshake is handshakeEOF too")
        func inputClosedDuringHandshake() throws {
            let pair = try BackToBackChannels(clientContext: try TestContexts.client(), serverContext: try TestContexts.server())
            defer { try? pair.tearDown() }
            try pair.activate()
            pair.client.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
            #expect(pair.clientRecorder.gnuTLSErrors.map(\.kind) == [.handshakeEOF])
            #expect(!pair.client.isActive)
        }

        @Test("EOF after the handshake without close_notify is an unclean shutdown")
        func eofWithoutCloseNotify() throws {
            let pair = try connectedPair()
            defer { try? pair.tearDown() }
            try pair.server.writeAndFlush(ByteBuffer("last words")).wait()
            try pair.interact()
            pair.client.pipeline.fireChannelInactive()

            #expect(pair.clientRecorder.receivedString == "last words")
            let error = try #require(pair.clientRecorder.gnuTLSErrors.first)
            #expect(error.kind == .uncleanShutdown)
            #expect(pair.clientRecorder.gnuTLSErrors.count == 1)
            #expect(!pair.clientRecorder.events.contains(.shutdownCompleted))
        }

        @Test("EOF inside a record is an unclean shutdown, after the complete records before it are delivered")
        func eofInsideRecord() throws {
            let pair = try connectedPair()
            defer { try? pair.tearDown() }
            try pair.server.writeAndFlush(ByteBuffer("complete")).wait()
            try pair.server.writeAndFlush(ByteBuffer("truncated by an attacker")).wait()
            let complete = try #require(try pair.server.readOutbound(as: ByteBuffer.self))
            let truncated = try #require(try pair.server.readOutbound(as: ByteBuffer.self))
            try pair.client.writeInbound(complete)
            try pair.client.writeInbound(truncated.getSlice(at: truncated.readerIndex, length: truncated.readableBytes - 3))
            pair.client.pipeline.fireChannelInactive()

            #expect(pair.clientRecorder.receivedString == "complete")
            let error = try #require(pair.clientRecorder.gnuTLSErrors.first)
            #expect(error.kind == .uncleanShutdown)
            #expect(error.code == -9)  // GNUTLS_E_UNEXPECTED_PACKET_LENGTH: the EOF fell inside a record
        }

        @Test("the peer's close_notify closes cleanly: event fired, ours sent back, no error")
        func peerCloseNotify() throws {
            let pair = try connectedPair()
            defer { try? pair.tearDown() }
            try pair.server.writeAndFlush(ByteBuffer("</stream:stream>")).wait()
            let serverClosed = pair.server.close()
            try pair.interact()

            #expect(pair.clientRecorder.receivedString == "</stream:stream>")
            #expect(pair.clientRecorder.events.last == .shutdownCompleted)
            #expect(pair.clientRecorder.errors.isEmpty)
            #expect(!pair.client.isActive)
            try serverClosed.wait()
            // The server closed once its close_notify was written (SHUT_WR):
            // it neither waited for ours nor calls the missing answer an error.
            #expect(!pair.server.isActive)
            #expect(pair.serverRecorder.errors.isEmpty)
        }

        @Test("closing the client sends close_notify first and completes the close promise")
        func clientClose() throws {
            let pair = try connectedPair()
            defer { try? pair.tearDown() }
            let closed = pair.client.close()
            try pair.interact()
            try closed.wait()
            #expect(!pair.client.isActive)
            #expect(pair.serverRecorder.events.last == .shutdownCompleted)
            #expect(pair.serverRecorder.errors.isEmpty)
            #expect(pair.clientRecorder.errors.isEmpty)

            let late = pair.client.eventLoop.makePromise(of: Void.self)
            pair.client.writeAndFlush(ByteBuffer("too late"), promise: late)
            #expect(throws: (any Error).self) { try late.futureResult.wait() }
        }

        @Test("a close_notify that cannot be written in time closes anyway, with closeTimedOut")
        func closeTimeout() throws {
            let client = try TestContexts.makeClient { $0.shutdownTimeout = .seconds(2) }
            let pair = try BackToBackChannels(clientContext: client, serverContext: try TestContexts.server())
            defer { try? pair.tearDown() }
            try pair.handshake()
            let stall = WriteStaller()
            try pair.client.pipeline.syncOperations.addHandler(stall, position: .first)

            let closed = pair.client.close()
            pair.client.embeddedEventLoop.advanceTime(by: .seconds(1))
            #expect(pair.client.isActive)
            pair.client.embeddedEventLoop.advanceTime(by: .seconds(1))
            #expect(!pair.client.isActive)
            #expect(pair.clientRecorder.gnuTLSErrors.map(\.kind) == [.closeTimedOut])
            try closed.wait()
            stall.release()
        }

        @Test("a renegotiation request from the server is refused and closes the connection")
        func renegotiationRefused() throws {
            let pair = try connectedPair(serverPriority: "NORMAL:-VERS-ALL:+VERS-TLS1.2")
            defer { try? pair.tearDown() }
            pair.serverHandler.requestRenegotiation()
            try pair.interact()
            #expect(pair.clientRecorder.gnuTLSErrors.map(\.kind) == [.renegotiationRefused])
            #expect(!pair.client.isActive)
        }

        @Test("garbage instead of a record fails the connection with recordFailed")
        func garbageAfterHandshake() throws {
            let pair = try connectedPair()
            defer { try? pair.tearDown() }
            try pair.client.writeInbound(ByteBuffer("<presence/> sent in the clear"))
            #expect(pair.clientRecorder.gnuTLSErrors.map(\.kind) == [.recordFailed])
            #expect(pair.clientRecorder.received.isEmpty)
            #expect(!pair.client.isActive)
        }

        @Test("a tampered record fails the connection with recordFailed")
        func tamperedRecord() throws {
            let pair = try connectedPair()
            defer { try? pair.tearDown() }
            try pair.server.writeAndFlush(ByteBuffer("integrity matters")).wait()
            var record = try #require(try pair.server.readOutbound(as: ByteBuffer.self))
            let last = record.writerIndex - 1
            record.setInteger(record.getInteger(at: last, as: UInt8.self).map { $0 ^ 1 } ?? 0, at: last)
            try pair.client.writeInbound(record)
            #expect(pair.clientRecorder.gnuTLSErrors.map(\.kind) == [.recordFailed])
            #expect(pair.clientRecorder.received.isEmpty)
        }

        @Test("a server that answers with something other than TLS fails the handshake")
        func garbageDuringHandshake() throws {
            let pair = try BackToBackChannels(clientContext: try TestContexts.client(), serverContext: try TestContexts.server())
            defer { try? pair.tearDown() }
            try pair.client.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 5222)).wait()
            _ = try pair.client.readOutbound(as: ByteBuffer.self)
            try pair.client.writeInbound(ByteBuffer("<?xml version='1.0'?><stream:stream xmlns='jabber:client'>"))
            #expect(pair.clientRecorder.gnuTLSErrors.map(\.kind) == [.handshakeFailed])
            #expect(!pair.client.isActive)
        }

        @Test("closing during the handshake closes at once and fails the queued writes")
        func closeDuringHandshake() throws {
            let pair = try BackToBackChannels(clientContext: try TestContexts.client(), serverContext: try TestContexts.server())
            defer { try? pair.tearDown() }
            try pair.activate()
            let queued = pair.client.eventLoop.makePromise(of: Void.self)
            pair.client.writeAndFlush(ByteBuffer("never sent"), promise: queued)
            try pair.client.close().wait()
            #expect(throws: ChannelError.ioOnClosedChannel) { try queued.futureResult.wait() }
            #expect(pair.clientRecorder.errors.isEmpty)
        }
    }
}

/// Holds every write below the TLS handler, never completing it, until
/// ``release()``: a peer that stopped reading.
final class WriteStaller: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    private var held: [EventLoopPromise<Void>] = []

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        held.append(promise ?? context.eventLoop.makePromise())
    }

    func flush(context: ChannelHandlerContext) {}

    func release() {
        for promise in held { promise.fail(ChannelError.ioOnClosedChannel) }
        held = []
    }
}
