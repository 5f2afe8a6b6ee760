public import NIOCore
public import NIOPosix
internal import Synchronization

/// A TCP forwarder on 127.0.0.1 that breaks connections on purpose, for
/// reliability tests: it sits between a client and a server (Prosody, or
/// ``FakeXMPPServer``) and forwards raw bytes, so TLS runs end to end
/// through it and the client still verifies the server's certificate.
///
/// ```swift
/// let proxy = try await ChaosProxy.start(targetPort: server.port)
/// proxy.setPlan { index in index == 0 ? .cut(after: 500, .serverToClient, mode: .reset) : .passThrough }
/// // … connect the client to 127.0.0.1:proxy.port …
/// try await proxy.waitForConnections(1, timeout: .seconds(5))
/// await proxy.cut(mode: .fin)
/// await proxy.close()
/// ```
///
/// Faults take effect at once: ``cut(mode:)``, ``blackhole(_:)`` and
/// ``resumeForwarding(_:)`` act on the live connections; ``setPlan(_:)``
/// and ``refuseNext(_:)`` on the connections accepted afterwards.
/// Everything runs on one event loop, so connections are numbered exactly
/// in accept order.
public final class ChaosProxy: Sendable {
    /// The port the proxy listens on, on 127.0.0.1.
    public let port: Int
    /// Where connections are forwarded.
    public let targetHost: String
    /// The target's port.
    public let targetPort: Int
    private let listener: any Channel
    private let registry: ChaosProxyRegistry

    private init(listener: any Channel, port: Int, targetHost: String, targetPort: Int, registry: ChaosProxyRegistry) {
        self.listener = listener
        self.port = port
        self.targetHost = targetHost
        self.targetPort = targetPort
        self.registry = registry
    }

