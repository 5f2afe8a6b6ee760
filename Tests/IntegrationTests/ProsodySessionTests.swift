import Logging
import NIOCore
import NIOGnuTLS
import Testing
import XMPPCore

@testable import XMPP
import XMPPTestSupport
import XMPPTransport

/// Whole sessions against the real Prosody 0.12 of `Scripts/prosody.sh`:
/// `XMPPConnection.withConnection` over STARTTLS and direct TLS with
/// verification on (only the generated test CA is trusted), SCRAM-SHA-1 on
/// `xmpp.test` and SCRAM-SHA-256 on `plain.xmpp.test` (which stores
/// passwords in plain text), typed failures for a wrong password and an
/// untrusted CA, and a chat message between two sessions.
///
/// Runs only when `XMPP_TEST_HOST` is set (`Scripts/test.sh` starts Prosody
/// and sets it). Serialized, and every wait is bounded.
@Suite("Prosody: XMPP sessions (login, SASL, bind, chat)", .serialized, .enabled(if: ProsodyServer.isConfigured))
struct ProsodySessionTests {
    let server: ProsodyServer

    init() throws {
        server = try ProsodyServer.fromEnvironment()
    }

    // MARK: Login

    @Test("Login: TLS verified against the test CA, SCRAM-SHA-1, a server-assigned resource", arguments: ProsodyServer.Port.allCases)
    func login(port: ProsodyServer.Port) async throws {
        let configuration = try server.sessionConfiguration(user: "alice", port: port)
        let (jid, mechanism, onEventLoop) = try await XMPPConnection.withConnection(configuration: configuration) {
            connection in
            (connection.boundJID, connection.authenticationMechanism, await connection.runsOnChannelEventLoop())
        }
        #expect(onEventLoop, "the actor's executor is the channel's event loop")
        #expect(jid.domainpart == server.domain)
        #expect(jid.localpart == "alice")
        #expect(!jid.resourcepart.isEmpty)
        #expect(mechanism == .scramSHA1, "Prosody offers SCRAM-SHA-1 and PLAIN on xmpp.test; SCRAM wins")
    }

    @Test("A requested resource is bound as asked")
    func requestedResource() async throws {
        let jid = try FullJID("bob@\(server.domain)/integration-test")
        let configuration = try server.sessionConfiguration(jid: JID(jid), password: "bob-password", port: .directTLS)
        let bound = try await XMPPConnection.withConnection(configuration: configuration) { $0.boundJID }
        #expect(bound == jid)
    }

    @Test("SCRAM-SHA-256 on the host that stores plain passwords, over both ports", arguments: ProsodyServer.Port.allCases)
    func scramSHA256(port: ProsodyServer.Port) async throws {
        let configuration = try server.sessionConfiguration(user: "carol", domain: server.plainDomain, port: port)
        let (jid, mechanism) = try await XMPPConnection.withConnection(configuration: configuration) { connection in
            (connection.boundJID, connection.authenticationMechanism)
        }
        #expect(jid.domainpart == server.plainDomain)
        #expect(jid.localpart == "carol")
        #expect(mechanism == .scramSHA256)
    }

    // MARK: Refusals

    @Test("Wrong password: authenticationFailed(not-authorized) after exactly one <auth/>, never PLAIN (P17)")
    func wrongPassword() async throws {
        var configuration = try server.sessionConfiguration(user: "alice", port: .startTLS)
        configuration.password = "not-alices-password"
        let logs = IntegrationLogs()
        let error = await #expect(throws: XMPPClientError.self) {
            try await XMPPConnection.withConnection(configuration: configuration, logger: logs.logger) { _ in }
        }
        #expect(error?.code == .authenticationFailed)
        #expect(error?.saslError?.serverCondition == "not-authorized")

        let auths = logs.sentElements(named: "{urn:ietf:params:xml:ns:xmpp-sasl}auth")
        #expect(auths.count == 1, "exactly one <auth/>: no second mechanism after the failure")
        #expect(auths.first?.contains("mechanism='SCRAM-SHA-1'") == true)
        #expect(auths.allSatisfy { !$0.contains("PLAIN") })
        #expect(logs.all.allSatisfy { !$0.contains("not-alices-password") }, "the password is never logged")
    }

    @Test("A server certificate from an untrusted CA: a typed TLS error, before any credential is sent", arguments: ProsodyServer.Port.allCases)
    func untrustedCA(port: ProsodyServer.Port) async throws {
        let configuration = try server.sessionConfiguration(
            user: "alice", port: port, trustRoots: .pem(server.certificates.otherCAPEM))
        let logs = IntegrationLogs()
        let error = await #expect(throws: XMPPClientError.self) {
            try await XMPPConnection.withConnection(configuration: configuration, logger: logs.logger) { _ in }
        }
        switch port {
        case .startTLS: #expect(error?.code == .tlsFailed)
        case .directTLS: #expect(error?.code == .connectFailed)
        }
        #expect(error?.tlsError?.kind == .certificateVerificationFailed, "\(String(describing: error))")
        #expect(error?.tlsError?.certificateProblems.contains(.untrusted) == true)
        #expect(logs.sentElements(named: "{urn:ietf:params:xml:ns:xmpp-sasl}auth").isEmpty)
    }

    // MARK: Traffic

    @Test("Two sessions: alice sends bob a chat message to his full JID; it arrives on bob's inbound")
    func chat() async throws {
        let bobConfiguration = try server.sessionConfiguration(user: "bob", port: .startTLS)
        let aliceConfiguration = try server.sessionConfiguration(user: "alice", port: .directTLS)
        try await XMPPConnection.withConnection(configuration: bobConfiguration) { bob in
            try await XMPPConnection.withConnection(configuration: aliceConfiguration) { alice in
                let body = "hello bob, from the integration tests"
                try await alice.send(Message(type: .chat, to: JID(bob.boundJID), id: "chat-1", body: body))
                let received = try await firstMessage(on: bob, within: .seconds(5))
                #expect(received.body == body)
                #expect(received.type == .chat)
                #expect(received.from == JID(alice.boundJID))
                #expect(received.id == "chat-1")
            }
        }
    }

    @Test("Cancelling the body's task closes the session and ends its inbound sequence")
    func cancellation() async throws {
        let configuration = try server.sessionConfiguration(user: "echo", port: .startTLS)
        let established = AsyncStream<Void>.makeStream()
        let task = Task {
            try await XMPPConnection.withConnection(configuration: configuration) { connection in
                established.continuation.yield()
                for try await _ in connection.elements() {}
                return "inbound ended"
            }
        }
        var iterator = established.stream.makeAsyncIterator()
        _ = await iterator.next()
        task.cancel()
        let clock = ContinuousClock()
        let start = clock.now
        let result = await task.result
        #expect(clock.now - start < .seconds(5), "closing is bounded")
        if case .success(let value) = result { #expect(value == "inbound ended") }
    }
}

/// Waits (bounded) for the first `<message/>` with a body on `connection`.
extension XMPPConnection {
    /// Whether the actor's code runs on its channel's event loop.
    fileprivate func runsOnChannelEventLoop() -> Bool {
        channel.eventLoop.inEventLoop
    }
}
