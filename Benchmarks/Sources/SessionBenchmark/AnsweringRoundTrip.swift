// The round-trip scenario written against `XMPPConnection.answerMessages`:
// each echo is answered with the next message on the event loop, inside
// the read that delivered it, as libstrophe's handler does in
// strophe_bench.c. `--api answer` selects it.

import Synchronization
import XMPP
import XMPPCore

/// The answerer's state: where the run is, what it measured, and how it
/// ended.
private struct AnsweringState {
    var index = 0
    var sentAt = 0.0
    var samples: [Double] = []
    var failure: BenchError?
    var finished = false
}

/// `count` sequential messages to the session's own JID, each sent by the
/// answerer that received the previous one's echo; returns the round trips
/// in µs, timed from the moment each message is handed to the library.
func roundTripAnswering(_ connection: XMPPConnection, own: JID, count: Int) async throws -> [Double] {
    let state = Mutex(AnsweringState())
    state.withLock { $0.samples.reserveCapacity(count) }
    let (ends, end) = AsyncStream<Void>.makeStream()
    // Ends when the session does, so that a run whose session fails does
    // not wait for ever.
    let sessionEnd = connection.elements { _ in false }
    let registration = connection.answerMessages(from: own) { message in
        let arrived = now()
        return state.withLock { state -> Message? in
            guard !state.finished else { return nil }
            if message.type == .error {
                state.failure = .failed("message error from the server")
                state.finished = true
                end.finish()
                return nil
            }
            guard message.id == "rt-\(state.index)" else { return nil }
            state.samples.append((arrived - state.sentAt) * 1e6)
            state.index += 1
            if state.index == count {
                state.finished = true
                end.finish()
                return nil
            }
            let next = benchMessage(to: own, id: "rt-\(state.index)", sequence: state.index)
            state.sentAt = now()
            return next
        }
    }
    defer { Task { await registration.cancel() } }
    let first = benchMessage(to: own, id: "rt-0", sequence: 0)
    state.withLock { $0.sentAt = now() }
    try await connection.send(first)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            for await _ in ends {}
        }
        group.addTask {
            for try await _ in sessionEnd {}
            throw BenchError.failed("the session ended during the round trips")
        }
        try await group.next()
        group.cancelAll()
    }
    return try state.withLock { state in
        if let failure = state.failure { throw failure }
        return state.samples
    }
}
