public import Logging
public import NIOCore
public import NIOPosix
import XMPPCore

/// A long-lived XMPP client: it connects, keeps the session up across
/// dropped connections, and loses nothing on the way.
///
/// Call ``run()`` (in a task, or as a ServiceLifecycle `Service`); it
/// connects, and whenever the connection drops it reconnects with backoff
/// (``ReconnectPolicy``). With XEP-0198 (on by default, and offered by most
/// servers) the new connection **resumes** the session: stanzas the server
/// had not acknowledged are sent again, exactly once and in order, and the
/// server delivers what it held for us. When the server refuses to resume,
/// a new session starts, presence is sent again, the session-start
/// handlers run (``onSessionStart(_:)``), and every stanza that is not
/// known to have arrived is reported (``Event/notDelivered(_:_:)``, or the
/// caller's ``sendAcknowledged(_:)-(XMLElement)`` fails): nothing is lost
/// silently.
///
/// ```swift
/// let client = XMPPClient(configuration: XMPPClient.Configuration(
///     connection: XMPPConnection.Configuration(jid: try BareJID("bot@example.com"), password: "secret")))
/// try await withThrowingTaskGroup(of: Void.self) { group in
///     group.addTask { try await client.run() }
///     for try await message in client.messages() {
///         guard let from = message.from, let body = message.body else { continue }
///         try await client.send(Message(type: .chat, to: from, body: body))
///     }
/// }
/// ```
///
/// Sends made while no session is up are queued (bounded by
/// ``Configuration/maximumQueuedStanzas``) and go out, in order, once one
/// is. Subscriptions (``messages(from:)``, ``presences(from:)``,
/// ``elements(where:)``, ``events()``) span every session and end when
/// ``run()`` returns.
public final actor XMPPClient {
    /// What the client was created with.
    public nonisolated let configuration: Configuration
    /// The client's logger.
    nonisolated let logger: Logger
    nonisolated let eventLoopGroup: any EventLoopGroup
    nonisolated let inbound: ClientInbound
    nonisolated let eventSubscriptions = ClientEvents()
    /// The session state kept from one connection to the next.
    nonisolated let continuity: SessionContinuity
    /// The message answerers (``answerMessages(from:_:)``), which every
    /// connection runs; shared with ``continuity``.
    nonisolated let answerers = SharedMessageAnswerers()

    /// Where the client stands.
    public private(set) var state: State = .idle
    /// The session of the moment, once its queued stanzas went out.
    var liveConnection: XMPPConnection?
    /// Stanzas waiting for a session, in order.
    var queue: [QueuedStanza] = []
    /// Run at the start of every new (not resumed) session.
    var sessionStartHandlers: [@Sendable (XMPPConnection) async throws -> Void] = []
    /// Run first on every connection, resumed or not.
    var connectionHandlers: [@Sendable (XMPPConnection) async throws -> Void] = []
    /// What is left of the current session's start-up (initial presence,
    /// session-start handlers): set when a new session is established and
    /// cleared step by step. A connection lost while it ran leaves it set,
    /// and a resumption of that session must finish it, since neither the
    /// server nor the handlers ever completed it (found by H96: a RST
    /// during start-up gave a resumed session without presence and without
    /// its handlers having run).
    var pendingSessionStart: (presence: Bool, handlers: Bool) = (false, false)
    /// Whether ``stop()`` was called, or the client ended.
    var stopRequested = false
    /// The reconnection loop of ``run()``, to cancel on ``stop()``.
    var runLoop: Task<Void, any Error>?

    /// Creates a client; nothing happens until ``run()``.
    /// - Parameters:
    ///   - configuration: The account and the reconnection behaviour.
    ///   - eventLoopGroup: Where the connections' channels live.
    ///   - logger: Receives the connections' messages (see
    ///     ``XMPPConnection/withConnection(configuration:eventLoopGroup:logger:isolation:_:)``)
    ///     and the client's own at `debug` (attempts, delays, resumptions)
    ///     and `info` (a session lost or started anew).
    public init(
        configuration: Configuration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "xmpp.client", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.inbound = ClientInbound(holdLimit: configuration.connection.heldInboundElementLimit)
        let events = eventSubscriptions
        self.continuity = SessionContinuity(
            reportUnacknowledged: { elements, error in events.emit(.notDelivered(elements, error)) },
            answerers: answerers)
    }

    /// The events of the client from now on (state changes, sessions
    /// started, disconnections, stanzas not known to be delivered), until
    /// ``run()`` returns.
    public nonisolated func events() -> AsyncStream<Event> {
        eventSubscriptions.subscribe()
    }

    /// The session of the moment, for the APIs that work on one
    /// connection (roster, presence tracker, extensions); `nil` while
    /// reconnecting. A later session is a different connection: code that
    /// keeps state per connection should start again on
    /// ``Event/sessionStarted(boundJID:resumed:resumptionFailure:)``.
    public var connection: XMPPConnection? { liveConnection }

    /// Registers `body` to run at the start of every new session (not
    /// after a resumption, which keeps the server's state), after the
    /// initial presence and before queued stanzas go out: enable carbons,
    /// fetch the roster, join rooms. An error from it ends the session,
    /// which is then retried like a dropped connection.
    public func onSessionStart(_ body: @escaping @Sendable (XMPPConnection) async throws -> Void) {
        sessionStartHandlers.append(body)
    }

    /// Ends ``run()``: the session is closed cleanly, and ``run()``
    /// returns. What is still queued is reported as not delivered.
    public func stop() {
        stopRequested = true
        runLoop?.cancel()
    }

    /// Registers `body` to run first on every connection, resumed or not:
    /// register inbound IQ handlers here
    /// (``XMPPConnection/handleIQ(namespace:localName:_:)``), since each
    /// connection starts without any. An error from it ends the session,
    /// which is then retried like a dropped connection.
    public func onConnection(_ body: @escaping @Sendable (XMPPConnection) async throws -> Void) {
        connectionHandlers.append(body)
    }

    func setState(_ newState: State) {
        guard newState != state else { return }
        state = newState
        logger.debug("XMPP client state changed", metadata: ["xmpp.client_state": "\(newState)"])
        eventSubscriptions.emit(.stateChanged(newState))
    }
}
