import Logging
import NIOCore
public import XMPPCore

extension XMPPConnection {
    /// Sends an IQ request and waits for its answer.
    ///
    /// The connection gives the request a fresh `id`, sends it, and waits
    /// for the `result` or `error` with that id **from the address it went
    /// to** (RFC 6120 §8.2.3, §10.1). A response from anyone else is
    /// dropped (and logged at `debug`), and the request keeps waiting: a
    /// spoofed answer cannot complete it.
    ///
    /// - Sent with `to`: the answer must come from exactly that JID (a full
    ///   JID is not its bare JID). For `to` = our own bare JID, an answer
    ///   without `from` counts too.
    /// - Sent without `to` (to our own account, for example the roster):
    ///   the answer must have no `from`, or come from our bare JID or our
    ///   server's domain.
    ///
    /// ```swift
    /// let ping = RawIQRequest(.get, payload: XMLElement("ping", namespace: "urn:xmpp:ping"))
    /// _ = try await connection.request(ping, to: JID(connection.boundJID.bare.domainpart))
    /// ```
    ///
    /// Cancelling the calling task forgets the request at once and throws
    /// `CancellationError`; an answer that still arrives is dropped.
    /// - Parameters:
    ///   - request: What to ask.
    ///   - recipient: The `to` address; `nil` (the default) addresses our
    ///     own account.
    ///   - timeout: How long to wait for the answer; `nil` (the default) for
    ///     ``Configuration/Timeouts/iq``.
    /// - Returns: What ``IQRequest/response(from:)`` made of the `result`.
    /// - Throws: `CancellationError` when the task is cancelled; otherwise an
    ///   ``XMPPClientError``:
    ///   - ``XMPPClientError/Code/stanzaError``: the answer was
    ///     `type='error'`; ``XMPPClientError/stanzaError`` says why;
    ///   - ``XMPPClientError/Code/timeout`` (step
    ///     ``XMPPClientError/Step/iqRequest``): no answer in time;
    ///   - ``XMPPClientError/Code/invalidResponse``: the `result` could not
    ///     be read;
    ///   - the error that ended the session (for example
    ///     ``XMPPClientError/Code/connectionClosed`` or
    ///     ``XMPPClientError/Code/streamError``) when it ended first;
    ///   - ``XMPPClientError/Code/unserializableElement`` (nothing was sent)
    ///     or ``XMPPClientError/Code/invalidConfiguration`` (a timeout that
    ///     is not positive).
    public func request<Request: IQRequest>(
        _ request: Request,
        to recipient: JID? = nil,
        timeout: Duration? = nil
    ) async throws -> Request.Response {
        let result = try await response(to: request.type, payload: request.payload, to: recipient, timeout: timeout)
        do {
            return try request.response(from: result)
        } catch let error as XMPPClientError {
            throw error
        } catch {
            throw XMPPClientError.invalidResponse(error)
        }
    }

    /// Sends a request and waits for its `result`; see ``request(_:to:timeout:)``.
    private func response(
        to type: IQRequestType,
        payload: XMLElement,
        to recipient: JID?,
        timeout: Duration?
    ) async throws -> IQ {
        try Task.checkCancellation()
        // The actor runs on the channel's event loop, so the request is
        // registered and written before anything else happens there, and a
        // cancellation (which hops onto the loop) always finds it.
        let (id, response) = try handler.value.startRequest(type, payload: payload, to: recipient, timeout: timeout)
        let handler = self.handler
        return try await withTaskCancellationHandler {
            try await response.get()
        } onCancel: {
            handler.eventLoop.execute { handler.value.cancelRequest(id) }
        }
    }

    /// Answers inbound IQ requests whose payload has this name (or any name
    /// in this namespace) with `handler`, until the registration is
    /// cancelled or the session ends.
    ///
    /// ```swift
    /// try await connection.handleIQ(namespace: "urn:xmpp:ping", localName: "ping") { _ in nil }
    /// ```
    ///
    /// Every inbound `get` and `set` gets exactly one answer (RFC 6120
    /// §8.2.3), and none reaches a subscription (``elements(where:)``):
    /// - with a handler, the handler runs in a task of its own, which
    ///   ``withConnection(configuration:eventLoopGroup:logger:isolation:_:)``
    ///   cancels and awaits when its body ends;
    ///   the element it returns becomes the payload of the `result` (`nil`:
    ///   an empty result); a ``StanzaError`` it throws is sent as it is;
    ///   any other error becomes `internal-server-error`, without text, so
    ///   nothing of the application leaks;
    /// - without one, the connection answers `service-unavailable`.
    ///
    /// A handler for a qualified name is preferred over one for its
    /// namespace. Requests come from anyone who can reach the account:
    /// check ``IQ/from`` where it matters (no `from` means our own account
    /// or server). When the session ends, handlers still running are
    /// cancelled; they should stop promptly.
    /// - Parameters:
    ///   - namespace: The payload's namespace, for example `urn:xmpp:ping`.
    ///   - localName: The payload's local name, or `nil` for every payload
    ///     in `namespace`.
    ///   - handler: Makes the answer from the request.
    /// - Returns: The registration; ``IQHandlerRegistration/cancel()`` removes
    ///   the handler before the session ends.
    /// - Throws: ``XMPPClientError/Code/handlerAlreadyRegistered`` when this
    ///   payload already has a handler; ``XMPPClientError/Code/connectionClosed``
    ///   after the session ended.
    @discardableResult
    public func handleIQ(
        namespace: String,
        localName: String? = nil,
        _ handler: @escaping @Sendable (IQ) async throws -> XMLElement?
    ) throws(XMPPClientError) -> IQHandlerRegistration {
        let key = IQRequestRoutes.Key(namespace: namespace, localName: localName)
        let registered = try self.handler.value.registerRequestHandler(key, body: handler)
        return IQHandlerRegistration(connection: self, handler: registered)
    }

    /// Removes a handler, unless a later registration replaced it.
    fileprivate func unregister(_ handler: IQRequestHandler) {
        self.handler.value.unregisterRequestHandler(handler)
    }

    /// Runs the handler for one request and sends its answer.
    nonisolated func answer(_ request: InboundIQRequest) async {
        let reply = await request.handler.reply(to: request.iq)
        do {
            try await send(reply)
        } catch {
            logger.debug(
                "XMPP IQ answer not sent", metadata: [XMPPLoggingKey.stanzaID: "\(reply.id)", XMPPLoggingKey.error: "\(error)"])
        }
    }
}

/// A handler for inbound IQ requests, registered with
/// ``XMPPConnection/handleIQ(namespace:localName:_:)``.
///
/// The handler stays until ``cancel()`` or the end of the session;
/// dropping this value does not remove it.
public struct IQHandlerRegistration: Sendable {
    private let connection: XMPPConnection
    private let handler: IQRequestHandler

    fileprivate init(connection: XMPPConnection, handler: IQRequestHandler) {
        self.connection = connection
        self.handler = handler
    }

    /// The namespace of the payloads the handler answers.
    public var namespace: String { handler.key.namespace }

    /// The local name of the payloads the handler answers, or `nil` for all
    /// of its namespace.
    public var localName: String? { handler.key.localName }

    /// Removes the handler: requests that arrive afterwards are answered
    /// `service-unavailable`; one it is already handling still gets its
    /// answer. Does nothing after the session ended.
    public func cancel() async {
        await connection.unregister(handler)
    }
}
