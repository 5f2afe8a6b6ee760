public import NIOCore
internal import NIOPosix

/// A TLS echo server on 127.0.0.1 and a port the kernel picks, for tests
/// that need real TCP under the TLS handshake.
///
/// Each accepted connection runs a ``GnuTLSServerHandler`` and echoes the
/// plaintext it receives. Errors (a client refusing the certificate, say)
/// close that connection and nothing else.
public final class GnuTLSLoopbackServer: Sendable {
    private let channel: any Channel

    /// The port the server listens on.
    public let port: Int

    private init(channel: any Channel, port: Int) {
        self.channel = channel
        self.port = port
    }

    /// Starts listening.
    /// - Parameters:
    ///   - context: The server identity and options.
    ///   - group: The event loops to run on.
    public static func start(
        context: GnuTLSTestServerContext, group: any EventLoopGroup
    ) async throws -> GnuTLSLoopbackServer {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let tls = try GnuTLSServerHandler(context: context)
                    try channel.pipeline.syncOperations.addHandler(tls)
                    try channel.pipeline.syncOperations.addHandler(EchoHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = channel.localAddress?.port else {
            try? await channel.close()
            throw ChannelError.unknownLocalAddress
        }
        return GnuTLSLoopbackServer(channel: channel, port: port)
    }

    /// Stops listening; connections already accepted run on until they close.
    public func close() async throws {
        try await channel.close()
    }
}

/// Writes back what it reads; swallows errors, which close the connection.
private final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
