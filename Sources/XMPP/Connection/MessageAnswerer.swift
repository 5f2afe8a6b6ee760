import Synchronization
import XMPPCore

/// One registration of ``XMPPConnection/answerMessages(from:_:)``: which
/// inbound messages it takes and what it answers them with.
///
/// Immutable and identified by reference, so that the channel handler can
/// remove exactly this registration (a later one for the same peer is
/// another object).
final class MessageAnswerer: Sendable {
    /// Which inbound elements it takes; called on the event loop.
    let filter: InboundRouter.Filter
    /// Makes the answer to a message, or `nil` for none; called on the
    /// event loop.
    let answer: @Sendable (Message) -> Message?

    init(filter: @escaping InboundRouter.Filter, answer: @escaping @Sendable (Message) -> Message?) {
        self.filter = filter
        self.answer = answer
    }
}

/// The answerers of an ``XMPPClient`` (``XMPPClient/answerMessages(from:_:)``):
/// they outlive each connection, so every connection's channel handler
/// reads them here, per message, instead of keeping a copy. Registration
/// and cancellation happen on any task, reads on any connection's event
/// loop, hence the lock.
final class SharedMessageAnswerers: Sendable {
    private let answerers = Mutex<[MessageAnswerer]>([])

    /// The answerers now, in registration order.
    var current: [MessageAnswerer] { answerers.withLock { $0 } }

    /// Adds an answerer after the others.
    func add(_ answerer: MessageAnswerer) {
        answerers.withLock { $0.append(answerer) }
    }

    /// Removes exactly this registration.
    func remove(_ answerer: MessageAnswerer) {
        answerers.withLock { $0.removeAll { $0 === answerer } }
    }

    /// Whether any answerer takes `element`. Asked for every element a
    /// client reads, so the filters run under the lock rather than on a
    /// copy of the list (they are pure and quick; answers never run here).
    func accepts(_ element: XMLElement) -> Bool {
        answerers.withLock { $0.contains { $0.filter(element) } }
    }
}
