import NIOCore
import NIOPosix
import Testing
import XMPPTransport

/// SRV lookups through glibc's libresolv against the loopback responder.
@Suite("SystemDNSResolver")
struct SystemDNSResolverTests {
    static let name = "_xmpp-client._tcp.example.com"
    static let directName = "_xmpps-client._tcp.example.com"

    /// Runs `body` with a resolver that asks only `address` and gives up
    /// quickly. Each test gets its own thread pool so that a query left
    /// blocking by one test cannot delay the timed expectations of another.
    func withResolver<T: Sendable>(
        _ address: SocketAddress,
        timeout: Duration = .seconds(1),
        _ body: (SystemDNSResolver) async throws -> T
    ) async throws -> T {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        do {
            let resolver = try SystemDNSResolver(nameserver: address, timeout: timeout, attempts: 1, threadPool: pool)
            let result = try await body(resolver)
            try await pool.shutdownGracefully()
            return result
        } catch {
            try? await pool.shutdownGracefully()
            throw error
        }
    }

    /// Looks `name` up against a responder serving `zone`.
    func lookUp(_ name: String = Self.name, in zone: [String: ZoneEntry]) async throws -> [SRVRecord] {
        try await withLoopbackDNSResponder(zone) { address, _ in
            try await withResolver(address) { try await $0.srv(name) }
        }
    }

    /// The error a lookup of `name` against `zone` fails with.
    func failure(_ name: String = Self.name, in zone: [String: ZoneEntry]) async -> DNSResolutionError? {
        await #expect(throws: DNSResolutionError.self) { try await lookUp(name, in: zone) }
    }

    @Test("Several records are parsed, with and without name compression", arguments: [true, false])
    func severalRecords(compress: Bool) async throws {
        let records = [
            SRVRecord(priority: 10, weight: 60, port: 5222, target: "xmpp1.example.com"),
            SRVRecord(priority: 10, weight: 40, port: 5222, target: "xmpp2.example.com"),
            SRVRecord(priority: 20, weight: 0, port: 15222, target: "backup.example.net"),
            SRVRecord(priority: 20, weight: 0, port: 5222, target: "xmpp1.example.com"),
        ]
        #expect(try await lookUp(in: [Self.name: .records(records, compress: compress)]) == records)
    }

    @Test("A single \".\" record comes back as the root target")
    func rootTarget() async throws {
        let root = SRVRecord(priority: 0, weight: 0, port: 0, target: ".")
        let found = try await lookUp(in: [Self.name: .records([root])])
        #expect(found == [root])
        #expect(SRVRecord.isServiceDecidedlyUnavailable(found))
    }

    @Test("NXDOMAIN and an empty answer are no records, not errors")
    func noRecords() async throws {
        let zone: [String: ZoneEntry] = [Self.directName: .records([])]
        try await withLoopbackDNSResponder(zone) { address, log in
            try await withResolver(address) { resolver async throws in
                #expect(try await resolver.srv(Self.name).isEmpty)
                #expect(try await resolver.srv(Self.directName).isEmpty)
            }
            #expect(log.received == [Self.name, Self.directName])
        }
    }

    @Test("CNAMEs are followed and records of other owners ignored")
    func aliases() async throws {
        let wanted = SRVRecord(priority: 1, weight: 1, port: 5222, target: "xmpp.example.org")
        let foreign = SRVRecord(priority: 0, weight: 0, port: 1, target: "evil.example")
        let zone: [String: ZoneEntry] = [
            Self.name: .answers([
                .srvOwnedBy("_xmpp-client._tcp.elsewhere.example", foreign),
                .cname(owner: Self.name, target: "_xmpp-client._tcp.example.org"),
                .srvOwnedBy("_xmpp-client._tcp.example.org", wanted),
            ])
        ]
        #expect(try await lookUp(in: zone) == [wanted])
    }

    @Test("No reply ends in a timedOut error within the configured time")
    func timeout() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let error = await failure(in: [Self.name: .silence])
        #expect(error?.code == .timedOut)
        #expect(error?.name == Self.name)
        #expect(clock.now - start < .seconds(5))
    }

    @Test("SERVFAIL and REFUSED from the only nameserver end as timedOut: libresolv moves on to the next")
    func skippedReplies() async throws {
        #expect(await failure(in: [Self.name: .responseCode(2)])?.code == .timedOut)
        #expect(await failure(in: [Self.name: .responseCode(5)])?.code == .timedOut)
    }

    @Test("FORMERR is refused: asking again will not help")
    func formatError() async throws {
        #expect(await failure(in: [Self.name: .responseCode(1)])?.code == .refused)
    }

    @Test("A cut-off answer is a malformedResponse")
    func malformed() async throws {
        #expect(await failure(in: [Self.name: .truncatedAnswer])?.code == .malformedResponse)
    }

    @Test("A nameserver port with nothing listening is nameserverUnreachable, without waiting")
    func unreachable() async throws {
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: try await unusedLoopbackPort())
        let clock = ContinuousClock()
        let start = clock.now
        let error = await #expect(throws: DNSResolutionError.self) {
            try await withResolver(address, timeout: .seconds(12)) { try await $0.srv(Self.name) }
        }
        #expect(error?.code == .nameserverUnreachable)
        // Well before the 12 s timeout: the refusal was noticed, not waited out.
        #expect(clock.now - start < .seconds(6))
    }

    @Test(
        "Names that cannot be sent are rejected before any query",
        arguments: ["", ".", "a..b", "bad name.example", String(repeating: "a", count: 64) + ".example"]
    )
    func invalidNames(name: String) async throws {
        try await withLoopbackDNSResponder([:]) { address, log in
            let error = await #expect(throws: DNSResolutionError.self) {
                try await withResolver(address) { try await $0.srv(name) }
            }
            #expect(error?.code == .invalidName)
            #expect(log.received.isEmpty)
        }
    }

    @Test("Only IPv4 nameservers can be configured")
    func ipv6Nameserver() throws {
        let error = #expect(throws: DNSResolutionError.self) {
            try SystemDNSResolver(nameserver: SocketAddress(ipAddress: "::1", port: 53))
        }
        #expect(error?.code == .resolverUnavailable)
    }

    @Test("Cancelling a lookup returns at once although the query still waits")
    func cancellation() async throws {
        let clock = ContinuousClock()
        try await withLoopbackDNSResponder([Self.name: .silence]) { address, log in
            try await withResolver(address, timeout: .seconds(8)) { resolver async throws in
                let start = clock.now
                let lookup = Task { try await resolver.srv(Self.name) }
                // Cancel only once the query is on the wire, so the blocking
                // call is really running.
                for _ in 0..<200 where log.received.isEmpty {
                    try await Task.sleep(for: .milliseconds(5))
                }
                lookup.cancel()
                await #expect(throws: CancellationError.self) { try await lookup.value }
                // Well before the 8 s timeout: cancellation did not wait for it.
                #expect(clock.now - start < .seconds(4))
            }
        }
    }
}
