import Synchronization
import Testing
import XMPPCore

@testable import XMPP

/// The queue between the router and a subscription's consumer: order,
/// waiting, how each side ends it, and that the producer hears of a
/// consumer that went away exactly once.
@Suite struct InboundQueueTests {
    static func message(_ id: String) -> XMLElement {
        Message(type: .chat, id: id, body: "b").element
    }

    static func id(_ element: XMLElement?) -> String? {
        element?[attribute: "id"]
    }

    /// Waits (bounded) until a consumer is parked on the queue.
    static func waitUntilWaiting(_ queue: InboundQueue) async throws {
        for _ in 0..<2_000 where queue.waitingCount == 0 {
            try await Task.sleep(for: .milliseconds(1))
        }
        try #require(queue.waitingCount == 1, "the reader never started waiting")
    }

    @Test("Queued elements are read in order, then the producer's finish ends the sequence")
    func queuedInOrder() async throws {
        let (elements, queue) = InboundElements.makeStream()
        for id in ["m1", "m2", "m3"] { queue.yield(Self.message(id)) }
        #expect(queue.queuedCount == 3)
        queue.finish()
        var ids: [String] = []
        for try await element in elements { ids.append(Self.id(element) ?? "?") }
        #expect(ids == ["m1", "m2", "m3"])
        #expect(queue.queuedCount == 0)
    }

    @Test("A reader waiting on an empty queue gets the next element yielded")
    func waitingReaderIsWoken() async throws {
        let (elements, queue) = InboundElements.makeStream()
        let reader = Task {
            var iterator = elements.makeAsyncIterator()
            return Self.id(try await iterator.next())
        }
        try await Self.waitUntilWaiting(queue)
        queue.yield(Self.message("late"))
        #expect(try await reader.value == "late")
        #expect(queue.queuedCount == 0, "handed over, not queued")
    }

    @Test("Finishing with an error: what is queued is read first, the error is thrown once, then the end")
    func errorAfterQueued() async throws {
        let (elements, queue) = InboundElements.makeStream()
        queue.yield(Self.message("m1"))
        queue.finish(throwing: XMPPClientError.connectionClosed(detail: "test"))
        queue.finish()   // the first ending stands
        queue.yield(Self.message("m2"))   // ignored after the end
        var iterator = elements.makeAsyncIterator()
        #expect(Self.id(try await iterator.next()) == "m1")
        await #expect(throws: XMPPClientError.self) { _ = try await iterator.next() }
        #expect(try await iterator.next() == nil)
    }

    @Test("A waiting reader is woken by the producer's error")
    func waitingReaderGetsError() async throws {
        let (elements, queue) = InboundElements.makeStream()
        let reader = Task {
            var iterator = elements.makeAsyncIterator()
            return try await iterator.next()
        }
        try await Self.waitUntilWaiting(queue)
        queue.finish(throwing: XMPPClientError.connectionClosed(detail: "test"))
        await #expect(throws: XMPPClientError.self) { _ = try await reader.value }
    }

    @Test("Cancelling the waiting reader ends the queue for good and tells the producer once")
    func cancellingTheReader() async throws {
        let (elements, queue) = InboundElements.makeStream()
        let told = Mutex(0)
        queue.setCancellationHandler { told.withLock { $0 += 1 } }
        let reader = Task {
            var iterator = elements.makeAsyncIterator()
            let first = try await iterator.next()
            let second = try await iterator.next()
            return (first, second)
        }
        try await Self.waitUntilWaiting(queue)
        reader.cancel()
        let (first, second) = try await reader.value
        #expect(first == nil && second == nil)
        queue.yield(Self.message("m1"))
        queue.finish()
        queue.cancel()
        #expect(queue.queuedCount == 0, "nothing is queued for a reader that is gone")
        #expect(told.withLock { $0 } == 1)
    }

    @Test("Cancelling drops what was queued")
    func cancelDropsQueued() async throws {
        let (elements, queue) = InboundElements.makeStream()
        queue.yield(Self.message("m1"))
        queue.cancel()
        #expect(queue.queuedCount == 0)
        var iterator = elements.makeAsyncIterator()
        #expect(try await iterator.next() == nil)
    }

    @Test("Dropping the sequence and its iterators tells the producer; a finished queue does not")
    func droppingTheReader() async throws {
        let told = Mutex(0)
        var queue: InboundQueue
        do {
            let (elements, made) = InboundElements.makeStream()
            queue = made
            queue.setCancellationHandler { told.withLock { $0 += 1 } }
            var iterator = elements.makeAsyncIterator()
            queue.yield(Self.message("m1"))
            #expect(Self.id(try await iterator.next()) == "m1")
            #expect(told.withLock { $0 } == 0, "still read while the iterator lives")
        }
        #expect(told.withLock { $0 } == 1)
        do {
            let (elements, made) = InboundElements.makeStream()
            queue = made
            queue.setCancellationHandler { told.withLock { $0 += 1 } }
            queue.finish()
            _ = elements
        }
        #expect(told.withLock { $0 } == 1, "the producer ended it itself")
    }

    @Test("A cancellation handler set after the reader went away runs at once")
    func handlerAfterCancel() async throws {
        let (_, queue) = InboundElements.makeStream()
        // The sequence was dropped right away: the queue is cancelled.
        let told = Mutex(0)
        queue.setCancellationHandler { told.withLock { $0 += 1 } }
        #expect(told.withLock { $0 } == 1)
    }

    @Test("Two readers at once share the elements, each element read once")
    func twoReaders() async throws {
        let (elements, queue) = InboundElements.makeStream()
        let readers = (0..<2).map { _ in
            Task {
                var iterator = elements.makeAsyncIterator()
                var ids: [String] = []
                while let element = try await iterator.next() { ids.append(Self.id(element) ?? "?") }
                return ids
            }
        }
        let sent = (0..<200).map { "m\($0)" }
        for id in sent { queue.yield(Self.message(id)) }
        queue.finish()
        var read: [String] = []
        for reader in readers { read += try await reader.value }
        #expect(read.sorted() == sent.sorted())
    }
}
