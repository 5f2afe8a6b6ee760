import Foundation
import Glibc
import NIOCore
import NIOEmbedded
import NIOGnuTLS
import Testing
import XMPPTestSupport

extension NIOGnuTLSTests {
    @Suite("Resources: every GnuTLS session and buffer is given back")
    struct ResourceTests {
        /// One full connection: handshake, a message each way, close_notify,
        /// teardown. Returns the client handler so the caller can watch it die.
        private func oneConnection(client: GnuTLSContext, server: GnuTLSTestServerContext) throws -> GnuTLSClientHandler {
            try oneConnectionWithSession(client: client, server: server).handler
        }

        /// ``oneConnection(client:server:)``, also returning the client's
        /// GnuTLS session (weakly held by the caller).
        private func oneConnectionWithSession(
            client: GnuTLSContext, server: GnuTLSTestServerContext
        ) throws -> (handler: GnuTLSClientHandler, session: GnuTLSSession) {
            let pair = try BackToBackChannels(clientContext: client, serverContext: server)
            try pair.handshake()
            try pair.client.writeAndFlush(ByteBuffer("<ping/>")).wait()
            try pair.server.writeAndFlush(ByteBuffer("<pong/>")).wait()
            try pair.interact()
            try pair.client.close().wait()
            try pair.interact()
            try pair.tearDown()
            guard pair.serverRecorder.receivedString == "<ping/>", pair.clientRecorder.receivedString == "<pong/>",
                pair.clientRecorder.errors.isEmpty, pair.serverRecorder.errors.isEmpty
            else {
                throw GnuTLSError(.handshakeFailed, detail: "a connection of the leak test did not work")
            }
            return (pair.clientHandler, pair.clientHandler.session)
        }

        @Test("a handler, its session and its channel are freed when the connection ends (no retain cycle)")
        func handlerIsFreed() throws {
            // Weak references, not the process-wide session count: other
            // suites open sessions in parallel with this one.
            weak var handler: GnuTLSClientHandler?
            weak var session: GnuTLSSession?
            (handler, session) = try oneConnectionWithSession(
                client: try TestContexts.client(), server: try TestContexts.server())
            #expect(handler == nil)
            #expect(session == nil)
        }

        @Test("1,000 connections with full handshakes, sharing one context, leave RSS within 8 MiB of the warmed-up baseline")
        func thousandConnections() throws {
            let client = try TestContexts.client()
            let server = try TestContexts.server()
            for _ in 0..<100 { _ = try oneConnection(client: client, server: server) }
            let sessionsBefore = GnuTLSSession.openSessionCount
            let baseline = MemoryFigures.now()

            let start = ContinuousClock.now
            // Each session watched weakly: the process-wide count also moves
            // with suites running in parallel.
            var sessions: [WeakSession] = []
            for _ in 0..<1000 {
                sessions.append(WeakSession(try oneConnectionWithSession(client: client, server: server).session))
            }
            let elapsed = ContinuousClock.now - start
            let after = MemoryFigures.now()

            let growth = after.residentBytes - baseline.residentBytes
            let report = """
                1,000 in-memory TLS connections in \(elapsed):
                RSS before \(baseline.residentBytes >> 10) KiB, after \(after.residentBytes >> 10) KiB, \
                growth \(growth >> 10) KiB (bound 8192 KiB);
                open GnuTLS sessions before \(sessionsBefore), after \(GnuTLSSession.openSessionCount)
                """
            print(report)
            Attachment.record(report, named: "tls-leak-figures.txt")

            #expect(sessions.allSatisfy { $0.session == nil }, "every session of the loop was freed")
            #expect(growth < 8 << 20, "\(report)")
        }
    }
}

/// The process's memory, as the kernel sees it.
struct MemoryFigures {
    /// Resident set size, from `/proc/self/statm` (second field, in pages).
    let residentBytes: Int

    static func now() -> MemoryFigures {
        let pages = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8))
            .flatMap { $0.split(separator: " ").dropFirst().first }
            .flatMap { Int($0) } ?? 0
        return MemoryFigures(residentBytes: pages * sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// A session held weakly, to check it was freed.
private struct WeakSession {
    weak var session: GnuTLSSession?

    init(_ session: GnuTLSSession) {
        self.session = session
    }
}
