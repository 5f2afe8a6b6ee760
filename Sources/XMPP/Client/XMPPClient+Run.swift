import Logging
import NIOCore
import XMPPCore

extension XMPPClient {
    /// Connects and keeps connecting until stopped.
    ///
    /// Returns when the task is cancelled, after ``stop()``, or (as a
    /// ServiceLifecycle `Service`) on graceful shutdown, having closed the
    /// session cleanly. Throws when a failure is permanent (authentication
    /// failed, the configuration is invalid, TLS is not offered) or the
    /// retry budget
    /// (``ReconnectPolicy/maximumConsecutiveFailures``) is spent. Either
    /// way the subscriptions end and stanzas still queued are reported as
    /// not delivered. A client runs once.
    /// - Throws: ``XMPPClientError``.
    public func run() async throws {
        guard case .idle = state else {
            throw XMPPClientError.invalidConfiguration("run() was called on a client that already ran")
        }
        do {
            try configuration.validate()
        } catch {
            end(with: error)
            throw error
        }
        let loop = Task { try await self.reconnectLoop() }
        runLoop = loop
        if stopRequested { loop.cancel() }
        try await withTaskCancellationHandler {
            try await loop.value
        } onCancel: {
            loop.cancel()
        }
    }

    /// Connect, serve, back off, again; until cancelled or a permanent
    /// failure.
    private func reconnectLoop() async throws {
        let policy = configuration.reconnect
        var failures = 0
        while !Task.isCancelled {
            setState(.connecting(attempt: failures + 1))
            let started = ContinuousClock.now
            let error: XMPPClientError
            do {
                error = try await connectAndServe()
            } catch {
                // Cancelled: run() ends cleanly.
                break
            }
            if Task.isCancelled { break }
            eventSubscriptions.emit(.disconnected(error))
            logger.info("XMPP client disconnected", metadata: [XMPPLoggingKey.error: "\(error)"])
            if started.duration(to: .now) >= policy.stableSessionDuration { failures = 0 }
            failures += 1
            if Self.isPermanent(error) || policy.isExhausted(afterFailures: failures) {
                end(with: error)
                throw error
            }
            let delay = policy.delay(afterFailures: failures, random: Double.random(in: 0...1))
            setState(.waitingToReconnect(attempt: failures + 1, delay: delay))
            do {
                try await Task.sleep(for: delay)
            } catch {
                break
            }
        }
        end(with: nil)
    }

    /// One connection: connect (resuming when possible), then serve the
    /// session until it ends.
    /// - Returns: Why the session or the attempt ended.
    /// - Throws: `CancellationError` when cancelled.
    private func connectAndServe() async throws(CancellationError) -> XMPPClientError {
        let connection: XMPPConnection
        do {
            let outcome = try await XMPPConnection.connectInChildTask(
                configuration: configuration.connection, eventLoopGroup: eventLoopGroup, logger: logger,
                continuity: continuity)
            guard case .established(let established) = outcome else {
                return .connectionClosed(detail: "the stream closed without a session")
            }
            connection = established
        } catch let error as XMPPClientError {
            return error
        } catch {
            if Task.isCancelled { throw CancellationError() }
            return .connectionClosed(error, detail: "the connection attempt failed")
        }
        var ending: XMPPClientError = .connectionClosed(detail: "the session ended")
        do {
            // Subscribed before anything is sent, so that no answer is missed.
            let elements = connection.elements()
            try await XMPPConnection.run(connection, isolation: self) { connection in
                try await self.start(connection)
                for try await element in elements {
                    // The connection ran the client's answerers already.
                    if inbound.deliver(element, answered: answerers.accepts(element)) {
                        logger.debug("XMPP inbound element dropped: no subscription took it")
                    }
                }
            }
        } catch let error as XMPPClientError {
            ending = error
        } catch {
            if Task.isCancelled {
                liveConnection = nil
                throw CancellationError()
            }
            ending = .connectionClosed(error, detail: "the session ended")
        }
        liveConnection = nil
        return ending
    }

    /// A session is up: on a new one send presence and run the
    /// session-start handlers; then send what was queued, in order, and
    /// let sends through.
    private func start(_ connection: XMPPConnection) async throws {
        for handler in connectionHandlers { try await handler(connection) }
        if !connection.isResumed {
            if let failure = connection.resumptionFailure {
                logger.info("XMPP session not resumed: a new session started", metadata: [XMPPLoggingKey.error: "\(failure)"])
            }
            pendingSessionStart = (presence: true, handlers: true)
        }
        // Also on a resumed stream whose new session lost its connection
        // before this finished. A presence written before the loss is in
        // the stream-management ledger (resent from there if unhandled);
        // one that could not be written is sent here.
        if pendingSessionStart.presence {
            // Done once the session took it (then its ledger answers for
            // it, and a resumption resends it if unhandled), even if the
            // connection fails before the bytes leave: sending it again
            // would duplicate it.
            if let presence = configuration.initialPresence { _ = try await connection.submit(.element(presence.element), awaited: false) }
            pendingSessionStart.presence = false
        }
        if pendingSessionStart.handlers {
            for handler in sessionStartHandlers { try await handler(connection) }
            pendingSessionStart.handlers = false
        }
        eventSubscriptions.emit(
            .sessionStarted(boundJID: connection.boundJID, resumed: connection.isResumed, resumptionFailure: connection.resumptionFailure))
        try await flushQueue(into: connection)
        liveConnection = connection
        setState(.connected(boundJID: connection.boundJID, resumed: connection.isResumed))
    }

    /// Failures that another attempt would only repeat.
    static func isPermanent(_ error: XMPPClientError) -> Bool {
        switch error.code {
        case .authenticationFailed, .invalidConfiguration, .registrationFailed, .tlsRequired:
            return true
        default:
            // Including `conflict`: our own earlier connection, cut while
            // binding, can still hold the resource for a moment, so it is
            // retried with backoff like any other failure.
            return false
        }
    }

    /// The client is done: report what never went out, end the
    /// subscriptions.
    private func end(with error: XMPPClientError?) {
        stopRequested = true
        failQueue(.clientStopped)
        // A session kept for resumption will not be resumed any more.
        if let detached = continuity.detached {
            continuity.setDetached(nil)
            let unawaited = detached.ledger.stanzas.filter { !$0.token.isAwaited }.map(\.element)
            if !unawaited.isEmpty { eventSubscriptions.emit(.notDelivered(unawaited, .clientStopped)) }
        }
        for waiter in continuity.takeAllWaiters() {
            waiter.fail(XMPPClientError.notAcknowledged(XMPPClientError.clientStopped))
        }
        inbound.finish(throwing: error)
        setState(.stopped)
        eventSubscriptions.finish()
    }
}