    /// Starts listening on 127.0.0.1 and a port the kernel picks.
    /// - Parameters:
    ///   - targetHost: The server's address; loopback only.
    ///   - targetPort: The server's port.
    ///   - connectTimeout: How long a connection to the target may take
    ///     before the client is reset.
    ///   - group: Where the proxy runs (one of its loops).
    /// - Throws: ``ChaosProxy/ConfigurationError`` for a target that is not
    ///   a loopback address, or the bind error.
    public static func start(
        targetHost: String = "127.0.0.1",
        targetPort: Int,
        connectTimeout: Duration = .seconds(5),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> ChaosProxy {
        guard targetHost == "127.0.0.1" || targetHost == "::1" || targetHost == "localhost" else {
            throw ConfigurationError(description: "the chaos proxy forwards to loopback only, not \(targetHost)")
        }
        let registry = ChaosProxyRegistry()
        let loop = group.next()
        let listener = try await ServerBootstrap(group: loop, childGroup: loop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // Nothing is read from a client before its target is reached.
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try accept(
                        child, registry: registry, targetHost: targetHost, targetPort: targetPort,
                        connectTimeout: connectTimeout)
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = listener.localAddress?.port else {
            try? await listener.close()
            throw ChannelError.unknownLocalAddress
        }
        return ChaosProxy(
            listener: listener, port: port, targetHost: targetHost, targetPort: targetPort, registry: registry)
    }

    /// Sets up one accepted connection: refuse it, or connect to the target
    /// and relay. Runs on the proxy's loop.
    private static func accept(
        _ child: any Channel, registry: ChaosProxyRegistry, targetHost: String, targetPort: Int,
        connectTimeout: Duration
    ) throws {
        switch registry.admit() {
        case .refuse(let index):
            let state = ChaosConnectionState(plan: .passThrough, isLive: false)
            registry.append(Connection(index: index, wasRefused: true, state: state, relay: nil))
            try child.pipeline.syncOperations.addHandler(ChaosRefusingHandler())
        case .relay(let index, let plan):
            let state = ChaosConnectionState(plan: plan)
            let relay = ChaosRelay(client: child, state: state)
            try child.pipeline.syncOperations.addHandler(ChaosRelaySideHandler(relay: relay, side: .client))
            let boundRelay = NIOLoopBound(relay, eventLoop: child.eventLoop)
            registry.append(Connection(index: index, wasRefused: false, state: state, relay: boundRelay))
            ClientBootstrap(group: child.eventLoop)
                .connectTimeout(TimeAmount(connectTimeout))
                .channelInitializer { upstream in
                    upstream.eventLoop.makeCompletedFuture {
                        try upstream.pipeline.syncOperations.addHandler(
                            ChaosRelaySideHandler(relay: boundRelay.value, side: .server))
                    }
                }
                .connect(host: targetHost, port: targetPort)
                .whenComplete { result in
                    switch result {
                    case .success(let upstream): boundRelay.value.upstreamConnected(upstream)
                    case .failure: boundRelay.value.upstreamFailed()
                    }
                }
        }
    }

    /// A proxy that cannot be started as asked.
    public struct ConfigurationError: Error, CustomStringConvertible {
        /// What was wrong.
        public let description: String
    }

    // MARK: Faults

    /// Chooses the plan of every connection accepted from now on; `plan`
    /// gets the connection's index (in accept order, from 0).
    public func setPlan(_ plan: @escaping @Sendable (_ connectionIndex: Int) -> Plan) {
        registry.setPlan(plan)
    }

    /// Closes the next `count` accepted connections at once with a reset,
    /// without connecting to the target.
    public func refuseNext(_ count: Int) {
        registry.refuseNext(count)
    }

    /// Cuts every live connection now; returns once they are closed (or
    /// after 5 seconds).
    public func cut(mode: CutMode) async {
        let live = registry.connections.filter(\.isLive)
        for connection in live { await connection.startCut(mode: mode) }
        _ = await pollUntil(timeout: .seconds(5)) { live.allSatisfy { !$0.isLive } }
    }

    /// Stops forwarding `direction` on every live connection (bytes are
    /// read and discarded; sockets stay open).
    public func blackhole(_ direction: Direction) async {
        for connection in registry.connections where connection.isLive {
            await connection.blackhole(direction)
        }
    }

    /// Forwards `direction` again on every live connection.
    public func resumeForwarding(_ direction: Direction) async {
        for connection in registry.connections where connection.isLive {
            await connection.resumeForwarding(direction)
        }
    }

    // MARK: Observation

    /// How many connections were accepted, refused ones included.
    public var acceptedCount: Int { registry.connections.count }

    /// How many connections have a socket still open.
    public var liveCount: Int { registry.connections.filter(\.isLive).count }

    /// Every accepted connection, in accept order.
    public var connections: [Connection] { registry.connections }

    /// The connection accepted at position `index` (from 0), if any.
    public func connection(_ index: Int) -> Connection? {
        let all = registry.connections
        return all.indices.contains(index) ? all[index] : nil
    }

    /// Waits until at least `count` connections have been accepted.
    /// - Throws: ``ChaosProxy/TimeoutError`` after `timeout`.
    public func waitForConnections(_ count: Int, timeout: Duration) async throws(TimeoutError) {
        guard await pollUntil(timeout: timeout, { acceptedCount >= count }) else {
            throw TimeoutError(description: "\(acceptedCount) of \(count) connections accepted after \(timeout)")
        }
    }

    /// Waits until no connection is live.
    /// - Throws: ``ChaosProxy/TimeoutError`` after `timeout`.
    public func waitUntilIdle(timeout: Duration) async throws(TimeoutError) {
        guard await pollUntil(timeout: timeout, { liveCount == 0 }) else {
            throw TimeoutError(description: "\(liveCount) connections still live after \(timeout)")
        }
    }

    /// Stops listening and closes every connection (FIN); returns once all
    /// are closed, or after 5 seconds.
    public func close() async {
        try? await listener.close()
        await cut(mode: .fin)
    }
}

/// The proxy's shared bookkeeping: the plan, the refusals to come and
/// every connection, behind a lock (tests read it from any task).
final class ChaosProxyRegistry: Sendable {
    enum Admission {
        case refuse(index: Int)
        case relay(index: Int, plan: ChaosProxy.Plan)
    }

    private struct Value {
        var plan: @Sendable (Int) -> ChaosProxy.Plan = { _ in .passThrough }
        var refusals = 0
        var nextIndex = 0
        var connections: [ChaosProxy.Connection] = []
    }

    private let value = Mutex(Value())

    func setPlan(_ plan: @escaping @Sendable (Int) -> ChaosProxy.Plan) { value.withLock { $0.plan = plan } }

    func refuseNext(_ count: Int) { value.withLock { $0.refusals = max(0, count) } }

    /// Numbers the next connection and decides its fate.
    func admit() -> Admission {
        let (index, refuse, plan) = value.withLock { value in
            let index = value.nextIndex
            value.nextIndex += 1
            let refuse = value.refusals > 0
            if refuse { value.refusals -= 1 }
            return (index, refuse, value.plan)
        }
        // The plan runs outside the lock: it is test code and may read the proxy.
        return refuse ? .refuse(index: index) : .relay(index: index, plan: plan(index))
    }

    func append(_ connection: ChaosProxy.Connection) { value.withLock { $0.connections.append(connection) } }

    var connections: [ChaosProxy.Connection] { value.withLock { $0.connections } }
}
