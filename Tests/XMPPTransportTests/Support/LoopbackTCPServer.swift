import NIOCore
import NIOPosix

/// What a loopback TCP server does with an accepted connection.
enum AcceptBehaviour: Sendable {
    /// Keeps it open and never sends anything.
    case silent
    /// Closes it at once.
    case close
}

/// Runs `body` with a TCP server on 127.0.0.1 and an ephemeral port; the
/// server and its accepted connections are closed when the body returns.
func withLoopbackTCPServer<T: Sendable>(
    _ behaviour: AcceptBehaviour = .silent,
    _ body: (_ port: Int) async throws -> T
) async throws -> T {
    let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { child in
            if case .close = behaviour { child.close(promise: nil) }
            return child.eventLoop.makeSucceededVoidFuture()
        }
        .bind(host: "127.0.0.1", port: 0)
        .get()
    do {
        guard let port = server.localAddress?.port else { throw ResponderError.noAddress }
        let result = try await body(port)
        try await server.close()
        return result
    } catch {
        try? await server.close()
        throw error
    }
}

/// A UDP and TCP port on 127.0.0.1 that nothing listens on (it was bound a
/// moment ago and released), so connecting to it is refused at once.
func unusedLoopbackPort() async throws -> Int {
    let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(host: "127.0.0.1", port: 0)
        .get()
    let port = channel.localAddress?.port
    try await channel.close()
    guard let port else { throw ResponderError.noAddress }
    return port
}
