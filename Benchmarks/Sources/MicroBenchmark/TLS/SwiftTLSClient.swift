import CGnuTLSPeer
import NIOCore
import NIOEmbedded
import NIOGnuTLS

/// Counts the plaintext the TLS handler delivers, and drops it.
final class PlaintextSink: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    var bytes = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        bytes += unwrapInboundIn(data).readableBytes
    }
}

/// The library's client: `GnuTLSClientHandler` on an `EmbeddedChannel`,
/// against an in-memory GnuTLS server. Only the client's calls are timed
/// (handler creation and insertion, every writeInbound/readOutbound, the
/// close); the server's work and the copying of its output into a
/// ByteBuffer are not.
final class SwiftTLSClient {
    let server: OpaquePointer
    let channel = EmbeddedChannel()
    let handler: GnuTLSClientHandler
    let sink = PlaintextSink()
    /// Client-side seconds of the handshake, set-up and teardown included
    /// (teardown only once `close()` ran).
    private(set) var clientSeconds = 0.0

    /// Connects and completes a handshake with a fresh server.
    init(_ fixture: TLSFixture) {
        server = fixture.makeServer()
        // The channel is the transport, not TLS: made and connected before
        // the clock starts (the C client has no channel at all).
        do {
            try channel.connect(to: fixture.address).wait()
        } catch {
            fail("channel: \(error)")
        }
        let start = ContinuousClock.now
        do {
            // Active first, then the handler: the STARTTLS order XMPP uses,
            // in which adding the handler starts the handshake.
            handler = try GnuTLSClientHandler(context: fixture.context, serverName: TLSFixture.serverName)
            try channel.pipeline.syncOperations.addHandler(handler)
            try channel.pipeline.syncOperations.addHandler(sink)
        } catch {
            fail("client set-up: \(error)")
        }
        var toServer = drainOutbound()
        clientSeconds += seconds(since: start)
        var serverDone = false
        for _ in 0..<16 {
            Endpoint.feed(server, toServer)
            if !serverDone { serverDone = Endpoint.serverStep(server) }
            let fromServer = Endpoint.takeOutput(server)
            if serverDone, fromServer.isEmpty, handler.connectionInfo != nil { return }
            let buffer = channel.allocator.buffer(bytes: fromServer)
            let step = ContinuousClock.now
            deliver(buffer)
            toServer = drainOutbound()
            clientSeconds += seconds(since: step)
        }
        fail("the handshake did not finish in 16 flights")
    }

    /// Sends close_notify and frees the session (timed as client work).
    func close() {
        let start = ContinuousClock.now
        _ = try? channel.finish(acceptAlreadyClosed: true)
        clientSeconds += seconds(since: start)
        tlspeer_free(server)
    }

    /// One bulk pass: the server encrypts `payload` (not timed), the client
    /// decrypts it from the reads `TLSFixture.reads` cuts (timed).
    func receive(_ payload: [UInt8], recordSize: Int, oneRecordPerRead: Bool) -> Double {
        consume(prepare(payload, recordSize: recordSize, oneRecordPerRead: oneRecordPerRead), expecting: payload.count)
    }

    /// The server encrypts `payload`; returns the ciphertext as socket reads.
    func prepare(_ payload: [UInt8], recordSize: Int, oneRecordPerRead: Bool) -> [ByteBuffer] {
        let ciphertext = Endpoint.encrypt(server, payload, recordSize: recordSize)
        return TLSFixture.reads(of: ciphertext, oneRecordEach: oneRecordPerRead).map { range in
            channel.allocator.buffer(bytes: ciphertext[range])
        }
    }

    /// The client decrypts `reads`; returns the seconds it took.
    func consume(_ reads: [ByteBuffer], expecting plaintextBytes: Int) -> Double {
        sink.bytes = 0
        let start = ContinuousClock.now
        for read in reads { deliver(read) }
        let elapsed = seconds(since: start)
        guard sink.bytes == plaintextBytes else { fail("the handler delivered \(sink.bytes) of \(plaintextBytes) bytes") }
        return elapsed
    }

    /// A socket read: channelRead, then channelReadComplete.
    private func deliver(_ buffer: ByteBuffer) {
        do {
            try channel.writeInbound(buffer)
        } catch {
            fail("the TLS handler failed: \(error)")
        }
        channel.pipeline.fireChannelReadComplete()
    }

    /// Everything the client wrote, as one contiguous array for the server.
    private func drainOutbound() -> [UInt8] {
        var bytes: [UInt8] = []
        do {
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
                bytes += buffer.readableBytesView
            }
        } catch {
            fail("client output: \(error)")
        }
        return bytes
    }
}

extension Endpoint {
    static func feed(_ endpoint: OpaquePointer, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { feed(endpoint, $0) }
    }
}
