public import Logging
public import NIOCore
import NIOGnuTLS
public import NIOPosix
import XMPPCore
import XMPPTransport

extension XMPPConnection {
    /// Connects, negotiates a session and runs `body` with it; closes the
    /// stream when `body` returns or throws.
    ///
    /// Before `body` runs, the connection is secured with TLS (STARTTLS is
    /// required on plain endpoints; the certificate must be valid for the
    /// JID's domain), authenticated with SASL (one mechanism, chosen by
    /// preference; no fallback after a failure) and bound to a resource.
    /// `see-other-host` redirects during negotiation are followed (up to
    /// ``Configuration/maximumRedirects``) with the same TLS configuration and
    /// the same verification name.
    ///
    /// Cancelling the task closes the connection: during negotiation the call
    /// throws `CancellationError`; during `body` the inbound sequences end and
    /// the stream is closed cleanly.
    ///
    /// While `body` runs, inbound IQ requests are answered by the handlers
    /// registered with ``handleIQ(namespace:localName:_:)``, each in a child
    /// task. When `body` ends the session is closed first, then running
    /// handlers are cancelled, and the call returns once they have finished.
    /// - Parameters:
    ///   - configuration: The account, the server and the options.
    ///   - eventLoopGroup: Where the connection's channel lives.
    ///   - logger: Receives `debug` messages (negotiation steps, failures) and
    ///     `trace` messages (every element, with SASL payloads redacted);
    ///     nothing above `debug` in normal operation.
    ///   - isolation: The caller's isolation, in which `body` runs.
    ///   - body: Uses the connection; its result is returned.
    /// - Returns: What `body` returned.
    /// - Throws: ``XMPPClientError`` when connecting or negotiating failed,
    ///   `CancellationError` when cancelled before `body` ran, or whatever
    ///   `body` threw.
    public static func withConnection<Result>(
        configuration: Configuration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "xmpp", factory: { _ in SwiftLogNoOpLogHandler() }),
        isolation: isolated (any Actor)? = #isolation,
        _ body: (XMPPConnection) async throws -> Result
    ) async throws -> Result {
        let outcome = try await connectInChildTask(configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger)
        guard case .established(let connection) = outcome else {
            // Only a registration closes the stream after negotiating.
            throw XMPPClientError.connectionClosed(detail: "the stream closed without a session")
        }
        return try await run(connection, isolation: isolation, body)
    }

    /// Runs `body` with `connection`, turning cancellation into a close, and
    /// closes afterwards whatever happens; answers inbound IQ requests
    /// meanwhile, and returns only once their handlers finished.
    static func run<Result>(
        _ connection: XMPPConnection,
        isolation: isolated (any Actor)?,
        _ body: (XMPPConnection) async throws -> Result
    ) async throws -> Result {
        let channel = connection.channel
        connection.inboundRequests.answer(
            with: { request in await connection.answer(request) }, preferring: connection.taskExecutor)
        let result: Result
        do {
            result = try await withTaskCancellationHandler {
                try await body(connection)
            } onCancel: {
                // A clean close: the server sees </stream:stream>.
                channel.close(promise: nil)
            }
        } catch {
            // Closing first: a handler that ignores cancellation must not
            // keep the session open.
            await connection.close()
            await connection.inboundRequests.finishAndWait()
            throw error
        }
        await connection.close()
        await connection.inboundRequests.finishAndWait()
        return result
    }

    /// How a connection attempt ended.
    enum ConnectOutcome: Sendable {
        /// Logged in: the session is ready.
        case established(XMPPConnection)
        /// The account was registered with this form, and the stream closed.
        case registered(RegistrationForm)
    }

    /// ``connect(configuration:eventLoopGroup:logger:registration:continuity:isolation:answering:)``
    /// without registration, in a child task of a task group that ends with
    /// the login.
    ///
    /// The runtime keeps the memory a task's async frames needed until the
    /// task ends, and the caller's task lives as long as the session; the
    /// login's frames (over 15 KiB) would stay allocated for its life. An
    /// `async let` child does not help: the runtime places it in the
    /// parent's task allocator.
    static func connectInChildTask(
        configuration: Configuration,
        eventLoopGroup: any EventLoopGroup,
        logger: Logger,
        continuity: SessionContinuity? = nil
    ) async throws -> ConnectOutcome {
        try await withThrowingTaskGroup(of: ConnectOutcome.self) { group in
            group.addTask {
                try await connect(
                    configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger,
                    continuity: continuity, isolation: nil)
            }
            // One child, so there is always a result or an error.
            guard let outcome = try await group.next() else {
                throw XMPPClientError.connectionClosed(detail: "the login task ended without an outcome")
            }
            return outcome
        }
    }

    /// Connects and negotiates, following redirects; registers the account
    /// in-band first when `registration` says so, answering the server's
    /// form with `answering`.
    static func connect(
        configuration: Configuration,
        eventLoopGroup: any EventLoopGroup,
        logger baseLogger: Logger,
        registration: SessionStateMachine.RegistrationPlan? = nil,
        continuity: SessionContinuity? = nil,
        isolation: isolated (any Actor)? = #isolation,
        answering: (RegistrationForm) async throws -> RegistrationAnswer = { _ in RegistrationAnswer() }
    ) async throws -> ConnectOutcome {
        var sessionConfiguration = try configuration.sessionConfiguration()
        sessionConfiguration.registration = registration
        if continuity != nil {
            // A reconnecting client: ask for sessions it can resume.
            sessionConfiguration.streamManagement = try configuration.streamManagement.ledgerConfiguration(requestsResumption: true)
        }
        let domain = configuration.jid.asciiDomain
        let tls = try TLSContexts(configuration: configuration.tls, location: configuration.serverLocation, serverName: domain)
        var logger = baseLogger
        logger[metadataKey: XMPPLoggingKey.jid] = "\(configuration.jid.bare)"
        let connector = XMPPConnector(
            eventLoopGroup: eventLoopGroup,
            timeouts: .init(connect: configuration.timeouts.connect, tlsHandshake: configuration.timeouts.tlsHandshake),
            logger: logger
        ) { endpoint, _ in
            // The domain, never the endpoint's host (which DNS or a redirect chose).
            try tls.makeHandler(for: endpoint.security)
        }

        var location = configuration.serverLocation
        var redirects = 0
        while true {
            let connected: XMPPConnector.ConnectedChannel
            do {
                connected = try await connector.connect(to: domain, location: location)
            } catch let error as XMPPConnectionError {
                throw XMPPClientError.connectFailed(error)
            }
            var attemptLogger = logger
            attemptLogger[metadataKey: XMPPLoggingKey.endpoint] = "\(connected.endpoint)"
            if redirects > 0 { attemptLogger[metadataKey: XMPPLoggingKey.redirectCount] = "\(redirects)" }

            let requests = InboundIQRequests()
            var attemptConfiguration = sessionConfiguration
            // Read for every attempt: a redirected attempt leaves it as it was.
            attemptConfiguration.resumption = continuity?.detached
            let machine = SessionStateMachine(configuration: attemptConfiguration, redirectsSoFar: redirects)
            let (firstOutcome, handler) = try await negotiate(
                on: connected, machine: machine, limits: configuration.limits, tls: tls,
                holdLimit: configuration.heldInboundElementLimit, quickAcknowledgements: configuration.quickAcknowledgements,
                requests: requests, continuity: continuity ?? SessionContinuity(), logger: attemptLogger)
            var outcome = firstOutcome
            var answeredForm: RegistrationForm?
            while case .registrationForm(let form) = outcome {
                answeredForm = form
                outcome = try await answerRegistration(form, handler: handler, channel: connected.channel, answering: answering)
            }
            switch outcome {
            case .established(let session):
                return .established(XMPPConnection(
                    channel: connected.channel, handler: handler, session: session,
                    inboundRequests: requests, logger: attemptLogger))
            case .registered, .registrationForm:
                // The stream is closing; wait for it (bounded by the close deadline).
                try? await connected.channel.closeFuture.get()
                guard let answeredForm else {
                    throw XMPPClientError.connectionClosed(detail: "the stream closed without a registration")
                }
                return .registered(answeredForm)
            case .redirect(let target):
                try? await connected.channel.closeFuture.get()
                redirects += 1
                let endpoint = connected.endpoint
                // Without a port: 5222 for STARTTLS (RFC 6120 §4.9.3.19);
                // direct TLS has no default port, so keep the current one.
                let port = target.port ?? (endpoint.security == .startTLS ? 5222 : endpoint.port)
                location = .host(target.host, port: port, security: endpoint.security)
            }
        }
    }

    /// Hands the server's registration form to `answering`, submits the
    /// answer and waits for what follows; cancellation, or an error from
    /// `answering`, closes the connection.
    static func answerRegistration(
        _ form: RegistrationForm,
        handler: NIOLoopBound<XMPPChannelHandler>,
        channel: any Channel,
        isolation: isolated (any Actor)? = #isolation,
        answering: (RegistrationForm) async throws -> RegistrationAnswer
    ) async throws -> XMPPChannelHandler.NegotiationOutcome {
        do {
            return try await withTaskCancellationHandler {
                let answer = try await answering(form)
                try Task.checkCancellation()
                return try await handler.eventLoop.flatSubmit {
                    do {
                        return try handler.value.submitRegistration(answer)
                    } catch {
                        return handler.eventLoop.makeFailedFuture(error)
                    }
                }.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        } catch {
            // As in `negotiate`: nothing outlives the call.
            channel.close(promise: nil)
            try? await channel.closeFuture.get()
            if Task.isCancelled { throw CancellationError() }
            throw error
        }
    }

    /// Puts the session handler on a connected channel and waits for the
    /// negotiation to end; a cancelled wait closes the channel.
    /// - Returns: How negotiation ended, and the handler.
    private static func negotiate(
        on connected: XMPPConnector.ConnectedChannel,
        machine: SessionStateMachine,
        limits: XMLStreamReader.Limits,
        tls: TLSContexts,
        holdLimit: Int,
        quickAcknowledgements: XMPPConnection.Configuration.QuickAcknowledgements,
        requests: InboundIQRequests,
        continuity: SessionContinuity,
        logger: Logger
    ) async throws -> (XMPPChannelHandler.NegotiationOutcome, NIOLoopBound<XMPPChannelHandler>) {
        let channel = connected.channel
        let security = connected.endpoint.security
        let promise = channel.eventLoop.makePromise(of: XMPPChannelHandler.NegotiationOutcome.self)
        let handlerPromise = channel.eventLoop.makePromise(of: NIOLoopBound<XMPPChannelHandler>.self)
        // Settled before the negotiation can end, whichever way it ends.
        promise.futureResult.whenFailure { handlerPromise.fail($0) }
        channel.eventLoop.execute {
            guard channel.isActive else {
                promise.fail(XMPPClientError.connectionClosed(detail: "the connection closed before the stream opened"))
                return
            }
            let transport: SessionStateMachine.Transport
            if security == .directTLS {
                let info = try? channel.pipeline.syncOperations.gnuTLSConnectionInfo()
                transport = .tls(SASLTransportSecurity(connectionInfo: info))
            } else {
                transport = .plain
            }
            let handler = XMPPChannelHandler(
                machine: machine, transport: transport, limits: limits,
                makeTLSHandler: { try tls.makeHandler(for: .startTLS) },
                negotiation: promise, holdLimit: holdLimit, quickAcknowledgements: quickAcknowledgements,
                requests: requests, continuity: continuity, logger: logger)
            handlerPromise.succeed(NIOLoopBound(handler, eventLoop: channel.eventLoop))
            do {
                try channel.pipeline.syncOperations.addHandler(handler)
            } catch {
                promise.fail(XMPPClientError.connectionClosed(error, detail: "the session handler could not be added"))
                channel.close(promise: nil)
            }
        }
        do {
            let outcome = try await withTaskCancellationHandler {
                try await promise.futureResult.get()
            } onCancel: {
                channel.close(promise: nil)
            }
            return (outcome, try await handlerPromise.futureResult.get())
        } catch {
            // Every failure path closes the channel; wait for it (bounded by
            // the close and TLS shutdown deadlines) so nothing outlives the call.
            channel.close(promise: nil)
            try? await channel.closeFuture.get()
            if Task.isCancelled { throw CancellationError() }
            throw error
        }
    }
}
