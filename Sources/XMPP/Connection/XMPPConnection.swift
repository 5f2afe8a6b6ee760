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
    /// Inbound IQ requests that have a handler; answered by
    /// ``answerInboundRequests()``.
    nonisolated let inboundRequests: AsyncStream<InboundIQRequest>
    private nonisolated let executor: any SerialExecutor
    /// The session's logger; `package` so that the extension targets
    /// (chat, carbons) log with the connection's metadata.
    package nonisolated let logger: Logger
    /// The features of the established stream, for example whether the
    /// server offers roster versioning.
    nonisolated let streamFeatures: StreamFeatures
    /// Added to every available presence sent; see
    /// ``setAvailablePresenceExtension(_:forKey:)``.
    var availablePresenceExtensions: [String: XMLElement] = [:]

    /// The channel's event loop: the actor's code runs where the channel's does.
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    init(
        channel: any Channel,
        handler: NIOLoopBound<XMPPChannelHandler>,
        session: SessionStateMachine.EstablishedSession,
        inboundRequests: AsyncStream<InboundIQRequest>,
        logger: Logger
    ) {
        self.channel = channel
        self.handler = handler
        self.inboundRequests = inboundRequests
        // Kept, not recomputed: for event loops that are not executors
        // themselves NIO makes a new executor object each time, and an
        // unowned reference to a temporary one would dangle.
        self.executor = channel.eventLoop.executor
        self.boundJID = session.boundJID
        self.authenticationMechanism = session.authenticationMechanism
        self.isStreamManagementEnabled = session.streamManagementEnabled
        self.isResumed = session.resumed
        self.isResumable = session.resumable
        self.resumptionFailure = session.resumptionFailure?.error
        self.logger = logger
        self.streamFeatures = session.features
    }

    /// Sends a top-level element (a stanza, or another element) and returns
    /// once it was handed to the network.
    ///
    /// With XEP-0198 on (``isStreamManagementEnabled``) a stanza is also
    /// counted and acknowledged by the server in the background; one that
    /// is not acknowledged when the session ends is logged at `debug`. To
    /// wait for the acknowledgement, use ``sendAcknowledged(_:)-(XMLElement)``.
    /// While ``Configuration/streamManagement`` is on, leave the
    /// `urn:xmpp:sm:3` elements to the connection.
    /// - Throws: ``XMPPClientError``: ``XMPPClientError/Code/connectionClosed``
    ///   after the session ended, ``XMPPClientError/Code/unserializableElement``
    ///   when the element cannot be written as XML 1.0,
    ///   ``XMPPClientError/Code/unacknowledgedLimitReached`` when too many
    ///   stanzas wait for an acknowledgement (nothing is sent).
    public func send(_ element: XMLElement) async throws(XMPPClientError) {
        do {
            try await channel.writeAndFlush(XMPPChannelHandler.Request.send(element)).get()
        } catch let error as XMPPClientError {
            throw error
        } catch {
            throw .connectionClosed(error, detail: "the element could not be written")
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
