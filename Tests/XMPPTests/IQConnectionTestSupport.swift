import Logging
import NIOCore
import NIOEmbedded
import XMPPCore

@testable import XMPP

/// A whole `XMPPConnection` on a `NIOAsyncTestingChannel`, with the server
/// played by the test: the real handler, machine, actor and request
/// dispatch; virtual time for deadlines.
///
/// The session is negotiated (PLAIN over direct TLS, bound as
/// alice@example.com/r1) before ``connection`` is handed out. Run a body
/// with ``run(_:)`` while the test reads what the client writes
/// (``nextWrite()``) and answers (``serverSends(_:)``); finish with
/// ``serverCloses()``.
final class ConnectionHarness: Sendable {
    let channel: NIOAsyncTestingChannel
    let connection: XMPPConnection
    let logs: RecordedLogs
    let written = OutboundPieces()

    private init(channel: NIOAsyncTestingChannel, connection: XMPPConnection, logs: RecordedLogs) {
        self.channel = channel
        self.connection = connection
        self.logs = logs
    }

    struct ScriptError: Error, CustomStringConvertible {
        var description: String
    }

    /// - Parameters:
    ///   - features: The features after authentication.
    ///   - configuration: The machine's configuration.
    ///   - streamManagementAnswer: When set, the client must write
    ///     `<enable/>` after binding, and the server answers with this.
    static func established(
        features: String = ScriptedServer.bindFeatures,
        configuration: SessionStateMachine.Configuration = SessionTest.configuration(),
        streamManagementAnswer: String? = nil
    ) async throws -> ConnectionHarness {
        let channel = NIOAsyncTestingChannel()
        let logs = RecordedLogs()
        var logger = Logger(label: "test", factory: { _ in RecordingLogHandler(logs: logs) })
        logger.logLevel = .trace
        let requests = InboundIQRequests()
        let negotiation = channel.eventLoop.makePromise(of: XMPPChannelHandler.NegotiationOutcome.self)
        let handlerLogger = logger
        let handler = try await channel.eventLoop.submit {
            let handler = XMPPChannelHandler(
                machine: SessionStateMachine(configuration: configuration),
                transport: .tls(SessionTest.encrypted),
                limits: XMLStreamReader.Limits(),
                makeTLSHandler: { throw SessionHandlerHarness.NoTLS() },
                negotiation: negotiation,
                holdLimit: 256,
                requests: requests,
                logger: handlerLogger)
            try channel.pipeline.syncOperations.addHandler(handler)
            return NIOLoopBound(handler, eventLoop: channel.eventLoop)
        }.get()
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 5222)).get()

        typealias S = ScriptedServer
        let establishing = OutboundPieces()
        let harnessChannel = channel
        func send(_ text: String) async throws { try await harnessChannel.writeInbound(ByteBuffer(string: text)) }
        func expectWrite(_ prefix: String) async throws {
            let text = try await establishing.next(from: harnessChannel)
            guard text.hasPrefix(prefix) else { throw ScriptError(description: "expected \(prefix)…, got \(text)") }
        }
        try await expectWrite("<?xml")
        try await send(S.header + S.plainFeatures)
        try await expectWrite("<auth")
        try await send(S.success)
        try await expectWrite("<?xml")
        try await send(S.header + features)
        try await expectWrite("<iq id='bind-1'")
        try await send(S.bindResult)
        if let streamManagementAnswer {
            try await expectWrite("<enable xmlns='urn:xmpp:sm:3'")
            try await send(streamManagementAnswer)
        }
        guard case .established(let session) = try await negotiation.futureResult.get() else {
            throw ScriptError(description: "not established")
        }
        let connection = XMPPConnection(
            channel: channel, handler: handler, session: session,
            inboundRequests: requests, logger: logger)
        return ConnectionHarness(channel: channel, connection: connection, logs: logs)
    }

    /// Runs `body` the way `withConnection` does (request dispatch, close at
    /// the end) in a new task.
    func run<Result: Sendable>(
        _ body: @escaping @Sendable (XMPPConnection) async throws -> Result
    ) -> Task<Result, any Error> {
        let connection = self.connection
        return Task { try await XMPPConnection.run(connection, isolation: nil, body) }
    }

    /// The next element (or stream header, or stream end) the client
    /// writes, as text.
    func nextWrite() async throws -> String {
        try await written.next(from: channel)
    }

    /// The server sends `text`; then the loop runs what that enqueued.
    ///
    /// On a `NIOAsyncTestingEventLoop`, work the loop enqueues for itself
    /// (a resumed continuation of the connection actor, whose executor is
    /// the loop; the channel's close promise) waits until the loop runs
    /// again, so the harness runs it after every input.
    func serverSends(_ text: String) async throws {
        try await channel.writeInbound(ByteBuffer(string: text))
        await channel.testingEventLoop.run()
    }

    /// Expects the client's `</stream:stream>` and answers in kind.
    func serverCloses() async throws {
        let written = try await nextWrite()
        guard written == "</stream:stream>" else { throw ScriptError(description: "expected the close, got \(written)") }
        try await serverSends(ScriptedServer.end)
    }

    /// Reads the machine's pending requests on the event loop.
    var pendingRequestCount: Int {
        get async throws {
            let handler = connection.handler
            return try await channel.eventLoop.submit { handler.value.machine.requests.entries.count }.get()
        }
    }
}

/// XEP-0092 software version: a typed request for the tests.
struct SoftwareVersion: IQRequest {
    struct Version: Sendable, Equatable {
        var name: String
        var version: String
    }

    struct Missing: Error {}

    var type: IQRequestType { .get }
    var payload: XMLElement { XMLElement("query", namespace: "jabber:iq:version") }

    func response(from result: IQ) throws -> Version {
        guard let query = result.payload,
            let name = query.firstChild(named: "name", namespace: "jabber:iq:version")?.text,
            let version = query.firstChild(named: "version", namespace: "jabber:iq:version")?.text
        else { throw Missing() }
        return Version(name: name, version: version)
    }
}

/// Waits for one signal across tasks.
final class Signal: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (stream, continuation) = AsyncStream<Void>.makeStream()
    }

    func fire() { continuation.yield() }

    func wait() async {
        for await _ in stream { return }
    }
}
