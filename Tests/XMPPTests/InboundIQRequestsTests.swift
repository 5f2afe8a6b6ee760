import Synchronization
import Testing
import XMPPCore

@testable import XMPP

/// Inbound IQ requests answered in a task each, started on arrival: kept
/// until answering starts, dropped after the end, and the end waits for
/// (and cancels) the answers still running.
@Suite struct InboundIQRequestsTests {
    static func request(_ id: String) -> InboundIQRequest {
        InboundIQRequest(
            iq: IQ(type: .get, id: id, payload: XMLElement("ping", namespace: "urn:xmpp:ping")),
            handler: IQRequestHandler(
                key: IQRequestRoutes.Key(namespace: "urn:xmpp:ping", localName: "ping"), registration: 1,
                body: { _ in nil }))
    }

    /// Waits (bounded) until `condition` holds.
    static func eventually(_ condition: () -> Bool) async throws {
        for _ in 0..<2_000 where !condition() {
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(condition())
    }

    @Test("Requests that came before answering started are answered then, each once")
    func keptUntilAnswering() async throws {
        let requests = InboundIQRequests()
        requests.yield(Self.request("r1"))
        requests.yield(Self.request("r2"))
        let answered = Mutex<[String]>([])
        requests.answer(with: { request in answered.withLock { $0.append(request.iq.id) } }, preferring: nil)
        requests.yield(Self.request("r3"))
        try await Self.eventually { answered.withLock { $0.count } == 3 && requests.runningCount == 0 }
        #expect(answered.withLock { $0.sorted() } == ["r1", "r2", "r3"])
        await requests.finishAndWait()
    }

    @Test("After finish, requests are dropped; an answer already running goes on")
    func finishDropsLaterRequests() async throws {
        let requests = InboundIQRequests()
        let release = AsyncStream<Void>.makeStream()
        let answered = Mutex<[String]>([])
        requests.answer(
            with: { request in
                if request.iq.id == "slow" {
                    for await _ in release.stream { break }
                }
                answered.withLock { $0.append(request.iq.id) }
            }, preferring: nil)
        requests.yield(Self.request("slow"))
        try await Self.eventually { requests.runningCount == 1 }
        requests.finish()
        requests.yield(Self.request("late"))
        release.continuation.yield()
        try await Self.eventually { requests.runningCount == 0 }
        #expect(answered.withLock { $0 } == ["slow"])
    }

    @Test("finishAndWait cancels the answers still running and returns once they ended")
    func finishAndWaitCancels() async throws {
        let requests = InboundIQRequests()
        let outcome = Mutex<[String]>([])
        requests.answer(
            with: { request in
                // Returns only when cancelled (or after a minute).
                try? await Task.sleep(for: .seconds(60))
                outcome.withLock { $0.append("\(request.iq.id):\(Task.isCancelled)") }
            }, preferring: nil)
        requests.yield(Self.request("a"))
        requests.yield(Self.request("b"))
        try await Self.eventually { requests.runningCount == 2 }
        await requests.finishAndWait()
        #expect(outcome.withLock { $0.sorted() } == ["a:true", "b:true"])
        #expect(requests.runningCount == 0)
    }

    @Test("Answering starts once: a second answer(with:) is ignored, and nothing starts after the end")
    func answerStartsOnce() async throws {
        let requests = InboundIQRequests()
        let first = Mutex(0), second = Mutex(0)
        requests.answer(with: { _ in first.withLock { $0 += 1 } }, preferring: nil)
        requests.answer(with: { _ in second.withLock { $0 += 1 } }, preferring: nil)
        requests.yield(Self.request("r1"))
        try await Self.eventually { first.withLock { $0 } == 1 }
        await requests.finishAndWait()
        let afterEnd = InboundIQRequests()
        await afterEnd.finishAndWait()
        afterEnd.answer(with: { _ in second.withLock { $0 += 1 } }, preferring: nil)
        afterEnd.yield(Self.request("r2"))
        try await Task.sleep(for: .milliseconds(20))
        #expect(second.withLock { $0 } == 0)
        #expect(afterEnd.runningCount == 0)
    }
}
