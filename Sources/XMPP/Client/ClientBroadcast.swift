import Synchronization
import XMPPCore

/// The ``XMPPClient``'s inbound subscriptions, which outlive each
/// connection: the same ``InboundRouter`` rules (every subscription whose
/// filter accepts an element gets it; unclaimed elements are held, bounded)
/// behind a lock, since connections come and go on different event loops.
final class ClientInbound: Sendable {
    private let router: Mutex<InboundRouter>

    /// Creates the subscriptions' router.
    /// - Parameter holdLimit: How many unclaimed elements are kept.
    init(holdLimit: Int) {
        router = Mutex(InboundRouter(holdLimit: holdLimit))
    }

    /// A new subscription, until the client stops.
    func subscribe(_ filter: @escaping @Sendable (XMLElement) -> Bool) -> InboundElements {
        let (elements, queue) = InboundElements.makeStream()
        let id = router.withLock { $0.subscribe(filter: filter, queue: queue) }
        queue.setCancellationHandler { [weak self] in
            self?.router.withLock { $0.unsubscribe(id) }
        }
        return elements
    }

    /// Hands an element from the current session to the subscriptions.
    /// - Parameter answered: Whether one of the client's answerers took it
    ///   (then it is not held when no subscription takes it).
    /// - Returns: Whether a held element was dropped to make room.
    @discardableResult
    func deliver(_ element: XMLElement, answered: Bool = false) -> Bool {
        router.withLock { $0.deliver(element, claimedElsewhere: answered) } != nil
    }

    /// Ends every subscription: the client stopped.
    func finish(throwing error: (any Error)?) {
        router.withLock { $0.finish(throwing: error) }
    }
}

/// The ``XMPPClient``'s event subscriptions: each gets every event from its
/// start until the client stops.
final class ClientEvents: Sendable {
    private struct State {
        var continuations: [Int: AsyncStream<XMPPClient.Event>.Continuation] = [:]
        var nextID = 0
        var finished = false
    }

    private let state = Mutex(State())

    /// A new subscription.
    func subscribe() -> AsyncStream<XMPPClient.Event> {
        let (stream, continuation) = AsyncStream<XMPPClient.Event>.makeStream()
        let id: Int? = state.withLock { state in
            guard !state.finished else { return nil }
            let id = state.nextID
            state.nextID += 1
            state.continuations[id] = continuation
            return id
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.continuations.removeValue(forKey: id) }
        }
        return stream
    }

    /// Hands `event` to every subscription.
    func emit(_ event: XMPPClient.Event) {
        let continuations = state.withLock { Array($0.continuations.values) }
        for continuation in continuations { continuation.yield(event) }
    }

    /// Ends every subscription, and those made later.
    func finish() {
        let continuations = state.withLock { state in
            state.finished = true
            let all = Array(state.continuations.values)
            state.continuations.removeAll()
            return all
        }
        for continuation in continuations { continuation.finish() }
    }
}
