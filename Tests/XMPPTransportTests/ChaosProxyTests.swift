import Glibc
import NIOCore
import NIOPosix
import Synchronization
import Testing
import XMPPTestSupport

/// The chaos proxy between a probe client and an echo server, all on
/// loopback. Every wait is bounded, so a broken proxy fails a test instead
/// of hanging it.
@Suite("ChaosProxy", .timeLimit(.minutes(1)))
struct ChaosProxyTests {
    /// `count` bytes that are not all alike, so reordering would show.
    static func payload(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 256) }
    }

    @Test("Bytes pass intact both ways and are counted per direction")
    func passThrough() async throws {
        try await withProxy { proxy, echo in
            let client = try await ProbeClient.connect(port: proxy.port)
            let data = Self.payload(200_000)
            try await client.send(data)
            try await client.waitForBytes(data.count)
            #expect(client.received == data)
            let connection = try #require(proxy.connection(0))
            #expect(connection.bytesForwarded(.clientToServer) == data.count)
            #expect(connection.bytesForwarded(.serverToClient) == data.count)
            #expect(connection.counters(.clientToServer).bytesReceived == data.count)
            #expect(proxy.acceptedCount == 1 && proxy.liveCount == 1)
            #expect(echo.acceptedCount == 1)
            await client.close()
            try await proxy.waitUntilIdle(timeout: .seconds(5))
        }
    }

    @Test("Cut after N bytes towards the client delivers exactly N, then ends", arguments: [ChaosProxy.CutMode.fin, .reset])
    func cutTowardsClient(mode: ChaosProxy.CutMode) async throws {
        try await withProxy { proxy, _ in
            proxy.setPlan { _ in .cut(after: 100, .serverToClient, mode: mode) }
            let client = try await ProbeClient.connect(port: proxy.port)
            try await client.send(Self.payload(1_000))
            let end = try await client.waitForEnd()
            #expect(client.received == Array(Self.payload(1_000).prefix(100)))
            switch mode {
            case .fin: #expect(end == .eof)
            case .reset: #expect(end == .reset)
            }
            let connection = try #require(proxy.connection(0))
            try await connection.waitUntilClosed(timeout: .seconds(5))
            #expect(connection.bytesForwarded(.serverToClient) == 100)
        }
    }

    @Test("Cut after N bytes towards the server delivers exactly N to it")
    func cutTowardsServer() async throws {
        try await withProxy { proxy, echo in
            proxy.setPlan { _ in .cut(after: 64, .clientToServer, mode: .fin) }
            let client = try await ProbeClient.connect(port: proxy.port)
            try await client.send(Self.payload(500))
            _ = try await client.waitForEnd()
            try await echo.waitForReceived(64)
            try await Task.sleep(for: .milliseconds(100))
            #expect(echo.receivedByteCount == 64, "not one byte more")
        }
    }

    @Test("cut(mode:) ends every live connection: reset as an error, FIN as EOF", arguments: [ChaosProxy.CutMode.fin, .reset])
    func cutLive(mode: ChaosProxy.CutMode) async throws {
        try await withProxy { proxy, _ in
            let first = try await ProbeClient.connect(port: proxy.port)
            let second = try await ProbeClient.connect(port: proxy.port)
            try await proxy.waitForConnections(2, timeout: .seconds(5))
            try await first.send([1, 2, 3])
            try await first.waitForBytes(3)
            await proxy.cut(mode: mode)
            for client in [first, second] {
                let end = try await client.waitForEnd()
                #expect(end == (mode == .fin ? .eof : .reset))
            }
            #expect(proxy.liveCount == 0)
        }
    }

    @Test("A blackholed direction forwards nothing, keeps the socket open, and can resume")
    func blackholeAndResume() async throws {
        try await withProxy { proxy, echo in
            let client = try await ProbeClient.connect(port: proxy.port)
            try await client.send([1, 2, 3])
            try await client.waitForBytes(3)
            await proxy.blackhole(.serverToClient)
            try await client.send([4, 5, 6])
            try await echo.waitForReceived(6)
            try await Task.sleep(for: .milliseconds(200))
            #expect(client.received.count == 3, "the echo was discarded")
            #expect(client.end == nil && proxy.liveCount == 1, "the sockets stay open")
            #expect(try #require(proxy.connection(0)).counters(.serverToClient).bytesDiscarded == 3)
            await proxy.resumeForwarding(.serverToClient)
            try await client.send([7, 8])
            try await client.waitForBytes(5)
            #expect(client.received == [1, 2, 3, 7, 8])
        }
    }

    @Test("A plan can blackhole a direction from byte N on")
    func plannedBlackhole() async throws {
        try await withProxy { proxy, echo in
            proxy.setPlan { _ in .blackhole(.clientToServer, from: 10) }
            let client = try await ProbeClient.connect(port: proxy.port)
            try await client.send(Self.payload(50))
            try await client.waitForBytes(10)
            try await Task.sleep(for: .milliseconds(200))
            #expect(echo.receivedByteCount == 10 && client.received == Array(Self.payload(10)))
            #expect(client.end == nil)
        }
    }

    @Test("Fragmentation delivers every byte in order, in writes of at most K bytes")
    func fragmentation() async throws {
        try await withProxy { proxy, _ in
            proxy.setPlan { _ in .fragment(.serverToClient, maximumWriteSize: 7, delay: .milliseconds(10)) }
            let client = try await ProbeClient.connect(port: proxy.port)
            let data = Self.payload(100)
            try await client.send(data)
            try await client.waitForBytes(data.count)
            #expect(client.received == data)
            let counters = try #require(proxy.connection(0)).counters(.serverToClient)
            #expect(counters.writeCount == 15 && counters.largestWrite == 7)
            // The client reads as the pieces arrive; a very late reader could
            // merge two, so only "several reads" is certain.
            #expect(client.readCount > 1)
        }
    }

    @Test("refuseNext refuses exactly that many connections, then forwards again")
    func refuseNext() async throws {
        try await withProxy { proxy, echo in
            proxy.refuseNext(2)
            for _ in 0..<2 {
                #expect(try await ProbeClient.endOfConnection(port: proxy.port) == .reset)
            }
            let client = try await ProbeClient.connect(port: proxy.port)
            try await client.send([9])
            try await client.waitForBytes(1)
            #expect(proxy.connections.map(\.wasRefused) == [true, true, false])
            #expect(echo.acceptedCount == 1)
        }
    }

    @Test("An unreachable target resets the client")
    func unreachableTarget() async throws {
        let port = try await unusedLoopbackPort()
        let proxy = try await ChaosProxy.start(targetPort: port)
        #expect(try await ProbeClient.endOfConnection(port: proxy.port) == .reset)
        await proxy.close()
    }

    @Test("close() ends every connection and stops listening")
    func closeEndsEverything() async throws {
        try await withProxy { proxy, _ in
            let client = try await ProbeClient.connect(port: proxy.port)
            try await proxy.waitForConnections(1, timeout: .seconds(5))
            await proxy.close()
            #expect(try await client.waitForEnd() == .eof)
            #expect(proxy.liveCount == 0)
            await #expect(throws: (any Error).self) {
                let late = try await ProbeClient.connect(port: proxy.port)
                await late.close()
            }
        }
    }

    /// Runs `body` with an echo server and a proxy in front of it; closes both.
    func withProxy(_ body: (ChaosProxy, EchoTarget) async throws -> Void) async throws {
        let echo = try await EchoTarget.start()
        let proxy = try await ChaosProxy.start(targetPort: echo.port)
        do {
            try await body(proxy, echo)
        } catch {
            await proxy.close()
            await echo.close()
            throw error
        }
        await proxy.close()
        await echo.close()
    }
}

