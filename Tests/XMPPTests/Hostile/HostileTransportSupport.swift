import Foundation
import NIOCore
import NIOGnuTLS
import Synchronization
import Testing
import XMPPCore
import XMPPTransport

@testable import XMPP
// Testable for one thing only: H98 needs a close that goes through the fake
// server's TLS handler (`close_notify`) without `</stream:stream>`, which no
// public helper of the fake server offers.
@testable import XMPPTestSupport

/// Scaffolding for the transport-fault cases of the hostile-input suite
/// (security.md §6 group H, §7): a reconnecting ``XMPPClient`` that reaches
/// the ``FakeXMPPServer`` through a ``ChaosProxy``, with the client's
/// secure defaults (STARTTLS required, the certificate verified against
/// xmpp.test with the test CA as the only trust root) and short reconnect
/// delays.
enum TransportTest {
    static let password = "fake-password"
    /// The stream-management id the fake server hands out on the first session.
    static let firstSessionID = "sm-1"
    /// The client's first reconnect delay (see `configuration(port:)`).
    static let firstReconnectDelay = Duration.milliseconds(50)

    /// The client's configuration: alice@xmpp.test/r1 through 127.0.0.1:`port`,
    /// reconnecting after 50 ms (doubling, no jitter, so delays can be
    /// checked exactly), no initial presence unless a test asks (so that the
    /// stanza counts are only the test's messages).
    static func configuration(port: Int) throws -> XMPPClient.Configuration {
        // The fake-server tests' connection settings: verified STARTTLS, short deadlines.
        let connection = try FakeServerTest.configuration(port: port, resource: "r1", password: password)
        return XMPPClient.Configuration(
            connection: connection,
            reconnect: ReconnectPolicy(
                initialDelay: firstReconnectDelay, maximumDelay: .milliseconds(400), multiplier: 2, jitter: 0),
            initialPresence: nil)
    }

    /// A chat message from alice to bob with id `id`.
    static func message(_ id: String, body: String? = nil) throws -> Message {
        Message(type: .chat, to: try JID("bob@xmpp.test"), id: id, body: body ?? "body of \(id)")
    }

    /// A chat message the fake server sends to alice.
    static func inbound(_ id: String) -> String {
        "<message from='bob@xmpp.test/x' to='alice@xmpp.test/r1' type='chat' id='\(id)'><body>\(id)</body></message>"
    }

    /// `<enabled/>` granting a resumable session.
    static func enabled(id: String = firstSessionID) -> String {
        "<enabled xmlns='urn:xmpp:sm:3' id='\(id)' resume='true'/>"
    }

    /// `<resumed/>` for the first session, with the server's handled count.
    static func resumed(handled: Int, previousID: String = firstSessionID) -> String {
        "<resumed xmlns='urn:xmpp:sm:3' previd='\(previousID)' h='\(handled)'/>"
    }

    /// A server that lost the session (a restart): `<failed/>` with
    /// `item-not-found` and no `h`.
    static let failedItemNotFound =
        "<failed xmlns='urn:xmpp:sm:3'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>"

    /// The ids of `elements`, in order (`-` for none).
    static func ids(_ elements: [XMLElement]) -> [String] {
        elements.map { $0[attribute: "id"] ?? "-" }
    }

    /// The SASL PLAIN payload the client would send, base64: it must never
    /// appear before TLS.
    static var plainCredentials: String {
        Data("\0alice\0\(password)".utf8).base64EncodedString()
    }

    /// Whether `element` is a message, presence or IQ.
    static func isStanza(_ element: XMLElement) -> Bool {
        element.name.namespace == XMLNamespace.client && ["message", "presence", "iq"].contains(element.name.localName)
    }

    /// A bound on the test's waits, reported with what was seen.
    struct WaitTimedOut: Error, CustomStringConvertible {
        let description: String
    }
}

// MARK: - The harness

/// One test's pieces: the fake server, the proxy in front of it, the
/// client (not yet running until ``start()``) and its event log.
final class TransportHarness: Sendable {
    let server: FakeXMPPServer
    let proxy: ChaosProxy
    let client: XMPPClient
    let events: ClientEventLog
    private let runTask = Mutex<Task<Void, any Error>?>(nil)

    private init(server: FakeXMPPServer, proxy: ChaosProxy, client: XMPPClient, events: ClientEventLog) {
        self.server = server
        self.proxy = proxy
        self.client = client
        self.events = events
    }

