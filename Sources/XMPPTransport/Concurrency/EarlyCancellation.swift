import Synchronization

/// Awaits a callback-based operation that cannot itself be stopped, ending
/// the wait as soon as the task is cancelled.
///
/// A blocking resolver call on a thread pool or a connect in flight keeps
/// running after cancellation; waiting for it would make cancellation take
/// as long as the operation's own time limit. Instead the caller gets
/// `CancellationError` at once and a late success goes to `discard`, which
/// releases it (closes a channel), so nothing leaks.
/// - Parameters:
///   - start: Starts the operation; it must call the completion exactly once.
///     Not called at all when the task is already cancelled.
///   - discard: Receives a value that arrived after cancellation.
/// - Returns: The operation's value.
/// - Throws: The operation's error, or `CancellationError`.
func withEarlyCancellation<Value: Sendable>(
    start: (@escaping @Sendable (Result<Value, any Error>) -> Void) -> Void,
    discard: @escaping @Sendable (Value) -> Void = { _ in }
) async throws -> Value {
    let box = EarlyCancellationBox<Value>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
            guard box.install(continuation) else {
                continuation.resume(throwing: CancellationError())
                return
            }
            start { result in
                if let waiting = box.takeForCompletion() {
                    waiting.resume(with: result)
                } else if case .success(let value) = result {
                    discard(value)
                }
            }
        }
    } onCancel: {
        box.takeForCancellation()?.resume(throwing: CancellationError())
    }
}

/// Hands the continuation to whichever comes first: completion or cancellation.
private final class EarlyCancellationBox<Value: Sendable>: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<Value, any Error>)
        case cancelled
        case finished
    }

    private let state = Mutex(State.idle)

    /// Stores the continuation; `false` when cancellation came first.
    func install(_ continuation: CheckedContinuation<Value, any Error>) -> Bool {
        state.withLock { state in
            guard case .idle = state else { return false }
            state = .waiting(continuation)
            return true
        }
    }

    /// The continuation to complete normally, unless cancellation took it.
    func takeForCompletion() -> CheckedContinuation<Value, any Error>? {
        state.withLock { state in
            guard case .waiting(let continuation) = state else { return nil }
            state = .finished
            return continuation
        }
    }

    /// The continuation to fail with `CancellationError`, if still waiting;
    /// marks the box so a continuation installed later fails at once.
    func takeForCancellation() -> CheckedContinuation<Value, any Error>? {
        state.withLock { state in
            switch state {
            case .idle:
                state = .cancelled
                return nil
            case .waiting(let continuation):
                state = .cancelled
                return continuation
            case .cancelled, .finished:
                return nil
            }
        }
    }
}