/// Polls `condition` every 5 ms for at most `timeout`.
private func eventually(
    _ what: @autoclosure () -> String, timeout: Duration = .seconds(5), _ condition: () -> Bool
) async throws {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while !condition() {
        guard ContinuousClock.now < deadline else { throw ProbeError(description: "timed out waiting for \(what())") }
        try await Task.sleep(for: .milliseconds(5))
    }
}

struct ProbeError: Error, CustomStringConvertible {
    var description: String
}

/// A TCP echo server on loopback that counts what it receives.
final class EchoTarget: Sendable {
    let port: Int
    private let channel: any Channel
    private let stats: Stats

    private init(channel: any Channel, port: Int, stats: Stats) {
        self.channel = channel
        self.port = port
        self.stats = stats
    }

    static func start() async throws -> EchoTarget {
        let stats = Stats()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                stats.counts.withLock { $0.accepted += 1 }
                return child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(Echo(stats: stats))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = channel.localAddress?.port else { throw ProbeError(description: "no port") }
        return EchoTarget(channel: channel, port: port, stats: stats)
    }

    var acceptedCount: Int { stats.counts.withLock { $0.accepted } }
    var receivedByteCount: Int { stats.counts.withLock { $0.received } }

    func waitForReceived(_ count: Int) async throws {
        try await eventually("\(count) bytes at the echo server") { receivedByteCount >= count }
    }

