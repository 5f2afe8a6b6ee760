import NIOCore
import Synchronization
public import XMPPCore

/// One subscription's elements on their way from the router (on the event
/// loop) to the subscription's consumer (any task): an unbounded FIFO with
/// one reading end.
///
/// It does what `AsyncThrowingStream` did here, more cheaply for the one
/// pattern that matters: a consumer that finds elements already queued
/// takes them without suspending (no continuation, no task switch), which
/// is the common case when one read off the socket carries several
/// stanzas. Only an empty queue suspends the consumer.
///
/// Ending: ``finish(throwing:)`` (the producer: the session ended) lets the
/// consumer drain what is queued, then throws the error once, then returns
/// `nil`. ``cancel()`` (the consumer: its task was cancelled, or it dropped
/// the sequence) drops what is queued, returns `nil` from then on, and
/// tells the producer once through the handler given to
/// ``setCancellationHandler(_:)``, so the router stops queueing for it.
final class InboundQueue: Sendable {
    private enum End {
        case finished
        case failed(any Error)
        case cancelled
    }

    private struct State {
        var queued = CircularBuffer<XMLElement>(initialCapacity: 4)
        /// Consumers waiting for an element (normally at most one).
        var waiting: [UnsafeContinuation<XMLElement?, any Error>] = []
        var end: End?
        var onCancel: (@Sendable () -> Void)?

        /// What a consumer gets now, or `nil` when it has to wait.
        mutating func takeReady() -> Result<XMLElement?, any Error>? {
            // `removeFirst` moves the element out; `popFirst` read it
            // through `first` (a retain) before removing it (a release).
            if !queued.isEmpty { return .success(queued.removeFirst()) }
            switch end {
            case nil:
                return nil
            case .failed(let error):
                // Thrown once; afterwards the sequence is simply over.
                end = .finished
                return .failure(error)
            case .finished, .cancelled:
                return .success(nil)
            }
        }
    }

    private let state = Mutex(State())

    /// Creates an empty, open queue.
    init() {}

    /// Sets what runs (once, on the cancelling thread) when the consumer
    /// cancels before the producer finished.
    func setCancellationHandler(_ handler: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            guard case .cancelled = state.end else {
                state.onCancel = handler
                return false
            }
            return true
        }
        // Cancelled before the handler was set: the producer still has to
        // hear of it.
        if runNow { handler() }
    }

    /// Queues an element, or hands it straight to a waiting consumer.
    /// Ignored once the queue ended.
    func yield(_ element: XMLElement) {
        let waiter = state.withLock { state -> UnsafeContinuation<XMLElement?, any Error>? in
            guard state.end == nil else { return nil }
            if !state.waiting.isEmpty { return state.waiting.removeFirst() }
            state.queued.append(element)
            return nil
        }
        waiter?.resume(returning: element)
    }

    /// Ends the queue from the producer's side; queued elements are still
    /// read first. Ignored once the queue ended.
    func finish(throwing error: (any Error)? = nil) {
        let woken = state.withLock { state -> [(UnsafeContinuation<XMLElement?, any Error>, Result<XMLElement?, any Error>)] in
            guard state.end == nil else { return [] }
            state.end = error.map { .failed($0) } ?? .finished
            state.onCancel = nil
            // Readers wait only on an empty queue: the first gets the
            // error, if there is one, the others the end.
            let waiters = state.waiting
            state.waiting = []
            return waiters.map { ($0, state.takeReady() ?? .success(nil)) }
        }
        for (waiter, result) in woken { waiter.resume(with: result) }
    }

    /// Ends the queue from the consumer's side: what is queued is dropped
    /// and the cancellation handler runs. Ignored once the queue ended.
    func cancel() {
        let (waiters, handler) = state.withLock {
            state -> ([UnsafeContinuation<XMLElement?, any Error>], (@Sendable () -> Void)?) in
            guard state.end == nil else { return ([], nil) }
            state.end = .cancelled
            state.queued.removeAll()
            let handler = state.onCancel
            state.onCancel = nil
            let waiters = state.waiting
            state.waiting = []
            return (waiters, handler)
        }
        for waiter in waiters { waiter.resume(returning: nil) }
        handler?()
    }

    /// What the consumer gets without waiting: the next element, or the
    /// end (`nil` inside, or the error once); `nil` when it would have to
    /// wait. Synchronous, so a consumer draining what one read queued pays
    /// no executor check per element (each `await` of an isolated async
    /// function costs one, and one under a task executor preference takes
    /// a lock).
    func nextReady() -> Result<XMLElement?, any Error>? {
        state.withLock { $0.takeReady() }
    }

    /// The next element, `nil` at the end; suspends only when nothing is
    /// queued. Cancelling the waiting task cancels the queue.
    /// - Throws: The error the producer finished with, once.
    func next(isolation actor: isolated (any Actor)? = #isolation) async throws -> XMLElement? {
        if let ready = nextReady() { return try ready.get() }
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation(isolation: actor) { continuation in
                let ready = state.withLock { state -> Result<XMLElement?, any Error>? in
                    if let ready = state.takeReady() { return ready }
                    state.waiting.append(continuation)
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            self.cancel()
        }
    }

    /// How many elements wait to be read (for tests).
    var queuedCount: Int { state.withLock { $0.queued.count } }
    /// How many readers wait for an element (for tests).
    var waitingCount: Int { state.withLock { $0.waiting.count } }
}

/// The reading end of an ``InboundQueue``, shared by a sequence and the
/// iterators made from it: when the last of them goes away, nobody can
/// read any more and the queue is cancelled (as dropping an
/// `AsyncThrowingStream` does).
final class InboundConsumer: Sendable {
    let queue: InboundQueue

    init(_ queue: InboundQueue) {
        self.queue = queue
    }

    deinit {
        queue.cancel()
    }
}

/// A subscription's elements as an asynchronous sequence: what the public
/// streams (``XMPPInboundStream``, ``XMPPStanzaStream``) wrap.
///
/// `@usableFromInline` because the public streams' `next` is inlinable (see
/// ``XMPPStanzaStream/AsyncIterator``); the compiler then requires it of
/// every protocol witness here too.
@usableFromInline
struct InboundElements: AsyncSequence, Sendable {
    @usableFromInline
    typealias Element = XMLElement
    @usableFromInline
    typealias Failure = any Error

    let consumer: InboundConsumer

    /// A new queue and the sequence that reads it.
    static func makeStream() -> (elements: InboundElements, queue: InboundQueue) {
        let queue = InboundQueue()
        return (InboundElements(consumer: InboundConsumer(queue)), queue)
    }

    @usableFromInline
    func makeAsyncIterator() -> Iterator {
        Iterator(consumer: consumer)
    }

    /// Reads the queue; the sequence and its iterators share one consumer.
    @usableFromInline
    struct Iterator: AsyncIteratorProtocol {
        let consumer: InboundConsumer

        @usableFromInline
        mutating func next() async throws -> XMLElement? {
            try await consumer.queue.next(isolation: nil)
        }

        @usableFromInline
        mutating func next(isolation actor: isolated (any Actor)?) async throws(any Error) -> XMLElement? {
            try await consumer.queue.next(isolation: actor)
        }

        /// The next element or the end when either is there without
        /// waiting; `nil` when ``next(isolation:)`` would suspend.
        @usableFromInline
        func nextReady() -> Result<XMLElement?, any Error>? {
            consumer.queue.nextReady()
        }
    }
}
