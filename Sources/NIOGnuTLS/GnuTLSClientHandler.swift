public import NIOCore

/// TLS for the client end of a channel, done by GnuTLS: ciphertext below,
/// plaintext above.
///
/// Add it where TLS begins. On a channel that is already active (STARTTLS,
/// after the server's `<proceed/>`) the handshake starts at once; on one
/// that is not yet (direct TLS, added by the bootstrap), it starts when the
/// channel becomes active. Data written before the handshake ends is held,
/// with its promises and flushes, and sent after it.
///
/// Events it fires: `TLSUserEvent.handshakeCompleted(negotiatedProtocol:)`
/// when the handshake succeeds (then ``connectionInfo`` is set), and
/// `TLSUserEvent.shutdownCompleted` when the server sends `close_notify`.
/// Failures reach `errorCaught` as a ``GnuTLSError`` and close the channel:
/// a refused certificate, an EOF during the handshake
/// (``GnuTLSError/Kind/handshakeEOF``), an EOF afterwards without
/// `close_notify` (``GnuTLSError/Kind/uncleanShutdown``), a renegotiation
/// request, a bad record. Closing the channel sends `close_notify` first.
///
/// One handler serves one connection and must stay on its channel's event
/// loop. Every GnuTLS resource it holds is freed when the channel closes or
/// the handler is removed.
public final class GnuTLSClientHandler: ChannelDuplexHandler {
    /// Ciphertext from the network.
    public typealias InboundIn = ByteBuffer
    /// Plaintext for the application.
    public typealias InboundOut = ByteBuffer
    /// Plaintext from the application.
    public typealias OutboundIn = ByteBuffer
    /// Ciphertext for the network.
    public typealias OutboundOut = ByteBuffer

    private let core: GnuTLSHandlerCore

    /// Creates a handler for one connection.
    /// - Parameters:
    ///   - context: The shared, compiled configuration.
    ///   - serverName: The name sent as SNI; for XMPP, the JID's domain. An
    ///     IP address is not sent (SNI cannot carry one).
    ///   - verificationName: The identity the server's certificate must have
    ///     (`nil`: `serverName`). Keep it the name the user asked for, never
    ///     a name learned from DNS (an SRV target), or a DNS spoof wins.
    /// - Throws: ``GnuTLSError/Kind/invalidConfiguration`` for an empty name;
    ///   ``GnuTLSError/Kind/sessionSetupFailed`` if GnuTLS cannot make a session.
    public init(context: GnuTLSContext, serverName: String, verificationName: String? = nil) throws(GnuTLSError) {
        let session = try GnuTLSSession.client(
            context: context, serverName: serverName, verificationName: verificationName ?? serverName,
            allocator: ByteBufferAllocator())
        core = GnuTLSHandlerCore(session: session, shutdownTimeout: context.configuration.shutdownTimeout)
    }

    /// What the handshake negotiated: `nil` until it completes, then kept
    /// even after the connection closes.
    public var connectionInfo: GnuTLSConnectionInfo? { core.connectionInfo }

    /// The GnuTLS session, for tests that check it is freed with the handler.
    package var session: GnuTLSSession { core.session }

    /// Starts the handshake if the channel is already active (STARTTLS).
    public func handlerAdded(context: ChannelHandlerContext) {
        core.handlerAdded(context: context)
    }

    /// Frees the GnuTLS session and fails writes still waiting for the handshake.
    public func handlerRemoved(context: ChannelHandlerContext) {
        core.handlerRemoved(context: context)
    }

    /// Starts the handshake (direct TLS), then passes the event on.
    public func channelActive(context: ChannelHandlerContext) {
        core.channelActive(context: context)
    }

    /// Reports an EOF during the handshake or without `close_notify`, frees
    /// the session, then passes the event on.
    public func channelInactive(context: ChannelHandlerContext) {
        core.channelInactive(context: context)
    }

    /// Decrypts ciphertext, advancing the handshake or delivering plaintext.
    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        core.channelRead(context: context, data: unwrapInboundIn(data))
    }

    /// Passes the event on only if plaintext was delivered since the last one.
    public func channelReadComplete(context: ChannelHandlerContext) {
        core.channelReadComplete(context: context)
    }

    /// Treats a half-closure of the input like an EOF, then passes the event on.
    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        core.userInboundEventTriggered(context: context, event: event)
    }

    /// Encrypts plaintext, or holds it until the handshake ends.
    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        core.write(context: context, data: unwrapOutboundIn(data), promise: promise)
    }

    /// Flushes, or remembers the flush until the handshake ends.
    public func flush(context: ChannelHandlerContext) {
        core.flush(context: context)
    }

    /// Passes the read on, remembering that plaintext is wanted.
    public func read(context: ChannelHandlerContext) {
        core.read(context: context)
    }

    /// Sends `close_notify`, then closes (see ``GnuTLSConfiguration/shutdownTimeout``).
    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        core.close(context: context, mode: mode, promise: promise)
    }
}

@available(*, unavailable)
extension GnuTLSClientHandler: Sendable {}

extension ChannelPipeline.SynchronousOperations {
    /// What the TLS handshake on this pipeline negotiated: `nil` before it
    /// completes. Call on the channel's event loop.
    /// - Throws: `ChannelPipelineError.notFound` if the pipeline has no
    ///   ``GnuTLSClientHandler``.
    public func gnuTLSConnectionInfo() throws -> GnuTLSConnectionInfo? {
        try handler(type: GnuTLSClientHandler.self).connectionInfo
    }
}