    func close() async { try? await channel.close() }

    private final class Stats: Sendable {
        let counts = Mutex((accepted: 0, received: 0))
    }

    private final class Echo: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let stats: Stats
        init(stats: Stats) { self.stats = stats }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let count = unwrapInboundIn(data).readableBytes
            stats.counts.withLock { $0.received += count }
            context.writeAndFlush(data, promise: nil)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    }
}

/// A TCP client that records what it reads and how its connection ended.
final class ProbeClient: Sendable {
    enum End: Equatable, Sendable {
        /// An orderly close (EOF).
        case eof
        /// An error, ECONNRESET or otherwise.
        case reset
    }

    private struct State {
        var received: [UInt8] = []
        var reads = 0
        var sawError = false
        var end: End?
    }

    private let channel: any Channel
    private let box: Box

    private init(channel: any Channel, box: Box) {
        self.channel = channel
        self.box = box
    }

    static func connect(port: Int) async throws -> ProbeClient {
        let box = Box()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Recorder(box: box))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        return ProbeClient(channel: channel, box: box)
    }

    /// Connects and waits for the connection to end; a reset that comes
    /// before the client's connect completes counts as a reset too.
    static func endOfConnection(port: Int) async throws -> End {
        let client: ProbeClient
        do {
            client = try await connect(port: port)
        } catch let error as NIOConnectionError
            where error.connectionErrors.contains(where: { ($0.error as? IOError)?.errnoCode == ECONNRESET })
        {
            return .reset
        } catch let error as IOError where error.errnoCode == ECONNRESET {
            return .reset
        }
        return try await client.waitForEnd()
    }

    var received: [UInt8] { box.state.withLock { $0.received } }
    var readCount: Int { box.state.withLock { $0.reads } }
    var end: End? { box.state.withLock { $0.end } }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    func waitForBytes(_ count: Int) async throws {
        try await eventually("\(count) bytes at the client (have \(received.count))") { received.count >= count }
    }

    /// Waits for the connection to end and says how.
    func waitForEnd() async throws -> End {
        try await eventually("the end of the connection") { end != nil }
        return end ?? .eof
    }

    func close() async { try? await channel.close() }

    /// Shared between the handler (on the loop) and the client.
    private final class Box: Sendable {
        let state = Mutex(State())
    }

    private final class Recorder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let box: Box
        init(box: Box) { self.box = box }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = Array(buffer: unwrapInboundIn(data))
            box.state.withLock {
                $0.received += bytes
                $0.reads += 1
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            box.state.withLock { $0.sawError = true }
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            box.state.withLock { $0.end = $0.sawError ? .reset : .eof }
        }
    }
}
