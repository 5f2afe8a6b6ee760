// The idle-sessions scenario: how much memory one more established, idle
// session costs. Its C counterpart is the `idle` scenario of
// Benchmarks/libstrophe/strophe_bench.c; both print the same fields.
//
//   idle N   warm-up login (first account, opened and closed, so that the
//            one-off costs — GnuTLS's and NIO's start-up, the event loop
//            threads, the first TLS configuration — are not charged to the
//            sessions); memory sample; N sessions on N accounts
//            (<user>00001 … with password <account><password>), at most
//            --parallel logins in flight, each as in `login` (STARTTLS,
//            verified TLS 1.3, SCRAM-SHA-1, bind, available presence and its
//            echo); once all are up, --settle seconds of idling; memory
//            sample; then every session sends an unavailable presence (which
//            fails on a session the server dropped) and closes cleanly.
//
// kib_per_session is (VmRSS after − VmRSS before) / sessions up. The library
// keeps its defaults (XEP-0198, liveness keepalives) unless --sm off.
// With --best-effort on, failed logins are counted instead of ending the
// run, and new logins stop after `maxFailures`: the "as many as it can" run.
import Foundation
import Synchronization
import XMPP
import XMPPCore

/// Holds every session open until ``release()``; one continuation per
/// waiting session, so the harness adds little to what is measured.
final class ReleaseGate: Sendable {
    private struct State {
        var released = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    /// Returns once ``release()`` was called (at once if it was already).
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state in
                if state.released { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Lets every waiting session (and every later one) go on.
    func release() {
        let waiters = state.withLock { state in
            state.released = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// What a session's task tells the loop that starts new logins.
enum LoginEvent: Sendable {
    case up
    case failed(String)
}

/// How a session's task ended.
enum SessionEnd: Sendable {
    /// Logged in, stayed up, closed cleanly.
    case closed
    /// Logged in, but its connection was gone when it was time to close.
    case dropped
    /// Never logged in.
    case failedLogin
}

/// Failed logins after which a best-effort run starts no more.
let maxFailures = 100

/// The account and password of idle session `index` (1-based).
func idleAccount(_ options: Options, _ index: Int) -> (user: String, password: String) {
    let user = options.user + String(format: "%05d", index)
    return (user, user + options.password)
}

/// One idle session: logs in, reports, waits at the gate, then closes.
func idleSession(_ options: Options, index: Int, gate: ReleaseGate, events: AsyncStream<LoginEvent>.Continuation) async
    -> SessionEnd
{
    var accountOptions = options
    (accountOptions.user, accountOptions.password) = idleAccount(options, index)
    do {
        return try await XMPPConnection.withConnection(configuration: try configuration(accountOptions)) { connection in
            guard connection.authenticationMechanism == .scramSHA1 else {
                throw BenchError.failed("authenticated with \(connection.authenticationMechanism), not SCRAM-SHA-1")
            }
            try await becomeAvailable(connection)
            events.yield(.up)
            await gate.wait()
            // A write on a connection the server closed fails: this is how
            // a session that did not survive the idle phase is noticed.
            do {
                try await connection.send(Presence(type: .unavailable))
                return .closed
            } catch {
                return .dropped
            }
        }
    } catch {
        // Only login can throw: the body handles its own failures after `.up`.
        events.yield(.failed("\(accountOptions.user): \(error)"))
        return .failedLogin
    }
}

func runIdle(_ options: Options) async throws -> String {
    // The warm-up: a whole login and close on the first account.
    var warmUp = options
    (warmUp.user, warmUp.password) = idleAccount(options, 1)
    try await XMPPConnection.withConnection(configuration: try configuration(warmUp)) { connection in
        try await becomeAvailable(connection)
    }
    let before = MemorySample.now()

    let gate = ReleaseGate()
    let (events, eventSink) = AsyncStream<LoginEvent>.makeStream()
    let start = now()
    let cpuStart = cpuSeconds()
    var up = 0
    var failures = 0
    var firstFailure: String?
    var loginWall = 0.0
    var loginCPU = 0.0
    var after = MemorySample()

    let (ends, closeStart) = try await withThrowingTaskGroup(of: SessionEnd.self, returning: ([SessionEnd], Double).self) {
        group in
        var launched = 0
        var inbound = events.makeAsyncIterator()
        while launched < min(options.parallel, options.count) {
            launched += 1
            let index = launched
            group.addTask { await idleSession(options, index: index, gate: gate, events: eventSink) }
        }
        // One new login for every one that ended, until all N have run or
        // (best effort) too many failed.
        while up + failures < launched, let event = await inbound.next() {
            switch event {
            case .up: up += 1
            case .failed(let why):
                failures += 1
                if firstFailure == nil { firstFailure = why }
            }
            let mayGoOn = options.bestEffort ? failures < maxFailures : failures == 0
            if mayGoOn && launched < options.count {
                launched += 1
                let index = launched
                group.addTask { await idleSession(options, index: index, gate: gate, events: eventSink) }
            }
        }
        loginWall = now() - start
        loginCPU = cpuSeconds() - cpuStart
        if failures == 0 || options.bestEffort {
            try await Task.sleep(for: .seconds(options.settle))
            after = MemorySample.now()
        }
        let closeStart = now()
        gate.release()
        var ends: [SessionEnd] = []
        for try await end in group { ends.append(end) }
        return (ends, closeStart)
    }
    eventSink.finish()
    let closeWall = now() - closeStart
    if failures > 0 && !options.bestEffort {
        throw BenchError.failed("\(failures) of \(options.count) logins failed; first: \(firstFailure ?? "?")")
    }
    guard up > 0 else { throw BenchError.failed("no session came up; first failure: \(firstFailure ?? "?")") }
    let dropped = ends.filter { if case .dropped = $0 { true } else { false } }.count
    let perSession = Double(after.rssKiB - before.rssKiB) / Double(up)
    let heapPerSession = Double(after.heapInUseKiB - before.heapInUseKiB) / Double(up)
    var line = "{\"client\":\"swift-xmpp\",\"scenario\":\"idle\",\"n\":\(options.count),\"up\":\(up),"
    line += "\"failed\":\(failures),\"dropped\":\(dropped),\"parallel\":\(options.parallel),"
    line += "\"login_wall_s\":\(f(loginWall, 3)),\"logins_per_s\":\(f(Double(up) / loginWall, 1)),"
    line += "\"login_cpu_ms_per_session\":\(f(loginCPU * 1e3 / Double(up), 3)),"
    line += "\"rss_before_kib\":\(before.rssKiB),\"rss_after_kib\":\(after.rssKiB),\"hwm_kib\":\(after.peakKiB),"
    line += "\"rss_anon_before_kib\":\(before.rssAnonKiB),\"rss_anon_after_kib\":\(after.rssAnonKiB),"
    line += "\"heap_before_kib\":\(before.heapInUseKiB),\"heap_after_kib\":\(after.heapInUseKiB),"
    line += "\"heap_held_after_kib\":\(after.heapHeldKiB),\"threads\":\(after.threads),"
    line += "\"kib_per_session\":\(f(perSession, 1)),\"heap_kib_per_session\":\(f(heapPerSession, 1)),"
    line += "\"close_wall_s\":\(f(closeWall, 3))"
    if let firstFailure {
        // Escaped for JSON: the error text may hold quotes or backslashes.
        let escaped = firstFailure.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: " ")
        line += ",\"first_failure\":\"\(escaped)\""
    }
    return line + "}"
}
