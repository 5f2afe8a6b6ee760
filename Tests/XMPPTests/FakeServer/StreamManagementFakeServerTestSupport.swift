import Synchronization
import Testing
import XMPPCore
import XMPPTestSupport

@testable import XMPP

/// Scaffolding for ``StreamManagementFakeServerTests``: a reconnecting
/// ``XMPPClient`` pointed at the fake server, recorders that turn the
/// client's streams into lists a test can poll with a deadline, and the
/// XEP-0198 elements the scripts write.
enum SMFake {
    typealias T = FakeServerTest

    static let namespace = "urn:xmpp:sm:3"
    static let request = "<r xmlns='urn:xmpp:sm:3'/>"

    static func ack(_ h: String) -> String { "<a xmlns='urn:xmpp:sm:3' h='\(h)'/>" }

    /// `<enabled/>` for a resumable session named `id`.
    static func enabledResumable(_ id: String) -> String {
        "<enabled xmlns='urn:xmpp:sm:3' id='\(id)' resume='true'/>"
    }

    /// An outbound chat message to bob whose id and body are `id`.
    static func message(_ id: String) throws -> Message {
        Message(type: .chat, to: try JID("bob@xmpp.test"), id: id, body: id)
    }

    /// A client for alice@xmpp.test/r1 at the fake server: quick retries
    /// (so a reconnection costs milliseconds, not the default half second),
    /// a retry budget (so a broken script cannot make it loop for the
    /// suite's whole time limit) and no initial presence (so the stanzas on
    /// the wire are exactly the test's).
    static func clientConfiguration(port: Int) throws -> XMPPClient.Configuration {
        let reconnect = ReconnectPolicy(
            initialDelay: .milliseconds(20), maximumDelay: .milliseconds(100), jitter: 0, maximumConsecutiveFailures: 10)
        return XMPPClient.Configuration(
            connection: try T.configuration(port: port, resource: "r1"), reconnect: reconnect, initialPresence: nil)
    }

    /// Whether `element` is `localName` of XEP-0198.
    static func isSM(_ element: XMLElement, _ localName: String) -> Bool {
        element.name.localName == localName && element.name.namespace == namespace
    }

    /// Whether `element` is a message, presence or IQ.
    static func isStanza(_ element: XMLElement) -> Bool {
        element.name.namespace == XMLNamespace.client && ["message", "presence", "iq"].contains(element.name.localName)
    }

    /// The ids of the stanzas among `elements`.
    static func stanzaIDs(_ elements: [XMLElement]) -> [String] {
        elements.filter(isStanza).map { $0[attribute: "id"] ?? "?" }
    }

    /// `<{namespace}localName attr='…'>` of each element, for exact
    /// comparisons of what the fake server read.
    static func describe(_ elements: [XMLElement]) -> [String] {
        elements.map { element in
            let attributes = element.attributes.map { "\($0.name.localName)='\($0.value)'" }.sorted()
            let id = isStanza(element) ? element[attribute: "id"] ?? "?" : attributes.joined(separator: " ")
            return id.isEmpty ? element.name.localName : "\(element.name.localName) \(id)"
        }
    }

    /// Reads `count` elements.
    static func read(_ count: Int, from connection: FakeXMPPServer.Connection) async throws -> [XMLElement] {
        var elements: [XMLElement] = []
        for _ in 0..<count { elements.append(try await connection.read()) }
        return elements
    }

    /// Sends `<r/>` after `before` (raw XML, maybe empty) and returns the
    /// `h` of the client's `<a/>`; fails on anything else in between.
    static func requestAck(
        _ connection: FakeXMPPServer.Connection, after before: String = ""
    ) async throws -> String? {
        try await connection.send(before + request)
        let answer = try await connection.read()
        #expect(isSM(answer, "a"), "an <a/> answers <r/>, got \(answer.name)")
        return answer[attribute: "h"]
    }

    /// The script's part of a reconnection that is to resume: negotiate up
    /// to authentication offering binding and stream management, then read
    /// the `<resume/>`, which must come next.
    static func expectResume(_ connection: FakeXMPPServer.Connection) async throws -> XMLElement {
        try await connection.negotiateUntilAuthenticated(streamFeatures: FakeXMPPServer.Features.bindAndStreamManagement)
        return try await connection.expect(localName: "resume", namespace: namespace)
    }

    /// Runs `script` against `connection`; when it fails, resets the
    /// connection first, so that a client waiting for the server learns at
    /// once instead of hanging until the suite's time limit.
    static func scripted<Result>(
        _ connection: FakeXMPPServer.Connection, _ script: () async throws -> Result
    ) async throws -> Result {
        do {
            return try await script()
        } catch {
            try? await connection.reset(timeout: .seconds(2))
            throw error
        }
    }
}

/// Why a bounded wait of the suite gave up.
struct SMFakeTimeout: Error, CustomStringConvertible {
    var description: String
}

/// A list filled by a background task (the client's events, messages,
/// outcomes of `sendAcknowledged`), which a test polls with a deadline:
/// every wait of the suite ends after a few seconds, whatever the client
/// does.
final class SMFakeRecorder<Item: Sendable>: Sendable {
    private let items = Mutex<[Item]>([])

    func append(_ item: Item) {
        items.withLock { $0.append(item) }
    }

    var all: [Item] { items.withLock { $0 } }

