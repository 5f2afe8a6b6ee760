import Synchronization

/// The inbound IQ requests of one session that have a handler, each
/// answered in a task of its own started when the request arrives.
///
/// Why not one long-lived task reading a stream of requests: that task
/// (and its task group) would be held by every session for its whole life,
/// about 5 KiB each, while most sessions never receive a request. Here an
/// idle session holds only this object; a task exists while a handler runs.
///
/// Requests that arrive before ``answer(with:preferring:)`` is called are
/// kept and answered then. ``finish()`` (the session ended) drops later
/// requests; ``finishAndWait()`` also cancels the answers still running
/// and waits for them, so `withConnection` does not return while one of
/// its handlers still runs.
final class InboundIQRequests: Sendable {
    /// Answers one request.
    typealias Answer = @Sendable (InboundIQRequest) async -> Void

    private struct State {
        var waiting: [InboundIQRequest] = []
        var answer: Answer?
        var executor: (any TaskExecutor)?
        var running: [UInt64: Task<Void, Never>] = [:]
        var nextID: UInt64 = 0
        var finished = false
    }

    private let state = Mutex(State())

    /// Creates an empty set of requests; nothing is answered until
    /// ``answer(with:preferring:)``.
    init() {}

    /// Starts answering: the requests kept so far, then each one as it
    /// arrives, each in a new task that prefers `executor`.
    func answer(with answer: @escaping Answer, preferring executor: (any TaskExecutor)?) {
        state.withLock { state in
            guard !state.finished, state.answer == nil else { return }
            state.answer = answer
            state.executor = executor
            let waiting = state.waiting
            state.waiting = []
            for request in waiting { start(request, in: &state) }
        }
    }

    /// Hands over a request from the channel handler; dropped once
    /// finished.
    func yield(_ request: InboundIQRequest) {
        state.withLock { state in
            guard !state.finished else { return }
            guard state.answer != nil else {
                state.waiting.append(request)
                return
            }
            start(request, in: &state)
        }
    }

    /// No request is answered any more (the session ended); the answers
    /// running go on.
    func finish() {
        state.withLock { state in
            state.finished = true
            state.waiting = []
            state.answer = nil
        }
    }

    /// Ends it: no request is answered any more; the answers running are
    /// cancelled, and this returns once they all finished.
    func finishAndWait() async {
        finish()
        let running = state.withLock { Array($0.running.values) }
        for task in running { task.cancel() }
        for task in running { await task.value }
    }

    /// Whether requests are no longer taken (for tests).
    var isFinished: Bool { state.withLock { $0.finished } }

    /// How many answers are running (for tests).
    var runningCount: Int { state.withLock { $0.running.count } }

    /// Starts the task for one request; under the lock, so the task (which
    /// removes itself when done) always finds its entry.
    private func start(_ request: InboundIQRequest, in state: inout State) {
        guard let answer = state.answer else { return }
        let id = state.nextID
        state.nextID &+= 1
        state.running[id] = Task(executorPreference: state.executor) { [self] in
            await answer(request)
            _ = self.state.withLock { $0.running.removeValue(forKey: id) }
        }
    }
}
