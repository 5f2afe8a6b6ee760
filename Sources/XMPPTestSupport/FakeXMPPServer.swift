public import NIOCore
public import NIOPosix
internal import Synchronization

/// A scripted XMPP server on 127.0.0.1, for tests that drive the real
/// client through exact server behaviour: stream management answers with
/// chosen counters, wrong resumption ids, stream errors, malformed input,
/// cuts at any protocol step.
///
/// The server does nothing on its own: each accepted connection is handed
/// to the test (``nextConnection(timeout:)``), whose script reads what the
/// client sends (parsed with XMPPCore's ``XMLStreamReader``) and writes raw
/// XML strings, so every byte is under the test's control. Helpers run
/// the usual steps: STARTTLS with the test certificate for the domain,
/// SASL PLAIN checked against the configured password, resource binding.
///
/// ```swift
/// let server = try await FakeXMPPServer.start(certificates: try TestCertificates.load())
/// // … connect the client to 127.0.0.1:server.port (STARTTLS, alice@xmpp.test) …
/// let connection = try await server.nextConnection(timeout: .seconds(5))
/// try await connection.negotiateUntilAuthenticated(streamFeatures: FakeXMPPServer.Features.bindAndStreamManagement)
/// try await connection.answerBind(try await connection.read(timeout: .seconds(5)), resource: "r1")
/// try await connection.send("<enabled xmlns='urn:xmpp:sm:3' id='sm-1' resume='true'/>")
/// try await connection.reset()
/// await server.close()
/// ```
///
/// Every wait takes a deadline and fails with ``FakeXMPPServerError`` (with
/// the transcript) instead of hanging; a connection that ends fails the
/// script's wait at once.
public final class FakeXMPPServer: Sendable {
    /// The port the server listens on, on 127.0.0.1.
    public let port: Int
    /// What the server knows about itself and its one account.
    public let settings: Settings
    private let listener: any Channel
    private let registry: FakeXMPPServerRegistry

    /// The XMPP domain (the certificate must be valid for it).
    public var domain: String { settings.domain }

    /// The server's identity and its one account.
    public struct Settings: Sendable {
        /// The XMPP domain.
        public let domain: String
        /// The account's localpart, the SASL user name.
        public let username: String
        /// The account's password.
        public let password: String
        /// The TLS identity offered after `<proceed/>`.
        let tls: GnuTLSTestServerContext
    }

    private init(listener: any Channel, port: Int, settings: Settings, registry: FakeXMPPServerRegistry) {
        self.listener = listener
        self.port = port
        self.settings = settings
        self.registry = registry
    }

    /// Starts listening on 127.0.0.1 and a port the kernel picks.
    /// - Parameters:
    ///   - domain: The XMPP domain; the test leaf ``TestCertificates/Name/server`` is valid for `xmpp.test`.
    ///   - certificates: The test PKI; the server presents its `.server` leaf.
    ///   - username: The account's localpart.
    ///   - password: The account's password, which SASL PLAIN must carry.
    ///   - group: Where the server runs (one of its loops).
    public static func start(
        domain: String = "xmpp.test",
        certificates: TestCertificates,
        username: String = "alice",
        password: String = "fake-password",
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> FakeXMPPServer {
        let identity = certificates.identity(.server)
        let tls = try GnuTLSTestServerContext(
            certificatePEM: identity.certificatePEM, privateKeyPEM: identity.privateKeyPEM,
            shutdownTimeout: .seconds(2))
        let settings = Settings(domain: domain, username: username, password: password, tls: tls)
        let loop = group.next()
        let registry = FakeXMPPServerRegistry(eventLoop: loop)
        let listener = try await ServerBootstrap(group: loop, childGroup: loop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    let state = FakeXMPPServerConnectionState(eventLoop: child.eventLoop)
                    try child.pipeline.syncOperations.addHandler(FakeServerSocketHandler())
                    try child.pipeline.syncOperations.addHandler(FakeServerStreamHandler(state: state))
                    registry.accept { index in
                        Connection(index: index, channel: child, state: state, settings: settings)
                    }
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = listener.localAddress?.port else {
            try? await listener.close()
            throw ChannelError.unknownLocalAddress
        }
        return FakeXMPPServer(listener: listener, port: port, settings: settings, registry: registry)
    }

    /// The next connection accepted that the script has not taken yet.
    /// - Throws: ``FakeXMPPServerError`` of kind `timeout` after `timeout`,
    ///   `serverClosed` once ``close()`` ran.
    public func nextConnection(timeout: Duration = .seconds(5)) async throws(FakeXMPPServerError) -> Connection {
        try await registry.incoming.next(timeout: timeout, what: "connection to the fake server")
    }

    /// How many connections were accepted.
    public var acceptedCount: Int { registry.connections.count }

    /// Every accepted connection, in accept order.
    public var connections: [Connection] { registry.connections }

    /// Stops listening and closes every connection at once (no stream close,
    /// no `close_notify`).
    public func close() async {
        try? await listener.close()
        registry.incoming.finish(FakeXMPPServerError(.serverClosed, "the fake server was closed"))
        for connection in registry.connections {
            try? await connection.closeTCP(backstop: .zero)
        }
    }
}

/// The accepted connections: all of them, and those the script has not
/// taken yet.
final class FakeXMPPServerRegistry: Sendable {
    let incoming: FakeXMPPServerMailbox<FakeXMPPServer.Connection>
    private let all = Mutex<[FakeXMPPServer.Connection]>([])

    init(eventLoop: any EventLoop) {
        incoming = FakeXMPPServerMailbox(eventLoop: eventLoop)
    }

    /// Numbers a new connection (from 0, in accept order) and queues it.
    func accept(_ make: (Int) -> FakeXMPPServer.Connection) {
        let connection = all.withLock { all in
            let connection = make(all.count)
            all.append(connection)
            return connection
        }
        incoming.push(connection)
    }

    var connections: [FakeXMPPServer.Connection] { all.withLock { $0 } }
}

extension FakeXMPPServer {
    /// Waits for `future`, failing with a `timeout` error after `timeout`.
    static func bounded<Value: Sendable>(
        _ future: EventLoopFuture<Value>, timeout: Duration, what: String
    ) async throws(FakeXMPPServerError) -> Value {
        let promise = future.eventLoop.makePromise(of: Value.self)
        future.cascade(to: promise)
        // Completing the promise twice is harmless: the second result is ignored.
        let timer = future.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            promise.fail(FakeXMPPServerError(.timeout, "\(what) took longer than \(timeout)"))
        }
        defer { timer.cancel() }
        do {
            return try await promise.futureResult.get()
        } catch let error as FakeXMPPServerError {
            throw error
        } catch {
            throw FakeXMPPServerError(.channelFailure, "\(what) failed: \(error)")
        }
    }
}
