import NIOCore
import Synchronization
public import XMPPCore

/// One caller waiting for a stanza's acknowledgement across connections:
/// completed once, by whichever comes first (the acknowledgement, the
/// report that it is not known to be delivered, or the caller's
/// cancellation).
final class AcknowledgementWaiter: Sendable {
    private let promise: Mutex<EventLoopPromise<Void>?>
    /// Completes with the outcome.
    let futureResult: EventLoopFuture<Void>

    /// Creates a waiter on `eventLoop`.
    init(eventLoop: any EventLoop) {
        let promise = eventLoop.makePromise(of: Void.self)
        self.futureResult = promise.futureResult
        self.promise = Mutex(promise)
    }

    /// Completes the wait, unless it was completed before.
    func complete(_ result: Result<Void, any Error>) {
        promise.withLock { promise in
            let taken = promise
            promise = nil
            return taken
        }?.completeWith(result)
    }
}

extension XMPPClient {
    /// A stanza waiting for a session.
    struct QueuedStanza: Sendable {
        /// The stanza (or other top-level element).
        var stanza: OutboundStanza
        /// Who waits for its acknowledgement, if anyone.
        var waiter: AcknowledgementWaiter?
        /// Its element (built now for a message kept as one).
        var element: XMLElement { stanza.element }
    }

    /// Sends a top-level element on the current session, or queues it
    /// until there is one; returns once it was written or queued.
    ///
    /// Written stanzas are in the session's XEP-0198 ledger from then on:
    /// acknowledged, sent again after a resumption, or reported with
    /// ``Event/notDelivered(_:_:)``.
    /// - Throws: ``XMPPClientError``: ``XMPPClientError/Code/clientStopped``
    ///   after ``run()`` returned, ``XMPPClientError/Code/unacknowledgedLimitReached``
    ///   when the queue (or the session's ledger) is full, or why the
    ///   element cannot be sent (``XMPPClientError/Code/unserializableElement``).
    public func send(_ element: XMLElement) async throws(XMPPClientError) {
        try await send(.element(element))
    }

    /// Sends a stanza as ``send(_:)-(XMLElement)`` does.
    /// - Throws: As ``send(_:)-(XMLElement)``.
    func send(_ stanza: OutboundStanza) async throws(XMPPClientError) {
        guard !stopRequested else { throw .clientStopped }
        if queue.isEmpty, let connection = liveConnection {
            do {
                _ = try await connection.submit(stanza, awaited: false)
                return
            } catch where error.code == .connectionClosed {
                // The session just ended and took nothing: keep it for the next.
            }
        }
        try enqueue(QueuedStanza(stanza: stanza, waiter: nil))
    }

    /// Sends a message; see ``send(_:)-(XMLElement)``. The message is
    /// serialised straight from the model, without building its element.
    public func send(_ message: Message) async throws(XMPPClientError) {
        try await send(.message(message))
    }

    /// Sends a presence; see ``send(_:)-(XMLElement)``.
    public func send(_ presence: Presence) async throws(XMPPClientError) {
        try await send(presence.element)
    }

    /// Sends a stanza and returns once the server acknowledged it
    /// (XEP-0198), whatever reconnections and resumptions happen meanwhile.
    ///
    /// - Throws: ``XMPPClientError``: ``XMPPClientError/Code/notAcknowledged``
    ///   when the stanza is not known to be delivered (its session ended
    ///   for good, the server refused to resume it, the client stopped, or
    ///   the task was cancelled: the stanza may still have arrived);
    ///   ``XMPPClientError/Code/streamManagementNotEnabled`` when the
    ///   session has no acknowledgements; and the errors of
    ///   ``send(_:)-(XMLElement)``.
    public func sendAcknowledged(_ element: XMLElement) async throws(XMPPClientError) {
        try await sendAcknowledged(.element(element))
    }

    /// Sends a stanza as ``sendAcknowledged(_:)-(XMLElement)`` does.
    /// - Throws: As ``sendAcknowledged(_:)-(XMLElement)``.
    func sendAcknowledged(_ stanza: OutboundStanza) async throws(XMPPClientError) {
        guard !stopRequested else { throw .clientStopped }
        guard stanza.isStanza else { throw .notAStanza(stanza.name) }
        let waiter = AcknowledgementWaiter(eventLoop: eventLoopGroup.any())
        var submitted = false
        if queue.isEmpty, let connection = liveConnection {
            do {
                let submission = try await connection.submit(stanza, awaited: true)
                submission.acknowledged?.whenComplete { waiter.complete($0) }
                submitted = true
            } catch where error.code == .connectionClosed {
                // As in send(_:): keep it for the next session.
            }
        }
        if !submitted { try enqueue(QueuedStanza(stanza: stanza, waiter: waiter)) }
        try await XMPPConnection.waitForAcknowledgement(waiter.futureResult) {
            waiter.complete(.failure(XMPPClientError.notAcknowledged(CancellationError())))
        }
    }

    /// Sends a message and waits for its acknowledgement; see
    /// ``sendAcknowledged(_:)-(XMLElement)``.
    public func sendAcknowledged(_ message: Message) async throws(XMPPClientError) {
        try await sendAcknowledged(.message(message))
    }

    /// Adds a stanza to the queue for the next session.
    private func enqueue(_ stanza: QueuedStanza) throws(XMPPClientError) {
        guard queue.count < configuration.maximumQueuedStanzas else {
            throw .unacknowledgedLimitReached(configuration.maximumQueuedStanzas)
        }
        queue.append(stanza)
    }

    /// Sends the queued stanzas on a new session, oldest first, until the
    /// queue is empty (sends made meanwhile join its end).
    /// - Throws: ``XMPPClientError/Code/connectionClosed`` when the session
    ///   ended meanwhile; what was not sent stays queued.
    func flushQueue(into connection: XMPPConnection) async throws(XMPPClientError) {
        var refused: [XMLElement] = []
        var refusal: XMPPClientError?
        defer {
            if let refusal, !refused.isEmpty { eventSubscriptions.emit(.notDelivered(refused, refusal)) }
        }
        while let next = queue.first {
            do {
                let submission = try await connection.submit(next.stanza, awaited: next.waiter != nil)
                if let waiter = next.waiter { submission.acknowledged?.whenComplete { waiter.complete($0) } }
            } catch where error.code == .connectionClosed {
                throw error
            } catch {
                // This stanza cannot go out on this session (for example
                // no acknowledgements for an awaited one): tell, never drop.
                if let waiter = next.waiter {
                    waiter.complete(.failure(error))
                } else {
                    refused.append(next.element)
                    refusal = error
                }
            }
            queue.removeFirst()
        }
    }

    /// Fails every queued stanza with `error` (the client stopped).
    func failQueue(_ error: XMPPClientError) {
        let failed = queue
        queue.removeAll()
        var unawaited: [XMLElement] = []
        for stanza in failed {
            if let waiter = stanza.waiter {
                waiter.complete(.failure(XMPPClientError.notAcknowledged(error)))
            } else {
                unawaited.append(stanza.element)
            }
        }
        if !unawaited.isEmpty { eventSubscriptions.emit(.notDelivered(unawaited, error)) }
    }
}
