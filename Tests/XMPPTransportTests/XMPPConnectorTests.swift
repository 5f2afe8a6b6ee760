import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import XMPPTransport

/// Connection attempts against servers on loopback.
@Suite("XMPPConnector")
struct XMPPConnectorTests {
    static let domain = "example.com"

    func connector(
        tls: FakeTLSHandler.Outcome = .succeed,
        timeouts: XMPPConnector.Timeouts = .init(connect: .seconds(5), tlsHandshake: .seconds(5))
    ) -> XMPPConnector {
        XMPPConnector(endpointResolver: XMPPEndpointResolver(dnsResolver: StubDNSResolver([:])), timeouts: timeouts) { _, _ in
            FakeTLSHandler(tls)
        }
    }

    func endpoint(_ port: Int, _ security: XMPPEndpoint.Security = .startTLS, host: String = "127.0.0.1") -> XMPPEndpoint {
        XMPPEndpoint(host: host, port: port, security: security, source: .srv)
    }

    func plan(_ endpoints: XMPPEndpoint...) -> XMPPEndpointPlan {
        XMPPEndpointPlan(domain: Self.domain, endpoints: endpoints)
    }

    /// The error of a connect that must fail.
    func failure(_ connector: XMPPConnector, _ plan: XMPPEndpointPlan) async -> XMPPConnectionError? {
        await #expect(throws: XMPPConnectionError.self) {
            let connected = try await connector.connect(following: plan)
            try? await connected.channel.close()
        }
    }

    @Test("A refused endpoint is skipped and the next one used")
    func refusedThenConnected() async throws {
        let closedPort = try await unusedLoopbackPort()
        try await withLoopbackTCPServer { port in
            let connected = try await connector().connect(following: plan(endpoint(closedPort), endpoint(port)))
            #expect(connected.endpoint == endpoint(port))
            #expect(connected.channel.isActive)
            #expect(connected.failedAttempts.map(\.endpoint) == [endpoint(closedPort)])
            #expect(connected.failedAttempts.map(\.failure.code) == [.connectionRefused])
            try await connected.channel.close()
        }
    }

    @Test("Reads start with small receive buffers, growing only as reads fill them")
    func smallReceiveBuffers() async throws {
        try await withLoopbackTCPServer { port in
            let connected = try await connector().connect(following: plan(endpoint(port)))
            let allocator = try await connected.channel.getOption(.recvAllocator).get()
            #expect(allocator.nextBufferSize() == XMPPConnector.initialReceiveBufferBytes)
            try await connected.channel.close()
        }
    }

    @Test("When every endpoint fails, the error lists each with its reason")
    func allFail() async throws {
        let first = try await unusedLoopbackPort()
        let (closingPort, error) = try await withLoopbackTCPServer(.silent) { port in
            let error = await failure(
                connector(tls: .fail(FakeTLSError(description: "certificate does not match example.com"))),
                plan(endpoint(first), endpoint(port, .directTLS))
            )
            return (port, error)
        }
        let unwrapped = try #require(error)
        #expect(unwrapped.code == .endpointsExhausted)
        #expect(unwrapped.domain == Self.domain)
        #expect(unwrapped.attempts.map(\.endpoint) == [endpoint(first), endpoint(closingPort, .directTLS)])
        #expect(unwrapped.attempts.map(\.failure.code) == [.connectionRefused, .tlsFailed])
        let description = unwrapped.description
        #expect(description.contains("127.0.0.1:\(first) (STARTTLS, SRV): connection refused"), "\(description)")
        #expect(description.contains("127.0.0.1:\(closingPort) (direct TLS, SRV): TLS failed: certificate does not match example.com"), "\(description)")
        #expect(description.hasPrefix("Could not connect to the XMPP server of example.com: all 2 endpoint(s) failed\n"))
    }

    @Test("A server that closes during the handshake is a TLS failure")
    func closedDuringHandshake() async throws {
        let error = try await withLoopbackTCPServer(.close) { port in
            await failure(connector(tls: .never), plan(endpoint(port, .directTLS)))
        }
        #expect(error?.attempts.first?.failure.code == .tlsFailed)
        #expect(error?.attempts.first?.failure.detail == "connection closed during the handshake")
    }

    @Test("A server that never answers the handshake times out within the deadline")
    func handshakeDeadline() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let error = try await withLoopbackTCPServer(.silent) { port in
            await failure(
                connector(tls: .never, timeouts: .init(connect: .seconds(5), tlsHandshake: .milliseconds(200))),
                plan(endpoint(port, .directTLS))
            )
        }
        #expect(error?.attempts.first?.failure.code == .tlsHandshakeTimedOut)
        // The configured 200 ms deadline fired, not the 10 s default (and
        // nothing hung); the upper bound is loose because sanitiser builds
        // and loaded machines are slow, and this is no performance test.
        let elapsed = clock.now - start
        #expect(elapsed >= .milliseconds(200) && elapsed < .seconds(8), "\(elapsed)")
    }

    @Test("Direct TLS: the handshake completes and the waiter leaves the pipeline")
    func directTLSConnected() async throws {
        let factoryCalls = Mutex<[XMPPEndpoint]>([])
        let connector = XMPPConnector(endpointResolver: XMPPEndpointResolver(dnsResolver: StubDNSResolver([:]))) { endpoint, _ in
            factoryCalls.withLock { $0.append(endpoint) }
            return FakeTLSHandler(.succeed)
        }
        try await withLoopbackTCPServer { port in
            let connected = try await connector.connect(following: plan(endpoint(port, .directTLS)))
            #expect(connected.endpoint.security == .directTLS)
            #expect(factoryCalls.withLock { $0 } == [endpoint(port, .directTLS)])
            // Only the TLS handler is left for the session layer.
            let (hasTLS, hasWaiter) = try await connected.channel.eventLoop.submit {
                let pipeline = connected.channel.pipeline.syncOperations
                return (
                    (try? pipeline.context(handlerType: FakeTLSHandler.self)) != nil,
                    (try? pipeline.context(handlerType: TLSHandshakeWaiter.self)) != nil
                )
            }.get()
            #expect(hasTLS)
            #expect(!hasWaiter, "the handshake waiter should have removed itself")
            try await connected.channel.close()
        }
    }

    @Test("STARTTLS endpoints never get a TLS handler from the connector")
    func startTLSUntouched() async throws {
        let connector = XMPPConnector(endpointResolver: XMPPEndpointResolver(dnsResolver: StubDNSResolver([:]))) { _, _ in
            Issue.record("no TLS handler may be made for STARTTLS")
            return FakeTLSHandler(.succeed)
        }
        try await withLoopbackTCPServer { port in
            let connected = try await connector.connect(following: plan(endpoint(port)))
            let hasTLS = try await connected.channel.eventLoop.submit {
                (try? connected.channel.pipeline.syncOperations.context(handlerType: FakeTLSHandler.self)) != nil
            }.get()
            #expect(!hasTLS)
            try await connected.channel.close()
        }
    }

    @Test("A TLS factory that throws fails the attempt, not the whole connect")
    func factoryThrows() async throws {
        let connector = XMPPConnector(endpointResolver: XMPPEndpointResolver(dnsResolver: StubDNSResolver([:]))) { endpoint, _ in
            if endpoint.security == .directTLS { throw FakeTLSError(description: "no credentials") }
            return FakeTLSHandler(.succeed)
        }
        try await withLoopbackTCPServer { port in
            let connected = try await connector.connect(following: plan(endpoint(port, .directTLS), endpoint(port)))
            #expect(connected.endpoint == endpoint(port))
            #expect(connected.failedAttempts.first?.failure.description == "TLS failed: no credentials")
            try await connected.channel.close()
        }
    }

    @Test("An empty plan means the service is not offered")
    func emptyPlan() async throws {
        let failure = DNSResolutionError(.timedOut, name: "_xmpps-client._tcp.example.com")
        let error = await #expect(throws: XMPPConnectionError.self) {
            _ = try await connector().connect(following: XMPPEndpointPlan(domain: Self.domain, endpoints: [], lookupFailures: [failure]))
        }
        #expect(error?.code == .serviceUnavailable)
        #expect(error?.attempts.isEmpty == true)
        #expect(error?.description.contains("DNS lookup of _xmpps-client._tcp.example.com failed: timedOut") == true)
    }

    @Test("An override location connects without DNS")
    func overrideLocation() async throws {
        let dns = StubDNSResolver([:])
        let connector = XMPPConnector(endpointResolver: XMPPEndpointResolver(dnsResolver: dns)) { _, _ in FakeTLSHandler(.succeed) }
        try await withLoopbackTCPServer { port in
            let connected = try await connector.connect(to: Self.domain, location: .host("127.0.0.1", port: port, security: .directTLS))
            #expect(connected.endpoint == XMPPEndpoint(host: "127.0.0.1", port: port, security: .directTLS, source: .override))
            try await connected.channel.close()
        }
        #expect(dns.queries.isEmpty)
    }

    @Test("Cancelling during the handshake returns promptly")
    func cancellation() async throws {
        let clock = ContinuousClock()
        try await withLoopbackTCPServer(.silent) { port in
            let connector = connector(tls: .never, timeouts: .init(connect: .seconds(5), tlsHandshake: .seconds(30)))
            let start = clock.now
            let task = Task { try await connector.connect(following: plan(endpoint(port, .directTLS))) }
            try await Task.sleep(for: .milliseconds(200))
            task.cancel()
            await #expect(throws: CancellationError.self) { _ = try await task.value }
            // Well before the 30 s handshake deadline.
            #expect(clock.now - start < .seconds(10))
        }
    }
}
