import Logging
import NIOCore
import XMPPCore

/// XEP-0198 acknowledgements: sends that wait for the server's `<a/>`, the
/// actions that complete or fail them, and the ack-request timer. Called on
/// the event loop (the connection actor runs there).
extension XMPPChannelHandler {
    /// Sends a stanza and returns its token (to stop waiting) and the future
    /// of its acknowledgement.
    ///
    /// The future succeeds once an `<a h/>` covers the stanza, and fails
    /// with ``XMPPClientError/Code/notAcknowledged`` when the session ends
    /// first or after ``stopWaitingForAcknowledgement(_:)``.
    /// - Throws: ``XMPPClientError/Code/unserializableElement`` and what
    ///   ``SessionStateMachine/sendAcknowledged(_:now:)`` throws;
    ///   nothing is written then.
    func startAcknowledgedSend(
        _ stanza: OutboundStanza
    ) throws(XMPPClientError) -> (token: OutboundStanzaToken, acknowledged: EventLoopFuture<Void>) {
        guard let context else { throw .connectionClosed(detail: "the session handler was removed") }
        // Serialised before the machine counts it, as in `write(context:data:promise:)`.
        let bytes = try serialised(stanza)
        let now = MonotonicInstant(nanoseconds: context.eventLoop.now.uptimeNanoseconds)
        let (token, write) = try machine.sendAcknowledged(stanza, now: now)
        let promise = context.eventLoop.makePromise(of: Void.self)
        continuity.addWaiter(promise, for: token)
        run(write, writing: bytes, of: stanza, promise: nil, context: context)
        flushIfNeeded(context: context)
        return (token, promise.futureResult)
    }

    /// The task waiting for stanza `token` was cancelled: its future fails
    /// with ``XMPPClientError/Code/notAcknowledged`` carrying a
    /// `CancellationError`. The stanza stays sent and counted.
    func stopWaitingForAcknowledgement(_ token: OutboundStanzaToken) {
        guard let promise = continuity.takeWaiter(token) else { return }
        logger.debug("XMPP acknowledged send stopped waiting", metadata: [XMPPLoggingKey.outboundStanza: "\(token)"])
        promise.fail(XMPPClientError.notAcknowledged(CancellationError()))
    }

    // MARK: Actions (called from `run(_:context:)`)

    /// Completes the waits of stanzas an `<a h/>` covered
    /// (``SessionStateMachine/Action/stanzasAcknowledged(_:)``).
    func acknowledged(_ tokens: [OutboundStanzaToken]) {
        for token in tokens {
            continuity.takeWaiter(token)?.succeed(())
        }
    }

    /// Fails the waits of stanzas no acknowledgement covered when the
    /// session ended, and logs the others, which nobody waits for (any
    /// more) (``SessionStateMachine/Action/stanzasNotAcknowledged(_:_:)``).
    func notAcknowledged(_ stanzas: [TrackedStanza<OutboundStanzaToken>], _ error: XMPPClientError) {
        var unawaited: [TrackedStanza<OutboundStanzaToken>] = []
        for stanza in stanzas {
            if let promise = continuity.takeWaiter(stanza.token) {
                promise.fail(XMPPClientError.notAcknowledged(error))
            } else {
                unawaited.append(stanza)
            }
        }
        guard !unawaited.isEmpty else { return }
        continuity.reportUnacknowledged?(unawaited.map(\.element), error)
        // One line, whatever the count; the first ids name what to look for.
        let ids = unawaited.prefix(16).map { $0.element[attribute: "id"] ?? "-" }.joined(separator: ",")
        logger.debug(
            "XMPP stanzas not known to be delivered: the session ended before they were acknowledged",
            metadata: [
                XMPPLoggingKey.unacknowledgedCount: "\(unawaited.count)",
                XMPPLoggingKey.stanzaID: "\(ids)\(unawaited.count > 16 ? ",..." : "")",
                XMPPLoggingKey.error: "\(error)",
            ])
    }

    /// Moves the ack-request timer to `instant`
    /// (``SessionStateMachine/Action/scheduleAckRequestTimer(_:)``).
    func scheduleAckRequestTimer(at instant: MonotonicInstant, context: ChannelHandlerContext) {
        ackRequestTimer?.cancel()
        ackRequestTimer = context.eventLoop.assumeIsolated().scheduleTask(
            deadline: .uptimeNanoseconds(instant.nanoseconds)
        ) { [self] in
            ackRequestTimer = nil
            guard let context = self.context else { return }
            let now = MonotonicInstant(nanoseconds: context.eventLoop.now.uptimeNanoseconds)
            run(machine.ackRequestTimerFired(at: instant, now: now))
        }
    }

    /// The bytes of a stanza about to be counted (XEP-0198): serialised
    /// first, so that one that cannot be written is never counted as sent.
    func serialised(_ stanza: OutboundStanza) throws(XMPPClientError) -> [UInt8] {
        do throws(XMLWriterError) {
            return try stanza.bytes(with: writer)
        } catch {
            logger.debug("XMPP element cannot be serialised", metadata: [XMPPLoggingKey.element: "\(stanza.name)"])
            throw .unserializableElement(error)
        }
    }
}