    /// Runs `body` with a fresh server, proxy and client (configured by
    /// `configure`), then stops and closes everything, also when `body`
    /// throws.
    /// - Parameter direct: Whether the client connects straight to the
    ///   fake server, bypassing the proxy: then a `reset()` by the server
    ///   reaches the client as a RST for sure (the proxy passes a reset on
    ///   only when its read fails with ECONNRESET; when the kernel reports
    ///   it as a plain close, the client sees a FIN).
    static func run(
        direct: Bool = false,
        configure: (inout XMPPClient.Configuration) -> Void = { _ in },
        _ body: (TransportHarness) async throws -> Void
    ) async throws {
        let server = try await FakeXMPPServer.start(certificates: try TestCertificates.load(), password: TransportTest.password)
        let proxy: ChaosProxy
        do {
            proxy = try await ChaosProxy.start(targetPort: server.port)
        } catch {
            await server.close()
            throw error
        }
        var configuration: XMPPClient.Configuration
        do {
            configuration = try TransportTest.configuration(port: direct ? server.port : proxy.port)
        } catch {
            await proxy.close()
            await server.close()
            throw error
        }
        configure(&configuration)
        let client = XMPPClient(configuration: configuration)
        // Subscribed before run() starts, so that no event is missed.
        let harness = TransportHarness(server: server, proxy: proxy, client: client, events: ClientEventLog.start(client))
        do {
            try await body(harness)
        } catch {
            await harness.shutDown()
            throw error
        }
        await harness.shutDown()
    }

    /// Starts the client's `run()`.
    func start() {
        let client = self.client
        runTask.withLock { task in
            guard task == nil else { return }
            task = Task { try await client.run() }
        }
    }

    /// How `run()` ended, waiting for it at most `timeout`.
    func runResult(timeout: Duration = .seconds(10)) async throws -> Result<Void, any Error> {
        guard let task = runTask.withLock({ $0 }) else {
            throw TransportTest.WaitTimedOut(description: "run() was never started")
        }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        // Polled, bounded: the task's value cannot be awaited with a deadline.
        while events.isFinished == false, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        guard events.isFinished else {
            throw TransportTest.WaitTimedOut(description: "run() did not return within \(timeout)")
        }
        return await task.result
    }

    /// Stops the client, closes the proxy and the server (which resets
    /// whatever is still open, so a clean close cannot hang) and waits
    /// for `run()`.
    func shutDown() async {
        await client.stop()
        await server.close()
        await proxy.close()
        _ = try? await runResult()
    }
}

// MARK: - The client's events

/// Every event of one client, with the instant it was seen, collected by a
/// task from before `run()` starts until the subscription ends.
final class ClientEventLog: Sendable {
    struct Entry: Sendable {
        let at: ContinuousClock.Instant
        let event: XMPPClient.Event
    }

    /// One `sessionStarted` event.
    struct Session: Sendable {
        let at: ContinuousClock.Instant
        let resumed: Bool
        let resumptionFailure: XMPPClientError?
    }

    private struct State {
        var entries: [Entry] = []
        var finished = false
    }

    private let state = Mutex(State())

    private init() {}

    static func start(_ client: XMPPClient) -> ClientEventLog {
        let log = ClientEventLog()
        let stream = client.events()
        Task {
            for await event in stream { log.append(event) }
            log.finish()
        }
        return log
    }

    private func append(_ event: XMPPClient.Event) {
        let entry = Entry(at: .now, event: event)
        state.withLock { $0.entries.append(entry) }
    }

    private func finish() { state.withLock { $0.finished = true } }

    /// Whether the subscription ended (`run()` returned).
    var isFinished: Bool { state.withLock { $0.finished } }

    var entries: [Entry] { state.withLock { $0.entries } }

    var sessions: [Session] {
        entries.compactMap { entry in
            guard case .sessionStarted(_, let resumed, let failure) = entry.event else { return nil }
            return Session(at: entry.at, resumed: resumed, resumptionFailure: failure)
        }
    }

    var disconnections: [(at: ContinuousClock.Instant, error: XMPPClientError)] {
        entries.compactMap { entry in
            guard case .disconnected(let error) = entry.event else { return nil }
            return (entry.at, error)
        }
    }

    var states: [(at: ContinuousClock.Instant, state: XMPPClient.State)] {
        entries.compactMap { entry in
            guard case .stateChanged(let state) = entry.event else { return nil }
            return (entry.at, state)
        }
    }

    /// The delays of every `waitingToReconnect` state, in order.
    var reconnectDelays: [Duration] {
        states.compactMap { item in
            guard case .waitingToReconnect(_, let delay) = item.state else { return nil }
            return delay
        }
    }

    /// The `notDelivered` reports: the stanzas' ids and the reason.
    var notDelivered: [(ids: [String], error: XMPPClientError)] {
        entries.compactMap { entry in
            guard case .notDelivered(let elements, let error) = entry.event else { return nil }
            return (TransportTest.ids(elements), error)
        }
    }

