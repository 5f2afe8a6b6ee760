public import Logging
public import NIOCore
public import NIOPosix

/// Opens the TCP (and, for direct TLS, TLS) connection to an XMPP server,
/// trying the domain's endpoints in order until one works.
///
/// Each attempt has a connect deadline, which covers resolving the host's
/// addresses and NIO's Happy Eyeballs race between them; a direct-TLS
/// attempt then has a handshake deadline. A STARTTLS endpoint is returned as
/// soon as TCP is up: the upgrade is part of the XMPP stream negotiation.
/// When every endpoint fails, ``XMPPConnectionError`` says what was tried and
/// why each attempt failed.
public struct XMPPConnector: Sendable {
    /// Makes the TLS handler for a direct-TLS attempt. It runs on the
    /// channel's event loop. The handler must fire NIOTLS's
    /// `TLSUserEvent.handshakeCompleted` when done and must verify the
    /// certificate against the XMPP domain, never against
    /// ``XMPPEndpoint/host``, which came from DNS.
    public typealias TLSHandlerFactory = @Sendable (_ endpoint: XMPPEndpoint, _ channel: any Channel) throws -> any ChannelHandler

    /// The time limits of one attempt.
    public struct Timeouts: Hashable, Sendable {
        /// From the start of an attempt to an established TCP connection.
        public var connect: Duration
        /// From the established TCP connection to a finished TLS handshake
        /// (direct TLS only).
        public var tlsHandshake: Duration

        /// Creates time limits.
        /// - Parameters:
        ///   - connect: The TCP connect deadline.
        ///   - tlsHandshake: The TLS handshake deadline.
        public init(connect: Duration = .seconds(10), tlsHandshake: Duration = .seconds(10)) {
            self.connect = connect
            self.tlsHandshake = tlsHandshake
        }
    }

    /// A connection that is ready for the XMPP stream.
    public struct ConnectedChannel: Sendable {
        /// The channel; for a direct-TLS endpoint the TLS handler is in its
        /// pipeline and the handshake has finished.
        public var channel: any Channel
        /// The endpoint that worked.
        public var endpoint: XMPPEndpoint
        /// The endpoints that were tried before it, with their failures.
        public var failedAttempts: [XMPPConnectionError.Attempt]

        /// Creates a value; the connector makes these, tests of the layers
        /// above may too.
        /// - Parameters:
        ///   - channel: The connected channel.
        ///   - endpoint: The endpoint it is connected to.
        ///   - failedAttempts: The endpoints tried before it.
        public init(channel: any Channel, endpoint: XMPPEndpoint, failedAttempts: [XMPPConnectionError.Attempt] = []) {
            self.channel = channel
            self.endpoint = endpoint
            self.failedAttempts = failedAttempts
        }
    }

    private let eventLoopGroup: any EventLoopGroup
    private let endpointResolver: XMPPEndpointResolver
    private let timeouts: Timeouts
    private let tlsHandlerFactory: TLSHandlerFactory
    private let logger: Logger

    /// Creates a connector.
    /// - Parameters:
    ///   - eventLoopGroup: Where channels live; must be usable with
    ///     `ClientBootstrap`.
    ///   - endpointResolver: Finds the endpoints of a domain.
    ///   - timeouts: The time limits of each attempt.
    ///   - logger: Receives `debug` messages about attempts.
    ///   - tlsHandlerFactory: Makes the TLS handler for direct-TLS endpoints.
    public init(
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        endpointResolver: XMPPEndpointResolver = XMPPEndpointResolver(),
        timeouts: Timeouts = Timeouts(),
        logger: Logger = Logger(label: "xmpp.transport", factory: { _ in SwiftLogNoOpLogHandler() }),
        tlsHandlerFactory: @escaping TLSHandlerFactory
    ) {
        self.eventLoopGroup = eventLoopGroup
        self.endpointResolver = endpointResolver
        self.timeouts = timeouts
        self.logger = logger
        self.tlsHandlerFactory = tlsHandlerFactory
    }

    /// Finds the endpoints of `domain` and connects to the first that works.
    /// - Parameters:
    ///   - domain: The XMPP domain in ASCII (A-label) form.
    ///   - location: How to find the server.
    /// - Returns: The connection and the endpoint used.
    /// - Throws: ``XMPPConnectionError`` when no endpoint worked, or
    ///   `CancellationError`; a channel opened before cancellation is closed.
    public func connect(to domain: String, location: XMPPServerLocation = .discover) async throws -> ConnectedChannel {
        let plan = try await endpointResolver.plan(for: domain, location: location)
        return try await connect(following: plan)
    }

