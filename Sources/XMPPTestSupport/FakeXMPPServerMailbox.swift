internal import NIOCore
internal import Synchronization

/// A queue with one reader whose every wait has a deadline: the event loop
/// pushes, a test script takes. Once finished, the items already queued are
/// still handed out, then every take fails with the finishing error, so a
/// script waiting on a connection that ended fails at once instead of
/// hanging.
final class FakeXMPPServerMailbox<Item: Sendable>: Sendable {
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Item, any Error>
    }

    /// What a wait finds when it starts.
    private enum Outcome {
        case item(Item)
        case failure(FakeXMPPServerError)
        case waiting
    }

    private struct State {
        var items = CircularBuffer<Item>()
        var finished: FakeXMPPServerError?
        var waiter: Waiter?
        var lastWaiterID: UInt64 = 0
    }

    private let state = Mutex(State())
    /// Where the deadlines run.
    private let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Queues `item`, or hands it straight to the waiting reader.
    func push(_ item: Item) {
        let waiter = state.withLock { state -> Waiter? in
            guard state.finished == nil else { return nil }
            guard let waiter = state.waiter else {
                state.items.append(item)
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.continuation.resume(returning: item)
    }

    /// Ends the queue: after the queued items, takes fail with `error`.
    /// Only the first finish counts.
    func finish(_ error: FakeXMPPServerError) {
        let waiter = state.withLock { state -> Waiter? in
            guard state.finished == nil else { return nil }
            state.finished = error
            guard state.items.isEmpty else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.continuation.resume(throwing: error)
    }

    /// Whether ``finish(_:)`` was called.
    var isFinished: Bool { state.withLock { $0.finished != nil } }

    /// The finishing error, once finished.
    var finishingError: FakeXMPPServerError? { state.withLock { $0.finished } }

    /// How many items wait to be taken.
    var count: Int { state.withLock { $0.items.count } }

    /// The next item, waiting at most `timeout`.
    /// - Parameter what: What is waited for, for the timeout's message.
    /// - Throws: ``FakeXMPPServerError`` of kind `timeout`, `cancelled`,
    ///   `concurrentWait`, or the finishing error.
    func next(timeout: Duration, what: @autoclosure () -> String) async throws(FakeXMPPServerError) -> Item {
        let description = what()
        let id = state.withLock { state -> UInt64 in
            state.lastWaiterID += 1
            return state.lastWaiterID
        }
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    wait(id: id, continuation: continuation, timeout: timeout, what: description)
                }
            } onCancel: {
                expire(id: id, with: FakeXMPPServerError(.cancelled, "the task waiting for \(description) was cancelled"))
            }
        } catch let error as FakeXMPPServerError {
            throw error
        } catch {
            throw FakeXMPPServerError(.cancelled, "waiting for \(description): \(error)")
        }
    }

    private func wait(id: UInt64, continuation: CheckedContinuation<Item, any Error>, timeout: Duration, what: String) {
        let outcome = state.withLock { state -> Outcome in
            if let item = state.items.popFirst() { return .item(item) }
            if let finished = state.finished { return .failure(finished) }
            guard state.waiter == nil else {
                return .failure(FakeXMPPServerError(.concurrentWait, "two tasks wait on one connection at once"))
            }
            // A cancellation that ran before this point already used the id.
            guard state.lastWaiterID == id else {
                return .failure(FakeXMPPServerError(.cancelled, "cancelled while waiting for \(what)"))
            }
            state.waiter = Waiter(id: id, continuation: continuation)
            return .waiting
        }
        switch outcome {
        case .item(let item):
            continuation.resume(returning: item)
        case .failure(let error):
            continuation.resume(throwing: error)
        case .waiting:
            // Fires harmlessly later if an item came first: the id no longer matches.
            eventLoop.scheduleTask(in: TimeAmount(timeout)) {
                self.expire(id: id, with: FakeXMPPServerError(.timeout, "no \(what) within \(timeout)"))
            }
        }
    }

    /// Fails the waiter `id` if it is still waiting.
    private func expire(id: UInt64, with error: FakeXMPPServerError) {
        let waiter = state.withLock { state -> Waiter? in
            guard let waiter = state.waiter, waiter.id == id else {
                // Cancelled before waiting: make the coming wait fail at once.
                if state.waiter == nil, state.lastWaiterID == id, error.kind == .cancelled { state.lastWaiterID += 1 }
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.continuation.resume(throwing: error)
    }
}
