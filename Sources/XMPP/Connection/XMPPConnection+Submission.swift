import NIOCore
import XMPPCore

/// How an ``XMPPClient`` hands stanzas to the connection of the moment:
/// synchronously on the connection's event loop, so that the client learns
/// whether the session took the stanza (and from then on its ledger answers
/// for it: acknowledged, resent on resumption, or reported) or did not
/// (the session is gone, and the client keeps it for the next one).
extension XMPPConnection {
    /// A stanza the session took.
    struct Submission: Sendable {
        /// Its token, when a caller waits for its acknowledgement.
        var token: OutboundStanzaToken?
        /// Succeeds once the server acknowledged it; `nil` unless awaited.
        var acknowledged: EventLoopFuture<Void>?
    }

    /// Writes `stanza` now, through the session machine.
    /// - Parameters:
    ///   - stanza: A stanza, or another top-level element.
    ///   - awaited: Whether the caller waits for its acknowledgement
    ///     (XEP-0198 must be on).
    /// - Returns: Its token and acknowledgement, when awaited.
    /// - Throws: ``XMPPClientError/Code/connectionClosed`` when the session
    ///   cannot take it (nothing was written: keep it for the next session),
    ///   or the errors of ``send(_:)-(XMLElement)`` and
    ///   ``sendAcknowledged(_:)-(XMLElement)``, which are the element's.
    func submit(_ stanza: OutboundStanza, awaited: Bool) throws(XMPPClientError) -> Submission {
        let handler = self.handler.value
        if awaited {
            let (token, acknowledged) = try handler.startAcknowledgedSend(stanza)
            return Submission(token: token, acknowledged: acknowledged)
        }
        try handler.submit(stanza)
        return Submission()
    }
}

extension XMPPChannelHandler {
    /// Sends a stanza (or another top-level element) at once, as
    /// `write(context:data:promise:)` does, but reporting synchronously
    /// whether the machine took it. A message is serialised from the model.
    /// - Throws: ``XMPPClientError/Code/connectionClosed`` when the session
    ///   is not established (nothing written), or why the stanza cannot be
    ///   sent.
    func submit(_ stanza: OutboundStanza) throws(XMPPClientError) {
        guard let context else { throw .connectionClosed(detail: "the session handler was removed") }
        try send(stanza, promise: nil, context: context)
        flushIfNeeded(context: context)
    }

    /// Sends a top-level element now, as ``submit(_:)``, coalescing the
    /// flushes of a burst: the first send since the last read or turn-end
    /// flush is flushed at once (a lone message waits for nothing), the
    /// ones after it at the end of the loop's turn, together (one TLS
    /// record, one system call, instead of one each). More than
    /// ``coalescingLimit`` bytes waiting are flushed at once.
    ///
    /// The turn-end flush is scheduled by the second send, not the first:
    /// a lone send per turn (a request and its answer, a reply to each
    /// message read) then costs no event-loop task. A second send in a
    /// later turn with no read between waits for that turn's end, which is
    /// the same tick.
    /// - Throws: As ``submit(_:)``; nothing was written then.
    func submitCoalesced(_ stanza: OutboundStanza) throws(XMPPClientError) {
        guard let context else { throw .connectionClosed(detail: "the session handler was removed") }
        try send(stanza, promise: nil, context: context)
        if flushScheduled {
            if bytesSinceFlush >= Self.coalescingLimit { flushIfNeeded(context: context) }
        } else if !flushedSendAtOnce {
            flushedSendAtOnce = true
            flushIfNeeded(context: context)
        } else {
            scheduleTurnEndFlush(context: context)
        }
    }

    /// The most bytes a coalesced send leaves unflushed: one TLS record's
    /// worth of plaintext.
    static let coalescingLimit = 16 * 1024

    /// Sends an element through the machine: serialised first, so that a
    /// stanza that cannot be written is never counted as sent (XEP-0198).
    /// Does not flush. Shared by `write(context:data:promise:)` and
    /// ``submit(_:)``.
    /// - Throws: What serialising or the machine refused; nothing was written.
    func send(
        _ element: XMLElement, promise: EventLoopPromise<Void>?, context: ChannelHandlerContext
    ) throws(XMPPClientError) {
        try send(.element(element), promise: promise, context: context)
    }

    /// Sends a stanza through the machine, as ``send(_:promise:context:)-(XMLElement,_,_)``;
    /// a message is serialised from the model, without its element.
    /// - Throws: What serialising or the machine refused; nothing was written.
    func send(
        _ stanza: OutboundStanza, promise: EventLoopPromise<Void>?, context: ChannelHandlerContext
    ) throws(XMPPClientError) {
        let bytes = try serialised(stanza)
        let now = MonotonicInstant(nanoseconds: context.eventLoop.now.uptimeNanoseconds)
        let write = try machine.send(stanza, now: now)
        run(write, writing: bytes, of: stanza, promise: promise, context: context)
    }
}