    /// Connects to the first endpoint of `plan` that works, in order.
    /// - Parameter plan: The endpoints to try.
    /// - Returns: The connection and the endpoint used.
    /// - Throws: ``XMPPConnectionError`` when no endpoint worked (code
    ///   ``XMPPConnectionError/Code/serviceUnavailable`` when the plan is
    ///   empty), or `CancellationError`.
    public func connect(following plan: XMPPEndpointPlan) async throws -> ConnectedChannel {
        guard !plan.endpoints.isEmpty else {
            throw XMPPConnectionError(.serviceUnavailable, domain: plan.domain, attempts: [], lookupFailures: plan.lookupFailures)
        }
        var failures: [XMPPConnectionError.Attempt] = []
        for endpoint in plan.endpoints {
            try Task.checkCancellation()
            do {
                let channel = try await establish(endpoint)
                logger.debug("Connected to XMPP endpoint", metadata: ["xmpp.domain": "\(plan.domain)", "xmpp.endpoint": "\(endpoint)"])
                return ConnectedChannel(channel: channel, endpoint: endpoint, failedAttempts: failures)
            } catch let failure as ConnectionAttemptFailure {
                // An attempt cut short by cancellation fails too; report the
                // cancellation, not the symptom.
                if Task.isCancelled { throw CancellationError() }
                logger.debug(
                    "XMPP endpoint failed",
                    metadata: ["xmpp.domain": "\(plan.domain)", "xmpp.endpoint": "\(endpoint)", "error": "\(failure)"]
                )
                failures.append(XMPPConnectionError.Attempt(endpoint: endpoint, failure: failure))
            }
        }
        throw XMPPConnectionError(.endpointsExhausted, domain: plan.domain, attempts: failures, lookupFailures: plan.lookupFailures)
    }

    /// One attempt: TCP, then TLS for direct-TLS endpoints.
    /// - Throws: ``ConnectionAttemptFailure`` or `CancellationError`.
    private func establish(_ endpoint: XMPPEndpoint) async throws -> any Channel {
        let channel: any Channel
        do {
            channel = try await openChannel(to: endpoint)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw ConnectionAttemptFailure(connecting: error, timeout: timeouts.connect)
        }
        guard endpoint.security == .directTLS else { return channel }
        do {
            try await completeHandshake(on: channel, endpoint: endpoint)
            return channel
        } catch {
            channel.close(promise: nil)
            if error is CancellationError { throw error }
            throw ConnectionAttemptFailure(handshaking: error, timeout: timeouts.tlsHandshake)
        }
    }

    /// The size of the first receive buffer. NIO keeps a channel's receive
    /// buffer between reads, so an idle session holds one; its default
    /// (2 KiB) made up over 1 KiB of an idle session's memory. Busy
    /// sessions lose nothing: the buffer doubles whenever a read fills it.
    static let initialReceiveBufferBytes = 512
    /// Receive buffers from ``initialReceiveBufferBytes`` up to NIO's usual
    /// 64 KiB.
    private static let receiveBuffers = AdaptiveRecvByteBufferAllocator(
        minimum: 64, initial: initialReceiveBufferBytes, maximum: 65_536)

    /// Resolves the host and connects with Happy Eyeballs within the connect
    /// deadline; a channel that connects after cancellation is closed.
    private func openChannel(to endpoint: XMPPEndpoint) async throws -> any Channel {
        guard let bootstrap = ClientBootstrap(validatingGroup: eventLoopGroup) else {
            throw ConnectionAttemptFailure(.connectFailed, detail: "the event loop group does not support ClientBootstrap")
        }
        let configured = bootstrap.connectTimeout(TimeAmount(timeouts.connect))
            .channelOption(.recvAllocator, value: Self.receiveBuffers)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(QuickAckHandler(), name: QuickAckHandler.name)
                }
            }
        return try await withEarlyCancellation { completion in
            configured.connect(host: endpoint.host, port: endpoint.port).whenComplete(completion)
        } discard: { lateChannel in
            lateChannel.close(promise: nil)
        }
    }

    /// Adds the TLS handler and waits for its handshake within the deadline.
    private func completeHandshake(on channel: any Channel, endpoint: XMPPEndpoint) async throws {
        let promise = channel.eventLoop.makePromise(of: Void.self)
        let factory = tlsHandlerFactory
        let timeout = TimeAmount(timeouts.tlsHandshake)
        channel.eventLoop.execute {
            let waiter = TLSHandshakeWaiter(promise: promise, timeout: timeout)
            do {
                // The waiter goes in first so that it sees anything the TLS
                // handler reports from its handlerAdded on.
                let tlsHandler = try factory(endpoint, channel)
                try channel.pipeline.syncOperations.addHandler(waiter)
                try channel.pipeline.syncOperations.addHandler(tlsHandler, position: .before(waiter))
            } catch {
                waiter.fail(error)
            }
        }
        try await withEarlyCancellation { completion in
            promise.futureResult.whenComplete(completion)
        }
    }
}
