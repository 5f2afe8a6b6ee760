import NIOCore
import Testing
import XMPPCore
import XMPPTestSupport

@testable import XMPP

/// `XMPPConnection.send` against the fake server: waiting for room in
/// XEP-0198's queue, and driving the connection from its own event loop.
@Suite("Connection back-pressure and executor", .timeLimit(.minutes(1)))
struct ConnectionBackPressureTests {
    typealias T = FakeServerTest

    static func message(_ id: String) throws -> Message {
        Message(type: .chat, to: try JID("bob@xmpp.test"), id: id, body: id)
    }

    /// Alice's configuration with a queue of two unacknowledged stanzas.
    static func configuration(port: Int) throws -> XMPPConnection.Configuration {
        var configuration = try T.configuration(port: port, resource: "r1")
        configuration.streamManagement.maximumUnacknowledged = 2
        return configuration
    }

    @Test("With the queue full, send asks for an acknowledgement and waits; the server's <a/> lets it write")
    func sendWaitsForRoom() async throws {
        let (blocked, blockedContinuation) = AsyncStream<Void>.makeStream()
        try await T.withServer { server in
            async let script: [String] = {
                let connection = try await server.nextConnection(timeout: .seconds(5))
                try await connection.establishSession(resource: "r1", streamManagementAnswer: "<enabled xmlns='urn:xmpp:sm:3'/>")
                var seen: [String] = []
                for _ in 0..<3 {
                    let element = try await connection.read()
                    seen.append(element.name.localName == "message" ? element[attribute: "id"] ?? "?" : element.name.localName)
                }
                // The client reports its third send still waiting.
                for await _ in blocked {}
                try await connection.send("<a xmlns='urn:xmpp:sm:3' h='2'/>")
                let third = try await connection.expect(localName: "message", namespace: XMLNamespace.client)
                seen.append(third[attribute: "id"] ?? "?")
                try await T.acceptClose(connection)
                return seen
            }()
            try await XMPPConnection.withConnection(configuration: try Self.configuration(port: server.port)) { connection in
                try await connection.send(try Self.message("o1"))
                try await connection.send(try Self.message("o2"))
                let returned = Locked(false)
                let third = Task {
                    try await connection.send(try Self.message("o3"))
                    returned.value = true
                }
                try await Task.sleep(for: .milliseconds(300))
                #expect(!returned.value, "the third send waits for room")
                blockedContinuation.finish()
                try await third.value
                #expect(returned.value)
            }
            #expect(try await script == ["o1", "o2", "r", "o3"])
        }
    }

    @Test("Cancelled while waiting for room, send throws unacknowledgedLimitReached and writes nothing")
    func cancelledWait() async throws {
        try await T.withServer { server in
            async let script: [String] = {
                let connection = try await server.nextConnection(timeout: .seconds(5))
                try await connection.establishSession(resource: "r1", streamManagementAnswer: "<enabled xmlns='urn:xmpp:sm:3'/>")
                var seen: [String] = []
                // o1, o2, the <r/> of the waiting send, then the close:
                // final <a/>, <r/> for what is outstanding, </stream:stream>.
                let closing = try await connection.expectStreamEnd()
                for element in closing {
                    seen.append(element.name.localName == "message" ? element[attribute: "id"] ?? "?" : element.name.localName)
                }
                try await connection.closeStream()
                return seen
            }()
            try await XMPPConnection.withConnection(configuration: try Self.configuration(port: server.port)) { connection in
                try await connection.send(try Self.message("o1"))
                try await connection.send(try Self.message("o2"))
                let third = Task { try await connection.send(try Self.message("o3")) }
                try await Task.sleep(for: .milliseconds(200))
                third.cancel()
                let error = await #expect(throws: XMPPClientError.self) { try await third.value }
                #expect(error?.code == .unacknowledgedLimitReached)
            }
            let seen = try await script
            #expect(!seen.contains("o3"), "nothing was written for the cancelled send: \(seen)")
            #expect(Array(seen.prefix(3)) == ["o1", "o2", "r"])
        }
    }

    /// The server's side of both executor tests: a session, a "ping" to
    /// alice, then the id of her answer.
    static func pingScript(_ server: FakeXMPPServer) async throws -> String? {
        let connection = try await server.nextConnection(timeout: .seconds(5))
        try await connection.establishSession(resource: "r1")
        try await connection.send(T.chat(id: "m1", body: "ping"))
        let reply = try await connection.expect(localName: "message", namespace: XMLNamespace.client)
        try await T.acceptClose(connection)
        return reply[attribute: "id"]
    }

    /// Receives one message and answers it, isolated to the connection.
    static func answerOne(_ connection: isolated XMPPConnection) async throws -> (onLoop: Bool, body: String?) {
        var messages = connection.messages().makeAsyncIterator()
        let message = try await messages.next(isolation: connection)
        try await connection.send(Message(type: .chat, to: try JID("bob@xmpp.test/x"), id: "re-m1", body: "pong"))
        return (connection.channel.eventLoop.inEventLoop, message?.body)
    }

    @Test("Code isolated to the connection runs on its event loop and talks to it")
    func isolatedLoop() async throws {
        try await T.withServer { server in
            async let script = Self.pingScript(server)
            try await XMPPConnection.withConnection(configuration: try T.configuration(port: server.port)) { connection in
                let (onLoop, body) = try await Self.answerOne(connection)
                #expect(onLoop)
                #expect(body == "ping")
            }
            #expect(try await script == "re-m1")
        }
    }

    @Test("Code preferring the connection's task executor runs on its event loop and talks to it")
    func taskExecutorPreference() async throws {
        try await T.withServer { server in
            async let script = Self.pingScript(server)
            try await XMPPConnection.withConnection(configuration: try T.configuration(port: server.port)) { connection in
                let eventLoop = connection.channel.eventLoop
                #expect(!eventLoop.inEventLoop)
                try await withTaskExecutorPreference(connection.taskExecutor) {
                    #expect(eventLoop.inEventLoop, "the body runs on the connection's event loop")
                    var messages = connection.messages().makeAsyncIterator()
                    let message = try await messages.next()
                    #expect(eventLoop.inEventLoop)
                    #expect(message?.body == "ping")
                    try await connection.send(Message(type: .chat, to: try JID("bob@xmpp.test/x"), id: "re-m1", body: "pong"))
                    #expect(eventLoop.inEventLoop)
                }
            }
            #expect(try await script == "re-m1")
        }
    }
}
