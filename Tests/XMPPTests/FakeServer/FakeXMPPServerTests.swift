import NIOGnuTLS
import Testing
import XMPPCore
import XMPPTestSupport

@testable import XMPP

/// The real `XMPPConnection.withConnection` against the scripted fake
/// server over loopback sockets: STARTTLS with verified TLS, SASL PLAIN,
/// binding and stream management, then the script's behaviour.
@Suite("FakeXMPPServer", .timeLimit(.minutes(1)))
struct FakeXMPPServerTests {
    typealias T = FakeServerTest

    @Test("The real client logs in: STARTTLS, verified TLS, PLAIN, bind, stream management")
    func login() async throws {
        try await T.withServer { server in
            async let script: FakeXMPPServer.Connection = {
                let connection = try await server.nextConnection(timeout: .seconds(5))
                let jid = try await connection.establishSession(
                    resource: "r1", streamManagementAnswer: "<enabled xmlns='urn:xmpp:sm:3'/>")
                #expect(jid == "alice@xmpp.test/r1")
                try await T.acceptClose(connection)
                return connection
            }()
            try await XMPPConnection.withConnection(configuration: try T.configuration(port: server.port)) { connection in
                #expect(connection.boundJID.description == "alice@xmpp.test/r1")
                #expect(connection.isStreamManagementEnabled)
                #expect(connection.authenticationMechanism == .plain)
            }
            let connection = try await script
            #expect(connection.isTLSActive)
            #expect(connection.clientEndedStream)
            #expect(connection.transcriptText.contains("C: <auth"))
        }
    }

