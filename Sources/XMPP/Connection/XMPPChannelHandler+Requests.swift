import Logging
import NIOCore
import XMPPCore

/// IQ requests and inbound request handlers: what `XMPPConnection` calls,
/// always on the channel's event loop (the connection actor runs there).
extension XMPPChannelHandler {
    /// Sends an IQ request and returns its id (for cancelling) and the
    /// future of its `result`.
    ///
    /// The future fails with the ``XMPPClientError`` the request ended with
    /// (an `error` answer, a timeout, the end of the session, an element
    /// that cannot be written) or with `CancellationError` after
    /// ``cancelRequest(_:)``.
    /// - Throws: What ``SessionStateMachine/sendRequest(_:payload:to:timeout:now:)``
    ///   throws, or ``XMPPClientError/Code/unserializableElement`` for a
    ///   payload that cannot be written while XEP-0198 counts stanzas;
    ///   nothing is sent then.
    func startRequest(
        _ type: IQRequestType,
        payload: XMLElement,
        to recipient: JID?,
        timeout: Duration?
    ) throws(XMPPClientError) -> (id: String, response: EventLoopFuture<IQ>) {
        guard let context else { throw .connectionClosed(detail: "the session handler was removed") }
        if machine.streamManagement.phase != .inactive {
            // XEP-0198 counts the request once the machine hands it out, so
            // a payload that cannot be written is refused before that.
            do throws(XMLWriterError) {
                _ = try writer.bytes(payload)
            } catch {
                throw .unserializableElement(error)
            }
        }
        let now = MonotonicInstant(nanoseconds: context.eventLoop.now.uptimeNanoseconds)
        let (id, actions) = try machine.sendRequest(type, payload: payload, to: recipient, timeout: timeout, now: now)
        let promise = context.eventLoop.makePromise(of: IQ.self)
        pendingResponses[id] = promise
        for action in actions {
            guard case .writeElement(let element) = action else {
                run(action, context: context)
                continue
            }
            if let error = write(element, context: context, promise: nil) {
                run(machine.finishRequest(id, .failed(.unserializableElement(error))))
            }
        }
        flushIfNeeded(context: context)
        return (id, promise.futureResult)
    }

    /// The task waiting for request `id` was cancelled: forget the request
    /// and fail its future with `CancellationError`. Nothing happens when it
    /// had already ended.
    func cancelRequest(_ id: String) {
        run(machine.finishRequest(id, .cancelled))
    }

    /// Registers a handler for inbound requests whose payload matches `key`.
    /// - Throws: What ``SessionStateMachine/registerRequestHandler(_:body:)``
    ///   throws.
    func registerRequestHandler(
        _ key: IQRequestRoutes.Key,
        body: @escaping IQRequestHandler.Body
    ) throws(XMPPClientError) -> IQRequestHandler {
        try machine.registerRequestHandler(key, body: body)
    }

    /// Removes a handler, unless a later registration replaced it.
    func unregisterRequestHandler(_ handler: IQRequestHandler) {
        machine.unregisterRequestHandler(handler)
    }

    // MARK: Actions (called from `run(_:context:)`)

    /// Hands an inbound request to the connection, which runs `handler`
    /// (``SessionStateMachine/Action/handleRequest(_:_:)``).
    func handOver(_ iq: IQ, to handler: IQRequestHandler) {
        logger.debug(
            "XMPP IQ request goes to its handler",
            metadata: [XMPPLoggingKey.stanzaID: "\(iq.id)", XMPPLoggingKey.handler: "\(handler.key)"])
        requests.yield(InboundIQRequest(iq: iq, handler: handler))
    }

    /// Moves the request timer to `instant`
    /// (``SessionStateMachine/Action/scheduleRequestTimer(_:)``).
    func scheduleRequestTimer(at instant: MonotonicInstant, context: ChannelHandlerContext) {
        requestTimer?.cancel()
        requestTimer = context.eventLoop.assumeIsolated().scheduleTask(
            deadline: .uptimeNanoseconds(instant.nanoseconds)
        ) { [self] in
            requestTimer = nil
            run(machine.requestTimerFired(at: instant))
        }
    }

    /// Logs an element that reaches neither the application nor a request
    /// (``SessionStateMachine/Action/dropped(_:_:)``).
    func logDropped(_ element: XMLElement, _ reason: SessionStateMachine.DropReason) {
        logger.debug(
            "XMPP element dropped",
            metadata: [
                XMPPLoggingKey.element: "\(element.name)",
                XMPPLoggingKey.stanzaID: "\(element[attribute: "id"] ?? "-")",
                XMPPLoggingKey.stanzaFrom: "\(element[attribute: "from"] ?? "-")",
                XMPPLoggingKey.reason: "\(reason)",
            ])
    }

    /// Completes the future of request `id` (``SessionStateMachine/Action/completeRequest(_:_:)``).
    func complete(_ id: String, _ outcome: SessionStateMachine.RequestOutcome) {
        guard let promise = pendingResponses.removeValue(forKey: id) else { return }
        switch outcome {
        case .response(let iq):
            promise.succeed(iq)
        case .failed(let error):
            logger.debug(
                "XMPP IQ request failed",
                metadata: [XMPPLoggingKey.stanzaID: "\(id)", XMPPLoggingKey.error: "\(error)"])
            promise.fail(error)
        case .cancelled:
            logger.debug("XMPP IQ request cancelled", metadata: [XMPPLoggingKey.stanzaID: "\(id)"])
            promise.fail(CancellationError())
        }
    }
}
