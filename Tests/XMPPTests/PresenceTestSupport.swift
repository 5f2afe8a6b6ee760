import NIOConcurrencyHelpers
import NIOEmbedded
import XMPPCore

@testable import XMPP

/// A ``PresenceTracker`` on a ``ConnectionHarness``: the tracker reads
/// presences while the session body waits; its two streams are collected in
/// the background; ``finish()`` ends the session.
final class PresenceHarness: Sendable {
    /// Bind features plus subscription pre-approval.
    static let preApprovalFeatures =
        "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
        + "<sub xmlns='urn:xmpp:features:pre-approval'/></stream:features>"

    let harness: ConnectionHarness
    let tracker: PresenceTracker
    let updates: Collected<PresenceUpdate>
    let events: Collected<PresenceSubscriptionEvent>
    private let done: Signal
    private let task: Task<Void, any Error>

    private init(harness: ConnectionHarness, tracker: PresenceTracker, done: Signal, task: Task<Void, any Error>) {
        self.harness = harness
        self.tracker = tracker
        self.done = done
        self.task = task
        let loop = harness.channel.testingEventLoop
        updates = Collected(tracker.updates, loop: loop)
        events = Collected(tracker.subscriptionEvents, loop: loop)
    }

    /// A session with a tracker; `beforeTracker` is what the server sends
    /// before the tracker exists.
    static func start(preApproval: Bool = true, beforeTracker: [String] = []) async throws -> PresenceHarness {
        let harness = try await ConnectionHarness.established(
            features: preApproval ? preApprovalFeatures : ScriptedServer.bindFeatures)
        for text in beforeTracker { try await harness.serverSends(text) }
        let tracker = harness.connection.presenceTracker()
        let done = Signal()
        let task = harness.run { _ in await done.wait() }
        return PresenceHarness(harness: harness, tracker: tracker, done: done, task: task)
    }

    /// The next presence the client writes.
    func nextPresence() async throws -> Presence {
        try Presence(element: XMLTestParsing.element(try await harness.nextWrite()))
    }

    /// Runs `operation` and returns the presence it wrote.
    func written(_ operation: @escaping @Sendable (PresenceTracker) async throws -> Void) async throws -> Presence {
        let tracker = self.tracker
        let running = Task { try await operation(tracker) }
        let presence = try await nextPresence()
        try await running.value
        return presence
    }

    /// The server sends a presence (XML).
    func serverSends(_ xml: String) async throws {
        try await harness.serverSends(xml)
    }

    /// Lets the session body return after the server ended the session.
    func release() async {
        done.fire()
        _ = try? await task.value
    }

    /// Ends the session and waits for both streams to finish.
    func finish() async throws {
        done.fire()
        try await harness.serverCloses()
        try await task.value
        try await updates.waitUntilFinished()
        try await events.waitUntilFinished()
    }
}

/// Everything an `AsyncStream` yields, collected by a background task, and
/// waits that run the testing event loop until enough has arrived (work
/// the loop enqueues for itself runs only when the test runs it).
final class Collected<Element: Sendable>: Sendable {
    struct Timeout: Error, CustomStringConvertible {
        var description: String
    }

    private struct State: Sendable {
        var items: [Element] = []
        var isFinished = false
    }

    /// A lock ThreadSanitizer sees (pthread). With `Mutex` it reported the
    /// collecting task and a polling wait as a race: a contended `Mutex` on
    /// Linux is handed over by the kernel (PI futex) inside the
    /// uninstrumented Synchronization library, so no happens-before edge.
    private let state = NIOLockedValueBox(State())
    private let loop: NIOAsyncTestingEventLoop

    init(_ stream: AsyncStream<Element>, loop: NIOAsyncTestingEventLoop) {
        self.loop = loop
        // Holds `self` until the stream ends, which the tests wait for.
        Task {
            for await item in stream { self.state.withLockedValue { $0.items.append(item) } }
            self.state.withLockedValue { $0.isFinished = true }
        }
    }

    /// What arrived so far.
    var items: [Element] { state.withLockedValue { $0.items } }
    /// Whether the stream finished.
    var isFinished: Bool { state.withLockedValue { $0.isFinished } }

    /// Waits (a bounded time) until `count` items arrived, and returns them all.
    @discardableResult
    func waitFor(count: Int) async throws -> [Element] {
        try await waitUntil("\(count) items") { $0.items.count >= count }
        return items
    }

    /// Waits (a bounded time) until the stream finished.
    func waitUntilFinished() async throws {
        try await waitUntil("the end of the stream") { $0.isFinished }
    }

    private func waitUntil(_ what: String, _ condition: (State) -> Bool) async throws {
        for _ in 0..<2000 {
            if state.withLockedValue({ condition($0) }) { return }
            await loop.run()
            try await Task.sleep(for: .milliseconds(1))
        }
        throw Timeout(description: "timed out waiting for \(what); have \(items)")
    }
}
