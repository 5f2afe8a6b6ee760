package import Logging
import NIOCore
public import XMPPCore
import XMPPTransport

/// One authenticated, bound XMPP session (RFC 6120) over one connection.
///
/// Use it inside ``withConnection(configuration:eventLoopGroup:logger:isolation:_:)``,
/// which connects, secures the connection with TLS, authenticates, binds a
/// resource and only then runs your code, and which closes the stream
/// cleanly when your code returns or throws:
///
/// ```swift
/// let configuration = XMPPConnection.Configuration(jid: try BareJID("alice@example.com"), password: "secret")
/// try await XMPPConnection.withConnection(configuration: configuration) { connection in
///     try await connection.send(Message(type: .chat, to: try JID("bob@example.com"), body: "Hi"))
///     for try await message in connection.messages() {
///         print(message.body ?? "")
///     }
/// }
/// ```
///
/// Inbound traffic arrives through subscriptions, each an `AsyncSequence`
/// that ends with the session: ``messages(from:)``, ``presences(from:)``
/// and ``elements(where:)``.
///
/// Typed IQ requests go out with ``request(_:to:timeout:)``; inbound IQ
/// requests are answered by handlers registered with
/// ``handleIQ(namespace:localName:_:)`` (or with `service-unavailable`).
///
/// ``send(_:)-(XMLElement)`` returns once a stanza is written;
/// ``sendAcknowledged(_:)-(XMLElement)`` returns once the server has
/// acknowledged it (XEP-0198, see ``isStreamManagementEnabled``).
///
/// The actor runs on its channel's event loop, so its methods reach the
/// network without a thread hop. Every failure is an ``XMPPClientError``.
public final actor XMPPConnection {
    /// The full JID the server bound for this session; its resource may be
    /// server-assigned.
    public nonisolated let boundJID: FullJID
    /// The SASL mechanism that authenticated the session, for example
    /// `SCRAM-SHA-1`.
    public nonisolated let authenticationMechanism: SASLMechanismName
    /// Whether XEP-0198 acknowledgements are on for this session: enabled
    /// in ``Configuration/streamManagement`` (the default), offered by the
    /// server, and accepted with `<enabled/>`. Settled before the session is
    /// handed out, and unchanged for its life. Only then does
    /// ``sendAcknowledged(_:)-(XMLElement)`` work.
    public nonisolated let isStreamManagementEnabled: Bool
    /// Whether this session resumed an earlier one (XEP-0198 `<resumed/>`)
    /// instead of starting anew; only an ``XMPPClient`` resumes.
    public nonisolated let isResumed: Bool
    /// Whether the server agreed to keep this session resumable should the
    /// connection drop; only an ``XMPPClient`` asks for that.
    public nonisolated let isResumable: Bool
    /// Why the earlier session was not resumed, when there was one to
    /// resume and this session started anew instead:
    /// ``XMPPClientError/Code/resumptionRefused`` or
    /// ``XMPPClientError/Code/featureNotSupported``.
    public nonisolated let resumptionFailure: XMPPClientError?

    nonisolated let channel: any Channel
    /// The session's handler, reachable from the actor's code (which runs
    /// on the same event loop) and, through `execute`, from elsewhere.
    nonisolated let handler: NIOLoopBound<XMPPChannelHandler>
    /// Inbound IQ requests that have a handler; each is answered by
    /// ``answer(_:)`` in a task of its own.
    nonisolated let inboundRequests: InboundIQRequests
    private nonisolated let executor: EventLoopExecutor
    /// The session's logger; `package` so that the extension targets
    /// (chat, carbons) log with the connection's metadata.
    package nonisolated let logger: Logger
    /// The features of the established stream, for example whether the
    /// server offers roster versioning.
    nonisolated let streamFeatures: StreamFeatures
    /// Added to every available presence sent; see
    /// ``setAvailablePresenceExtension(_:forKey:)``.
    var availablePresenceExtensions: [String: XMLElement] = [:]
    /// Sends since ``send(_:)-(XMLElement)`` last yielded.
    private var sendsWithoutYielding = 0

    /// The channel's event loop: the actor's code runs where the channel's does.
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    /// The session's event loop as a task executor.
    ///
    /// The connection lives on one event-loop thread. Code that talks to it
    /// in a tight loop (sending many stanzas, answering each inbound one)
    /// saves thread hops when it runs there too: isolate the loop to the
    /// connection (a function with an `isolated XMPPConnection` parameter),
    /// so that the loop, the connection's methods and its streams share one
    /// executor, and run it in a task that prefers this executor, so that
    /// the loop also resumes here when an element arrives:
    ///
    /// ```swift
    /// func answer(_ connection: isolated XMPPConnection) async throws {
    ///     for try await message in connection.messages() {
    ///         try await connection.send(reply(to: message))
    ///     }
    /// }
    /// try await withTaskExecutorPreference(connection.taskExecutor) {
    ///     try await answer(connection)
    /// }
    /// ```
    ///
    /// That code shares the thread with the connection's I/O: keep long
    /// computations and blocking calls out of it (run them in a task of
    /// their own), or the session stalls while they run.
    public nonisolated var taskExecutor: any TaskExecutor { executor }

    init(
        channel: any Channel,
        handler: NIOLoopBound<XMPPChannelHandler>,
        session: SessionStateMachine.EstablishedSession,
        inboundRequests: InboundIQRequests,
        logger: Logger
    ) {
        self.channel = channel
        self.handler = handler
        self.inboundRequests = inboundRequests
        // Kept for the actor's life: an unowned reference to a temporary
        // executor would dangle.
        self.executor = EventLoopExecutor(eventLoop: channel.eventLoop)
        self.boundJID = session.boundJID
        self.authenticationMechanism = session.authenticationMechanism
        self.isStreamManagementEnabled = session.streamManagementEnabled
        self.isResumed = session.resumed
        self.isResumable = session.resumable
        self.resumptionFailure = session.resumptionFailure?.error
        self.logger = logger
        self.streamFeatures = session.features
    }

    /// Sends a top-level element (a stanza, or another element).
    ///
    /// When it returns, the session has taken the element and written it
    /// to the connection. The first send after a read (or after a flush at
    /// the end of an event-loop turn) is flushed at once; sends after it are
    /// flushed together at the end of the loop's turn (one TLS record and
    /// one system call for a burst, not one each). Every 64th send in a row
    /// yields, so that a sender running on the connection's event loop (see
    /// ``taskExecutor``) lets reads and the flush happen.
    ///
    /// With XEP-0198 on (``isStreamManagementEnabled``) a stanza is also
    /// counted and acknowledged by the server in the background; one that
    /// is not acknowledged when the session ends is logged at `debug`. To
    /// wait for the acknowledgement, use ``sendAcknowledged(_:)-(XMLElement)``.
    /// While ``Configuration/StreamManagement/maximumUnacknowledged``
    /// stanzas wait for an acknowledgement, `send` asks the server for one
    /// and waits for its `<a/>` before writing (back-pressure: a sender
    /// cannot outrun the server without bound). While
    /// ``Configuration/streamManagement`` is on, leave the `urn:xmpp:sm:3`
    /// elements to the connection.
    /// - Throws: ``XMPPClientError``: ``XMPPClientError/Code/connectionClosed``
    ///   after the session ended, ``XMPPClientError/Code/unserializableElement``
    ///   when the element cannot be written as XML 1.0,
    ///   ``XMPPClientError/Code/unacknowledgedLimitReached`` when the task
    ///   was cancelled while waiting for room. Nothing is sent then.
    public func send(_ element: XMLElement) async throws(XMPPClientError) {
        try await send(.element(element))
    }

    /// Sends a stanza as ``send(_:)-(XMLElement)`` does.
    /// - Throws: As ``send(_:)-(XMLElement)``.
    func send(_ stanza: OutboundStanza) async throws(XMPPClientError) {
        // The actor runs on the channel's event loop: the handler is
        // reached directly, without a write through the pipeline.
        try await retryingWhenFull { () throws(XMPPClientError) in try handler.value.submitCoalesced(stanza) }
        sendsWithoutYielding += 1
        if sendsWithoutYielding >= 64 {
            sendsWithoutYielding = 0
            await Task.yield()
        }
    }

    /// Runs `attempt`; while it fails because XEP-0198's queue is full,
    /// waits for room and runs it again.
    /// - Throws: What `attempt` throws otherwise, or what ``waitForRoom(refusal:)`` throws.
    func retryingWhenFull<Result>(
        _ attempt: () throws(XMPPClientError) -> Result
    ) async throws(XMPPClientError) -> Result {
        while true {
            do throws(XMPPClientError) {
                return try attempt()
            } catch where error.code == .unacknowledgedLimitReached {
                try await waitForRoom(refusal: error)
            }
        }
    }

    /// Waits until XEP-0198's queue has room again.
    /// - Parameter refusal: Thrown when the task is cancelled meanwhile.
    /// - Throws: `refusal` on cancellation, or why the session ended.
    func waitForRoom(refusal: XMPPClientError) async throws(XMPPClientError) {
        let handler = self.handler
        let (id, room) = handler.value.startWaitingForRoom(on: channel.eventLoop)
        do {
            try await withTaskCancellationHandler {
                try await room.get()
            } onCancel: {
                handler.eventLoop.execute { handler.value.stopWaitingForRoom(id) }
            }
        } catch let error as XMPPClientError {
            throw error
        } catch {
            throw refusal
        }
    }

    /// Closes the stream cleanly: `</stream:stream>`, then the connection once
    /// the server answers or the close deadline passes.
    nonisolated func close() async {
        logger.debug("Closing XMPP session")
        channel.close(promise: nil)
        try? await channel.closeFuture.get()
    }

    /// Runs `body` once the connection has closed (at once if it already
    /// has): how features in other targets end their streams with the
    /// session.
    package nonisolated func whenClosed(_ body: @escaping @Sendable () -> Void) {
        channel.closeFuture.whenComplete { _ in body() }
    }
}
