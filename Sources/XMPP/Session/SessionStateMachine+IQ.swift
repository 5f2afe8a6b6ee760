import XMPPCore

/// IQ traffic on an established session: our requests and their
/// responses (``PendingIQLedger``), and inbound requests for the
/// application's handlers (``IQRequestRoutes``).
///
/// Routing of inbound IQs, which `XMPPInboundStream` documents for users:
/// - a `result` or `error` that answers a request in flight completes it;
///   from any other address it is dropped and the request keeps waiting;
///   a late answer to a request of ours that already ended is dropped; one
///   whose id we did not make (an IQ the application sent with
///   `send(_:)`) is delivered;
/// - a `get` or `set` goes to the handler registered for its payload, or
///   is answered `service-unavailable`; it is never delivered, so every
///   request gets exactly one answer from exactly one place;
/// - an IQ that does not parse is dropped (a request is answered with
///   `bad-request` or `jid-malformed`).
extension SessionStateMachine {
    // MARK: Our requests

    /// The application sends an IQ request.
    /// - Parameters:
    ///   - type: `get` or `set`.
    ///   - payload: The request's child element.
    ///   - recipient: Its `to`; `nil` for our own account.
    ///   - timeout: How long to wait; `nil` for the configured default.
    ///   - now: The current instant.
    /// - Returns: The request's id and the actions (the write and, when the
    ///   timer must move, ``Action/scheduleRequestTimer(_:)``).
    /// - Throws: ``XMPPClientError/Code/connectionClosed`` unless the session
    ///   is established; ``XMPPClientError/Code/invalidConfiguration`` for a
    ///   timeout that is not positive;
    ///   ``XMPPClientError/Code/unacknowledgedLimitReached`` when stream
    ///   management cannot count one more stanza.
    mutating func sendRequest(
        _ type: IQRequestType,
        payload: XMLElement,
        to recipient: JID?,
        timeout: Duration?,
        now: MonotonicInstant
    ) throws(XMPPClientError) -> (id: String, actions: [Action]) {
        guard case .established = state else {
            throw .connectionClosed(detail: isClosingOrClosed ? "the session is closed" : "the session is not established")
        }
        let timeout = timeout ?? configuration.timeouts.iq
        guard timeout > .zero else { throw .invalidConfiguration("the IQ request timeout is not positive") }
        advanceClock(to: now)
        // Checked before the request is added, so that a refusal leaves the
        // request ledger (and its timer) untouched.
        if let refusal = streamManagementRefusal() { throw refusal }
        let (id, timer) = requests.add(recipient: recipient, deadline: now.advanced(by: timeout))
        let iq = IQ(type: type.stanzaType, id: id, to: recipient, payload: payload).element
        var actions = trackingWrites([.writeElement(iq)])
        if let timer { actions.append(.scheduleRequestTimer(timer)) }
        return (id, actions)
    }

    /// A request ends before its answer: its task was cancelled
    /// (`.cancelled`) or it could not be written (`.failed`).
    /// - Returns: The completion, or nothing when it had already ended.
    mutating func finishRequest(_ id: String, _ outcome: RequestOutcome) -> [Action] {
        requests.remove(id) ? [.completeRequest(id, outcome)] : []
    }

    /// The request timer scheduled for `instant` fired: every request due
    /// fails with ``XMPPClientError/Code/timeout`` (step
    /// ``XMPPClientError/Step/iqRequest``); the session goes on.
    mutating func requestTimerFired(at instant: MonotonicInstant) -> [Action] {
        let (expired, timer) = requests.timerFired(at: instant)
        var actions = expired.map { Action.completeRequest($0, .failed(.timeout(.iqRequest))) }
        if let timer { actions.append(.scheduleRequestTimer(timer)) }
        return actions
    }

    // MARK: Inbound request handlers

    /// Registers the application's handler for inbound requests whose
    /// payload matches `key`.
    /// - Throws: ``XMPPClientError/Code/connectionClosed`` unless the session
    ///   is established; ``XMPPClientError/Code/handlerAlreadyRegistered``.
    mutating func registerRequestHandler(
        _ key: IQRequestRoutes.Key,
        body: @escaping IQRequestHandler.Body
    ) throws(XMPPClientError) -> IQRequestHandler {
        guard case .established = state else { throw .connectionClosed(detail: "the session is not established") }
        return try requestHandlers.register(key, body: body)
    }

    /// Removes a handler, unless a later registration replaced it.
    mutating func unregisterRequestHandler(_ handler: IQRequestHandler) {
        requestHandlers.unregister(handler.key, registration: handler.registration)
    }

    // MARK: Routing

    /// Routes a top-level element of the established (or closing) stream.
    /// - Parameter canAnswer: Whether the stream can still carry an answer
    ///   (not after our `</stream:stream>`).
    mutating func receivedStanza(_ element: XMLElement, canAnswer: Bool) -> [Action] {
        guard element.knownName == .iq else {
            return [.deliver(element)]
        }
        let iq: IQ
        do {
            iq = try IQ(element: element)
        } catch {
            var actions: [Action] = [.dropped(element, .malformed(error))]
            if canAnswer, var reply = AnyStanza.errorReply(to: element, error: StanzaError(error.replyCondition)) {
                reply[attribute: "from"] = nil
                actions.append(.writeElement(reply))
            }
            return actions
        }
        switch iq.type {
        case .get, .set:
            guard canAnswer else { return [.dropped(element, .sessionClosing)] }
            if let payload = iq.payload, let handler = requestHandlers.handler(for: payload.name) {
                return [.handleRequest(iq, handler)]
            }
            return [.dropped(element, .unhandledRequest), .writeElement(IQRequestHandler.serviceUnavailable(answering: iq).element)]
        case .result, .error:
            return receivedResponse(iq, element: element)
        }
    }

    /// Matches a `result` or `error` to the request it answers.
    private mutating func receivedResponse(_ iq: IQ, element: XMLElement) -> [Action] {
        guard let boundJID else { return [.deliver(element)] }
        switch requests.match(iq, account: boundJID.bare) {
        case .matched(let id, _):
            if iq.type == .result { return [.completeRequest(id, .response(iq))] }
            return [.completeRequest(id, .failed(.stanzaError(iq.error ?? StanzaError(.undefinedCondition))))]
        case .unexpectedOrigin:
            return [.dropped(element, .unexpectedOrigin)]
        case .notPending(ownIdentifier: true):
            return [.dropped(element, .lateResponse)]
        case .notPending(ownIdentifier: false):
            return [.deliver(element)]
        }
    }

    // MARK: Session end

    /// Fails every request in flight with `error` and forgets the handlers:
    /// the session is ending.
    mutating func failPendingRequests(_ error: XMPPClientError) -> [Action] {
        requestHandlers.removeAll()
        let (ids, cancelTimer) = requests.removeAll()
        var actions = ids.map { Action.completeRequest($0, .failed(error)) }
        if cancelTimer { actions.append(.cancelRequestTimer) }
        return actions
    }

    private var isClosingOrClosed: Bool {
        switch state {
        case .closing, .closed: true
        default: false
        }
    }
}