    /// Waits (polling, bounded) until `condition` holds for the log.
    func wait(
        _ what: String, timeout: Duration = .seconds(10), until condition: (ClientEventLog) -> Bool
    ) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !condition(self) {
            guard ContinuousClock.now < deadline else {
                let seen = entries.map { "\($0.event)" }.joined(separator: "\n  ")
                throw TransportTest.WaitTimedOut(description: "no \(what) within \(timeout); events:\n  \(seen)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Waits until `count` sessions have started; returns them.
    @discardableResult
    func waitForSessions(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [Session] {
        try await wait("\(count) sessions", timeout: timeout) { $0.sessions.count >= count }
        return sessions
    }

    /// Waits until `count` disconnections were reported; returns them.
    @discardableResult
    func waitForDisconnections(
        _ count: Int, timeout: Duration = .seconds(10)
    ) async throws -> [(at: ContinuousClock.Instant, error: XMPPClientError)] {
        try await wait("\(count) disconnections", timeout: timeout) { $0.disconnections.count >= count }
        return disconnections
    }
}

// MARK: - The fake server's side

extension FakeXMPPServer.Connection {
    /// A whole new session with a resumable stream-management grant `id`;
    /// the client asks for the resource r1.
    func establishResumable(id: String = TransportTest.firstSessionID) async throws(FakeXMPPServerError) {
        try await establishSession(streamManagementAnswer: TransportTest.enabled(id: id))
    }

    /// Negotiates up to authentication (offering binding and stream
    /// management) and expects the client's `<resume/>`.
    func expectResume() async throws(FakeXMPPServerError) -> XMLElement {
        try await negotiateUntilAuthenticated(streamFeatures: FakeXMPPServer.Features.bindAndStreamManagement)
        return try await expect(localName: "resume", namespace: "urn:xmpp:sm:3")
    }

    /// Reads until `count` stanzas arrived, answering every `<r/>` with
    /// `<a h/>` counting `handledBefore` plus the stanzas read so far (what
    /// a server that handles each stanza it reads would say), unless
    /// `answeringRequests` is false (the script then acks when it chooses).
    func readStanzas(
        _ count: Int, handledBefore: Int, answeringRequests: Bool = true, timeout: Duration = .seconds(5)
    ) async throws(FakeXMPPServerError) -> [XMLElement] {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var stanzas: [XMLElement] = []
        // Bounded by the deadline: each read waits at most what is left.
        while stanzas.count < count {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else {
                throw FakeXMPPServerError(.timeout, "\(stanzas.count) of \(count) stanzas within \(timeout)")
            }
            let element = try await read(timeout: left)
            if TransportTest.isStanza(element) {
                stanzas.append(element)
            } else if answeringRequests, element.name.localName == "r" {
                try await send("<a xmlns='urn:xmpp:sm:3' h='\(handledBefore + stanzas.count)'/>")
            }
        }
        return stanzas
    }

    /// The server's side of the client's clean close: `<r/>` answered as
    /// in ``readStanzas(_:handledBefore:timeout:)``, then, after the
    /// client's `</stream:stream>`, ours.
    /// - Returns: The stanzas that arrived meanwhile (none, when nothing
    ///   was resent or left over).
    @discardableResult
    func acceptClose(handledBefore: Int, timeout: Duration = .seconds(5)) async throws(FakeXMPPServerError) -> [XMLElement] {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var stanzas: [XMLElement] = []
        // Bounded by the deadline, like readStanzas.
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { throw FakeXMPPServerError(.timeout, "no </stream:stream> within \(timeout)") }
            switch try await nextEvent(timeout: left) {
            case .streamEnd:
                try await closeStream()
                return stanzas
            case .element(let element):
                if TransportTest.isStanza(element) {
                    stanzas.append(element)
                } else if element.name.localName == "r" {
                    try await send("<a xmlns='urn:xmpp:sm:3' h='\(handledBefore + stanzas.count)'/>")
                }
            case .streamStart(let header):
                throw FakeXMPPServerError(.unexpected, "a stream header while closing: \(header)")
            }
        }
    }

    /// H98: `close_notify` (the TLS handler's close), then FIN, and no
    /// `</stream:stream>`: a server process shutting its sockets without
    /// ending the XMPP stream.
    func closeNotifyWithoutStreamEnd(timeout: Duration = .seconds(5)) async throws(FakeXMPPServerError) {
        state.serverWillClose()
        state.record(.note, "fake server closes TLS (close_notify, FIN) without </stream:stream>")
        channel.close(promise: nil)
        try await waitUntilClosed(timeout: timeout)
    }

    /// What the client sent in the clear: its bytes before TLS started
    /// (all of them when TLS never started).
    var clientPlaintextBeforeTLS: String {
        let entries = transcript
        let end = entries.firstIndex { $0.source == .note && $0.text == "TLS started" } ?? entries.endIndex
        return entries[..<end].filter { $0.source == .client }.map(\.text).joined()
    }

    /// Everything the client sent on this connection (decrypted), joined.
    var clientText: String {
        transcript.filter { $0.source == .client }.map(\.text).joined()
    }

    /// How many resource-binding requests the client sent on this connection.
    var bindRequestCount: Int {
        clientText.components(separatedBy: XMLNamespace.bind).count - 1
    }

    /// Whether the client wrote anything after TLS started (its handshake
    /// then completed and it opened a new stream).
    var clientWroteAfterTLS: Bool {
        let entries = transcript
        guard let start = entries.firstIndex(where: { $0.source == .note && $0.text == "TLS started" }) else { return false }
        return entries[start...].contains { $0.source == .client }
    }
}

/// A counter shared with a task.
final class SharedCounter: Sendable {
    private let value = Mutex(0)
    func increment() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}