    @Test("Wrong credentials fail on both sides")
    func wrongPassword() async throws {
        try await T.withServer { server in
            async let script: FakeXMPPServerError? = {
                let connection = try await server.nextConnection(timeout: .seconds(5))
                do {
                    try await connection.negotiateUntilAuthenticated(streamFeatures: FakeXMPPServer.Features.bind)
                    return nil
                } catch {
                    return error as? FakeXMPPServerError
                }
            }()
            let configuration = try T.configuration(port: server.port, password: "wrong")
            let error = await #expect(throws: XMPPClientError.self) {
                try await XMPPConnection.withConnection(configuration: configuration) { _ in }
            }
            #expect(error?.code == .authenticationFailed)
            #expect(try await script?.kind == .authenticationFailed)
        }
    }

    @Test("A client that does not trust the certificate stops at TLS; the script's wait fails at once")
    func untrustedCertificate() async throws {
        try await T.withServer { server in
            async let script: FakeXMPPServerError? = {
                let connection = try await server.nextConnection(timeout: .seconds(5))
                do {
                    try await connection.negotiateUntilAuthenticated(
                        streamFeatures: FakeXMPPServer.Features.bind, timeout: .seconds(30))
                    return nil
                } catch {
                    return error as? FakeXMPPServerError
                }
            }()
            var configuration = try T.configuration(port: server.port)
            configuration.tls.trustRoots = .pem(try TestCertificates.load().otherCAPEM)
            let clock = ContinuousClock()
            let start = clock.now
            let error = await #expect(throws: XMPPClientError.self) {
                try await XMPPConnection.withConnection(configuration: configuration) { _ in }
            }
            #expect(error?.code == .tlsFailed)
            let failure = try await script
            #expect(failure?.kind == .connectionClosed)
            #expect(clock.now - start < .seconds(10), "the script's 30 s wait ended with the connection")
        }
    }

    @Test("A message the fake server writes reaches messages()")
    func inboundMessage() async throws {
        try await T.withServer { server in
            async let script: Void = {
                let connection = try await server.nextConnection(timeout: .seconds(5))
                try await connection.establishSession(resource: "r1")
                try await connection.send(T.chat(id: "m1", body: "hello alice"))
                try await T.acceptClose(connection)
            }()
            try await XMPPConnection.withConnection(configuration: try T.configuration(port: server.port)) { connection in
                var messages = connection.messages().makeAsyncIterator()
                let message = try await messages.next()
                #expect(message?.id == "m1" && message?.body == "hello alice")
            }
            try await script
        }
    }

    @Test("A message the client sends is read by the fake server")
    func outboundMessage() async throws {
        try await T.withServer { server in
            async let script: XMLElement = {
                let connection = try await server.nextConnection(timeout: .seconds(5))
                try await connection.establishSession(resource: "r1")
                let message = try await connection.expect(localName: "message", namespace: XMLNamespace.client)
                try await T.acceptClose(connection)
                return message
            }()
            try await XMPPConnection.withConnection(configuration: try T.configuration(port: server.port)) { connection in
                try await connection.send(Message(type: .chat, to: try JID("bob@xmpp.test"), id: "c1", body: "hi bob"))
            }
            let message = try await script
            #expect(message[attribute: "id"] == "c1")
            #expect(message.firstChild(named: "body", namespace: XMLNamespace.client)?.text == "hi bob")
        }
    }

    @Test("The client answers the fake server's <r/> with <a h='N'/>")
    func acknowledgementRequest() async throws {
        try await T.withServer { server in
            async let script: String? = {
                let connection = try await server.nextConnection(timeout: .seconds(5))
                try await connection.establishSession(
                    resource: "r1", streamManagementAnswer: "<enabled xmlns='urn:xmpp:sm:3'/>")
                try await connection.send(T.chat(id: "m1", body: "one") + T.chat(id: "m2", body: "two"))
                try await connection.send("<r xmlns='urn:xmpp:sm:3'/>")
                let (answer, _) = try await connection.read(until: { $0.name.localName == "a" })
                try await T.acceptClose(connection)
                return answer[attribute: "h"]
            }()
            try await XMPPConnection.withConnection(configuration: try T.configuration(port: server.port)) { connection in
                var messages = connection.messages().makeAsyncIterator()
                _ = try await messages.next()
                _ = try await messages.next()
                // Hold the session open until the script has its answer.
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(try await script == "2")
        }
    }

    @Test("reset() ends the client's session with an error")
    func resetEndsSession() async throws {
        try await T.withServer { server in
            async let script: FakeXMPPServer.Connection = {
                let connection = try await server.nextConnection(timeout: .seconds(5))
                try await connection.establishSession(resource: "r1")
                try await connection.reset()
                return connection
            }()
            let configuration = try T.configuration(port: server.port)
            await #expect(throws: XMPPClientError.self) {
                try await XMPPConnection.withConnection(configuration: configuration) { connection in
                    for try await _ in connection.messages() {}
                }
            }
            let connection = try await script
            #expect(connection.isClosed && !connection.isClosedByClient)
        }
    }

    /// How the script ends the connection.
    enum ServerClose: String, CaseIterable, Sendable {
        case reset, closeTCP, closeStream
    }

    @Test("However the fake server closes, the client's session ends with an error", arguments: ServerClose.allCases)
    func serverCloses(how: ServerClose) async throws {
        try await T.withServer { server in
            async let script: FakeXMPPServer.Connection = {
                let connection = try await server.nextConnection(timeout: .seconds(5))
                try await connection.establishSession(resource: "r1")
                switch how {
                case .reset: try await connection.reset()
                case .closeTCP: try await connection.closeTCP()
                case .closeStream: try await connection.closeStream()
                }
                return connection
            }()
            var failure: XMPPClientError?
            do {
                try await XMPPConnection.withConnection(configuration: try T.configuration(port: server.port)) { connection in
                    for try await _ in connection.messages() {}
                }
            } catch let error as XMPPClientError {
                failure = error
            }
            let connection = try await script
            #expect(connection.isClosed && !connection.isClosedByClient)
            // Only a stream close is a clean end; a FIN without close_notify
            // (TLS truncation) and a RST are failures of another kind.
            let code = try #require(failure, "the session must end with an error").code
            let endedCleanly = code == .streamClosedByPeer
            #expect(endedCleanly == (how == .closeStream), "\(how) ended with \(code)")
        }
    }

    @Test("The client logs in and closes cleanly through a proxy that splits every TLS record")
    func loginThroughFragmentingProxy() async throws {
        try await T.withServer { server in
            let proxy = try await ChaosProxy.start(targetPort: server.port)
            proxy.setPlan { _ in
                .fragment(.serverToClient, maximumWriteSize: 50).fragmenting(.clientToServer, maximumWriteSize: 50)
            }
            async let script: Void = {
                let connection = try await server.nextConnection(timeout: .seconds(5))
                try await connection.establishSession(
                    resource: "r1", streamManagementAnswer: "<enabled xmlns='urn:xmpp:sm:3'/>")
                try await connection.send(T.chat(id: "m1", body: String(repeating: "x", count: 2_000)))
                try await T.acceptClose(connection)
            }()
            try await XMPPConnection.withConnection(configuration: try T.configuration(port: proxy.port)) { connection in
                var messages = connection.messages().makeAsyncIterator()
                let message = try await messages.next()
                #expect(message?.body?.count == 2_000)
            }
            try await script
            let counters = try #require(proxy.connection(0)).counters(.serverToClient)
            #expect(counters.largestWrite == 50 && counters.writeCount > 40)
            await proxy.close()
        }
    }

    @Test("A cut in the chaos proxy between client and fake server ends the session")
    func cutThroughProxy() async throws {
        try await T.withServer { server in
            let proxy = try await ChaosProxy.start(targetPort: server.port)
            async let script: Void = {
                let connection = try await server.nextConnection(timeout: .seconds(5))
                try await connection.establishSession(resource: "r1")
                try await connection.send(T.chat(id: "m1", body: "before the cut"))
                try await connection.waitUntilClosed()
            }()
            let configuration = try T.configuration(port: proxy.port)
            await #expect(throws: XMPPClientError.self) {
                try await XMPPConnection.withConnection(configuration: configuration) { connection in
                    var messages = connection.messages().makeAsyncIterator()
                    #expect(try await messages.next()?.id == "m1")
                    await proxy.cut(mode: .reset)
                    _ = try await messages.next()
                }
            }
            try await script
            #expect(proxy.connection(0)?.bytesForwarded(.serverToClient) ?? 0 > 0)
            await proxy.close()
        }
    }
}
