import XMPPCore

/// Who receives which inbound element: the subscriptions of the
/// application and of the library's own features (presence, chat, roster
/// caches), each with a filter, and a bounded hold for elements nobody has
/// asked for yet.
///
/// Every subscription whose filter accepts an element receives it, in
/// arrival order; subscriptions do not take elements away from each other.
/// An element no subscription accepts is held (at most `holdLimit`, the
/// oldest dropped first) and handed, in order, to the first later
/// subscription that accepts it. That closes the gap between the session
/// being established and the application subscribing: a message sent to
/// the full JID right after binding is not lost, yet a session whose
/// application never subscribes to presences does not grow without bound.
///
/// Confined to the channel's event loop (it lives in the channel handler);
/// pure apart from yielding into the subscriptions' queues.
struct InboundRouter {
    /// Decides whether a subscription receives an element.
    typealias Filter = @Sendable (XMLElement) -> Bool

    /// Identifies a subscription, to end it.
    struct SubscriptionID: Hashable, Sendable {
        fileprivate let value: UInt64
    }

    /// What a dropped held element was, for the log.
    struct DroppedElement {
        /// The element's name.
        var name: XMLQualifiedName
    }

    private struct Subscription {
        let id: SubscriptionID
        let filter: Filter
        let queue: InboundQueue
    }

    private var subscriptions: [Subscription] = []
    private var held: [XMLElement] = []
    private var nextID: UInt64 = 0
    /// Set once the session ended; later subscriptions end at once.
    private var ending: Ending?
    let holdLimit: Int

    private enum Ending: Equatable {
        static func == (lhs: Ending, rhs: Ending) -> Bool {
            switch (lhs, rhs) {
            case (.finished, .finished), (.failed, .failed): true
            default: false
            }
        }

        case finished
        case failed(any Error)
    }

    /// Creates an empty router.
    /// - Parameter holdLimit: How many unclaimed elements are kept for
    ///   later subscriptions; 0 keeps none.
    init(holdLimit: Int) {
        self.holdLimit = max(0, holdLimit)
    }

    /// How many subscriptions are active.
    var subscriptionCount: Int { subscriptions.count }
    /// How many elements are held for later subscriptions.
    var heldCount: Int { held.count }
    /// Whether the session ended.
    var isEnded: Bool { ending != nil }

    /// Adds a subscription and hands it the held elements it accepts.
    /// After the session ended, the queue is finished instead.
    /// - Returns: The subscription's id, for ``unsubscribe(_:)``.
    mutating func subscribe(filter: @escaping Filter, queue: InboundQueue) -> SubscriptionID {
        let id = SubscriptionID(value: nextID)
        nextID &+= 1
        switch ending {
        case .finished:
            queue.finish()
            return id
        case .failed(let error):
            queue.finish(throwing: error)
            return id
        case nil:
            break
        }
        for element in takeHeld(where: filter) {
            queue.yield(element)
        }
        subscriptions.append(Subscription(id: id, filter: filter, queue: queue))
        return id
    }

    /// Removes and returns, in arrival order, the held elements `filter`
    /// accepts: what a new subscriber (a queue, or a message answerer that
    /// lives outside the router) receives first.
    mutating func takeHeld(where filter: Filter) -> [XMLElement] {
        guard !held.isEmpty else { return [] }
        var taken: [XMLElement] = []
        var kept: [XMLElement] = []
        for element in held {
            if filter(element) {
                taken.append(element)
            } else {
                kept.append(element)
            }
        }
        held = kept
        return taken
    }

    /// Ends a subscription (its consumer went away); its stream is finished.
    mutating func unsubscribe(_ id: SubscriptionID) {
        guard let index = subscriptions.firstIndex(where: { $0.id == id }) else { return }
        subscriptions.remove(at: index).queue.finish()
    }

    /// Hands an element to every subscription that accepts it, or holds it.
    /// - Parameter claimedElsewhere: Whether a receiver outside the router
    ///   (a message answerer) took it already: then it is not held when no
    ///   subscription accepts it.
    /// - Returns: The held element dropped to make room, if one was.
    @discardableResult
    mutating func deliver(_ element: XMLElement, claimedElsewhere: Bool = false) -> DroppedElement? {
        guard !isEnded else { return nil }
        var claimed = claimedElsewhere
        // By index: iterating the array copied each subscription out (a
        // retain and a release of its filter and its queue per stanza).
        for index in subscriptions.indices where subscriptions[index].filter(element) {
            subscriptions[index].queue.yield(element)
            claimed = true
        }
        guard !claimed else { return nil }
        guard holdLimit > 0 else { return DroppedElement(name: element.name) }
        var dropped: DroppedElement?
        if held.count >= holdLimit {
            dropped = DroppedElement(name: held.removeFirst().name)
        }
        held.append(element)
        return dropped
    }

    /// Ends every subscription (with `error`, if there is one) and those
    /// made later; held elements are released.
    mutating func finish(throwing error: (any Error)?) {
        guard !isEnded else { return }
        ending = error.map { .failed($0) } ?? .finished
        let ended = subscriptions
        subscriptions.removeAll()
        held.removeAll()
        for subscription in ended {
            if let error {
                subscription.queue.finish(throwing: error)
            } else {
                subscription.queue.finish()
            }
        }
    }
}