    /// Waits until `predicate` holds for the items recorded so far.
    /// - Returns: The items then.
    /// - Throws: ``SMFakeTimeout`` after `timeout`.
    @discardableResult
    func wait(
        for what: String, timeout: Duration = .seconds(5), until predicate: ([Item]) -> Bool
    ) async throws -> [Item] {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        // Polling keeps the wait bounded whatever the producer does; 5 ms
        // costs nothing next to a TLS handshake.
        while true {
            let items = all
            if predicate(items) { return items }
            guard ContinuousClock.now < deadline else {
                throw SMFakeTimeout(description: "no \(what) within \(timeout); recorded: \(items)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// An ``XMPPClient`` running against the fake server, with its events
/// and inbound messages recorded from before ``XMPPClient/run()``.
struct SMFakeClient {
    let client: XMPPClient
    let events = SMFakeRecorder<XMPPClient.Event>()
    let messages = SMFakeRecorder<Message>()
    /// Outcomes of the `sendAcknowledged` calls started with ``sendAcknowledged(_:)``, by id.
    let acknowledgements = SMFakeRecorder<(id: String, result: Result<Void, XMPPClientError>)>()
    let run: Task<Void, any Error>

    /// Creates the client (with `configure` applied to
    /// ``SMFake/clientConfiguration(port:)``), puts `detached` into its
    /// continuity (a session to resume, as a restored snapshot would),
    /// subscribes, and runs it.
    init(
        port: Int, detached: DetachedSession? = nil, configure: (inout XMPPClient.Configuration) -> Void = { _ in }
    ) throws {
        var configuration = try SMFake.clientConfiguration(port: port)
        configure(&configuration)
        client = XMPPClient(configuration: configuration)
        if let detached { client.continuity.setDetached(detached) }
        let eventStream = client.events()
        let messageStream = client.messages()
        let events = events
        let messages = messages
        // Both end when run() returns.
        Task {
            for await event in eventStream { events.append(event) }
        }
        Task {
            do {
                for try await message in messageStream { messages.append(message) }
            } catch {
                // The stream ends with run()'s error, if any: run's own result reports it.
            }
        }
        let client = client
        run = Task { try await client.run() }
    }

    /// Starts `sendAcknowledged(message)` in a task; its outcome lands in
    /// ``acknowledgements``.
    func sendAcknowledged(_ message: Message) {
        let client = client
        let acknowledgements = acknowledgements
        let id = message.id ?? "?"
        Task {
            do throws(XMPPClientError) {
                try await client.sendAcknowledged(message)
                acknowledgements.append((id, .success(())))
            } catch {
                acknowledgements.append((id, .failure(error)))
            }
        }
    }

    /// Waits for a session started on a connection (resumed or not).
    @discardableResult
    func waitForSession(number: Int = 1) async throws -> [XMPPClient.Event] {
        try await events.wait(for: "session \(number)") { events in
            events.count(where: { if case .stateChanged(.connected) = $0 { true } else { false } }) >= number
        }
    }

    /// Waits for the `number`th `disconnected` event.
    @discardableResult
    func waitForDisconnection(number: Int = 1) async throws -> XMPPClientError? {
        let events = try await events.wait(for: "disconnection \(number)") { events in
            Self.disconnections(events).count >= number
        }
        return Self.disconnections(events).dropFirst(number - 1).first
    }

    static func disconnections(_ events: [XMPPClient.Event]) -> [XMPPClientError] {
        events.compactMap { if case .disconnected(let error) = $0 { error } else { nil } }
    }

    /// The `sessionStarted` events: the JID, whether resumed, and why an earlier session was not.
    var sessionsStarted: [(jid: FullJID, resumed: Bool, failure: XMPPClientError?)] {
        events.all.compactMap { event in
            guard case .sessionStarted(let jid, let resumed, let failure) = event else { return nil }
            return (jid, resumed, failure)
        }
    }

    /// The `notDelivered` events: ids and reasons.
    var notDelivered: [(ids: [String], reason: XMPPClientError)] {
        events.all.compactMap { event in
            guard case .notDelivered(let elements, let reason) = event else { return nil }
            return (elements.map { $0[attribute: "id"] ?? "?" }, reason)
        }
    }

    /// Stops the client while `connection` accepts the clean close (the
    /// client's final `<a/>`, then `</stream:stream>` both ways), and
    /// waits, bounded, for `run()` to return.
    /// - Returns: What the client wrote before `</stream:stream>`.
    @discardableResult
    func stop(closing connection: FakeXMPPServer.Connection) async throws -> [XMLElement] {
        async let skipped = connection.expectStreamEnd()
        await client.stop()
        let written = try await skipped
        try await connection.closeStream()
        try await finish()
        return written
    }

    /// Waits (at most 5 s) until the client has stopped, then for `run()`.
    func finish() async throws {
        let client = client
        let deadline = ContinuousClock.now.advanced(by: .seconds(5))
        while await client.state != .stopped {
            guard ContinuousClock.now < deadline else {
                run.cancel()
                throw SMFakeTimeout(description: "the client did not stop within 5 s")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        try await run.value
    }

    /// After a failed test: close the server first (so the client's close
    /// does not wait for it), then stop the client, bounded.
    func abandon(_ server: FakeXMPPServer) async {
        await server.close()
        await client.stop()
        try? await finish()
    }
}

extension FakeServerTest {
    /// Runs `body` with a fake server and an ``XMPPClient`` against it
    /// (configured by `configure`, resuming `detached` first, if given);
    /// after a failure the server is closed and the client stopped before
    /// the error goes on.
    static func withClient(
        detached: DetachedSession? = nil, configure: (inout XMPPClient.Configuration) -> Void = { _ in },
        _ body: (FakeXMPPServer, SMFakeClient) async throws -> Void
    ) async throws {
        try await withServer { server in
            let client = try SMFakeClient(port: server.port, detached: detached, configure: configure)
            do {
                try await body(server, client)
            } catch {
                await client.abandon(server)
                throw error
            }
        }
    }
}
