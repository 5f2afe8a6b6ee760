public import NIOCore
public import NIOGnuTLS

/// The loaded credentials and priorities of a test TLS server, shared by
/// all its connections (as ``GnuTLSContext`` is for clients).
public final class GnuTLSTestServerContext: Sendable {
    /// Whether the server asks the client for a certificate.
    public enum ClientCertificateRequest: Sendable {
        /// It does not ask.
        case none
        /// It asks; a client may send none.
        case request
        /// It asks, and fails the handshake without one.
        case require
    }

    let credentials: GnuTLSCredentials
    let priority: GnuTLSPriority
    /// The ALPN names the server accepts, most preferred first.
    public let applicationProtocols: [String]
    /// Whether the server asks for a client certificate.
    public let clientCertificateRequest: ClientCertificateRequest
    /// How long the server's close waits for its `close_notify` to be written.
    public let shutdownTimeout: TimeAmount
    /// The key for session tickets, when the server issues them.
    let sessionTicketKey: [UInt8]?

    /// Loads a server identity.
    /// - Parameters:
    ///   - certificatePEM: The certificate chain, leaf first.
    ///   - privateKeyPEM: The unencrypted key.
    ///   - priority: A full GnuTLS priority string, for example
    ///     `"NORMAL:-VERS-ALL:+VERS-TLS1.2"` to speak TLS 1.2 only, or
    ///     `"NORMAL:-VERS-ALL:+VERS-TLS1.2:%NO_SESSION_HASH"` for TLS 1.2
    ///     without the extended master secret.
    ///   - applicationProtocols: ALPN names to accept.
    ///   - clientCertificateRequest: Whether to ask for a client certificate.
    ///   - shutdownTimeout: The close deadline.
    ///   - sendsSessionTickets: Whether to send TLS 1.3 session tickets after
    ///     the handshake, as Prosody and most deployed servers do.
    public init(
        certificatePEM: String,
        privateKeyPEM: String,
        priority: String = "NORMAL",
        applicationProtocols: [String] = [],
        clientCertificateRequest: ClientCertificateRequest = .none,
        shutdownTimeout: TimeAmount = .seconds(5),
        sendsSessionTickets: Bool = false
    ) throws(GnuTLSError) {
        let credentials = try GnuTLSCredentials()
        try credentials.setKeyPair(certificatePEM: certificatePEM, privateKeyPEM: privateKeyPEM)
        self.credentials = credentials
        self.priority = try GnuTLSPriority(priority, appendingToDefault: false)
        self.applicationProtocols = applicationProtocols
        self.clientCertificateRequest = clientCertificateRequest
        self.shutdownTimeout = shutdownTimeout
        sessionTicketKey = sendsSessionTickets ? try GnuTLSSession.makeSessionTicketKey() : nil
    }

    /// Loads one of the test leaves as the server identity.
    public convenience init(
        identity: TestCertificates.Identity,
        priority: String = "NORMAL",
        applicationProtocols: [String] = [],
        clientCertificateRequest: ClientCertificateRequest = .none,
        sendsSessionTickets: Bool = false
    ) throws(GnuTLSError) {
        try self.init(
            certificatePEM: identity.certificatePEM, privateKeyPEM: identity.privateKeyPEM, priority: priority,
            applicationProtocols: applicationProtocols, clientCertificateRequest: clientCertificateRequest,
            sendsSessionTickets: sendsSessionTickets)
    }
}

/// The server end of TLS, for tests only: the same engine and handler logic
/// as ``GnuTLSClientHandler`` in the server role, so that in-memory tests
/// exercise GnuTLS on both ends.
///
/// It does not verify client certificates; it records them in
/// ``connectionInfo``.
public final class GnuTLSServerHandler: ChannelDuplexHandler {
    /// Ciphertext from the network.
    public typealias InboundIn = ByteBuffer
    /// Plaintext for the test.
    public typealias InboundOut = ByteBuffer
    /// Plaintext from the test.
    public typealias OutboundIn = ByteBuffer
    /// Ciphertext for the network.
    public typealias OutboundOut = ByteBuffer

    private let core: GnuTLSHandlerCore
    private var context: ChannelHandlerContext?

    /// Creates a handler for one accepted connection.
    public init(context: GnuTLSTestServerContext) throws(GnuTLSError) {
        let session = try GnuTLSSession(
            role: .server, credentials: context.credentials, priority: context.priority,
            allocator: ByteBufferAllocator())
        try session.setApplicationProtocols(context.applicationProtocols)
        if let key = context.sessionTicketKey { try session.enableSessionTickets(key: key) }
        switch context.clientCertificateRequest {
        case .none: break
        case .request: session.requestClientCertificate(required: false)
        case .require: session.requestClientCertificate(required: true)
        }
        core = GnuTLSHandlerCore(session: session, shutdownTimeout: context.shutdownTimeout)
    }

    /// What the handshake negotiated, once it has completed.
    public var connectionInfo: GnuTLSConnectionInfo? { core.connectionInfo }

    /// Sends a TLS 1.2 HelloRequest to the client (a renegotiation request).
    /// Call on the event loop, after the handshake.
    public func requestRenegotiation() {
        guard let context else { return }
        core.perform(context: context) { $0.requestRenegotiation() }
    }

    /// Keeps the context for ``requestRenegotiation()``; starts the handshake
    /// if the channel is active.
    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        core.handlerAdded(context: context)
    }

    /// Frees the session.
    public func handlerRemoved(context: ChannelHandlerContext) {
        core.handlerRemoved(context: context)
        self.context = nil
    }

    /// Waits for the ClientHello.
    public func channelActive(context: ChannelHandlerContext) {
        core.channelActive(context: context)
    }

    /// Reports EOFs as the client handler does.
    public func channelInactive(context: ChannelHandlerContext) {
        core.channelInactive(context: context)
    }

    /// Decrypts ciphertext.
    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        core.channelRead(context: context, data: unwrapInboundIn(data))
    }

    /// Passes the event on when plaintext was delivered.
    public func channelReadComplete(context: ChannelHandlerContext) {
        core.channelReadComplete(context: context)
    }

    /// Handles input half-closure.
    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        core.userInboundEventTriggered(context: context, event: event)
    }

    /// Encrypts, or queues until the handshake ends.
    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        core.write(context: context, data: unwrapOutboundIn(data), promise: promise)
    }

    /// Flushes, or queues the flush.
    public func flush(context: ChannelHandlerContext) {
        core.flush(context: context)
    }

    /// Passes the read on.
    public func read(context: ChannelHandlerContext) {
        core.read(context: context)
    }

    /// Sends `close_notify`, then closes.
    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        core.close(context: context, mode: mode, promise: promise)
    }
}

@available(*, unavailable)
extension GnuTLSServerHandler: Sendable {}
