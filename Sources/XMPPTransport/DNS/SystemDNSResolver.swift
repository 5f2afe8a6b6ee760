import CResolv
import Glibc
public import NIOCore
public import NIOPosix

/// Looks up SRV records with glibc's libresolv, as the system is configured
/// (`/etc/resolv.conf`) or against one given nameserver.
///
/// Each lookup gets its own resolver state (`res_ninit` … `res_nclose`), so
/// lookups share nothing and may run concurrently. `res_nquery` blocks for up
/// to the resolver's timeout times its attempts per nameserver, so it runs on
/// a `NIOThreadPool` — the pool exists for exactly such calls — and never on
/// an event loop (which would stall every connection on it) or on Swift's
/// cooperative pool (which has only as many threads as cores). Cancelling the
/// calling task returns at once; the blocking call finishes in the
/// background within its own time limit and its answer is dropped.
public struct SystemDNSResolver: DNSResolver {
    /// Settings that replace the system configuration's.
    fileprivate struct Override: Sendable {
        var nameserver: SocketAddress
        var timeoutSeconds: Int32
        var attempts: Int32
    }

    private let threadPool: NIOThreadPool
    private let override: Override?

    /// A resolver that uses the system's nameservers and settings.
    /// - Parameter threadPool: Where the blocking lookups run.
    public init(threadPool: NIOThreadPool = .singleton) {
        self.threadPool = threadPool
        self.override = nil
    }

    /// A resolver that asks only `nameserver`, over UDP (and TCP when an
    /// answer is truncated), for example a test responder on loopback.
    /// - Parameters:
    ///   - nameserver: An IPv4 address and port; libresolv's public state
    ///     has room for IPv6 nameservers only in private fields.
    ///   - timeout: How long to wait for each attempt; libresolv counts whole
    ///     seconds, so this is rounded up to at least one second.
    ///   - attempts: How many times to send the query (at least 1).
    ///   - threadPool: Where the blocking lookups run.
    /// - Throws: ``DNSResolutionError`` with code
    ///   ``DNSResolutionError/Code/resolverUnavailable`` for a non-IPv4 address.
    public init(
        nameserver: SocketAddress,
        timeout: Duration = .seconds(2),
        attempts: Int = 2,
        threadPool: NIOThreadPool = .singleton
    ) throws {
        guard case .v4 = nameserver else {
            throw DNSResolutionError(.resolverUnavailable, name: "", detail: "nameserver \(nameserver) is not IPv4")
        }
        let (seconds, fraction) = timeout.components
        let wholeSeconds = max(1, seconds + (fraction > 0 ? 1 : 0))
        self.threadPool = threadPool
        self.override = Override(
            nameserver: nameserver,
            timeoutSeconds: Int32(clamping: wholeSeconds),
            attempts: Int32(clamping: max(1, attempts))
        )
    }

    /// Looks up the SRV records of `name`; see ``DNSResolver/srv(_:)``.
    public func srv(_ name: String) async throws -> [SRVRecord] {
        let override = self.override
        let threadPool = self.threadPool
        return try await withEarlyCancellation { completion in
            threadPool.submit { state in
                guard case .active = state else {
                    completion(.failure(DNSResolutionError(.resolverUnavailable, name: name, detail: "thread pool not running")))
                    return
                }
                completion(Result { try Self.query(name, override: override) })
            }
        }
    }

    /// The blocking lookup; runs on a thread-pool thread.
    private static func query(_ name: String, override: Override?) throws(DNSResolutionError) -> [SRVRecord] {
        guard let queryName = DNSName(dotted: name) else {
            throw DNSResolutionError(.invalidName, name: name)
        }
        let state = UnsafeMutablePointer<__res_state>.allocate(capacity: 1)
        // Start from zeros: res_ninit leaves some fields (the private socket
        // bookkeeping) alone, and res_nclose must never see garbage there.
        state.initialize(to: __res_state())
        defer {
            // Frees the sockets and nameserver copies res_ninit or the query
            // made; harmless on a state whose initialisation failed.
            __res_nclose(state)
            state.deinitialize(count: 1)
            state.deallocate()
        }
        guard __res_ninit(state) == 0 else {
            throw DNSResolutionError(.resolverUnavailable, name: name, detail: "res_ninit failed")
        }
        if let override {
            override.apply(to: state)
        }

        // The largest DNS message; an answer that came over TCP after a
        // truncated UDP reply can be this long.
        var answer = [UInt8](repeating: 0, count: 65_535)
        errno = 0
        let length = answer.withUnsafeMutableBufferPointer { buffer in
            res_nquery(state, name, Int32(ns_c_in.rawValue), Int32(ns_t_srv.rawValue), buffer.baseAddress, Int32(buffer.count))
        }
        guard length >= 0 else {
            let failureErrno = errno
            switch state.pointee.res_h_errno {
            case HOST_NOT_FOUND, NO_DATA:
                return []
            case TRY_AGAIN where failureErrno == ETIMEDOUT:
                throw DNSResolutionError(.timedOut, name: name)
            case TRY_AGAIN where failureErrno == ECONNREFUSED || failureErrno == EHOSTUNREACH || failureErrno == ENETUNREACH:
                throw DNSResolutionError(.nameserverUnreachable, name: name, detail: "errno \(failureErrno)")
            case TRY_AGAIN:
                throw DNSResolutionError(.serverFailure, name: name, detail: "errno \(failureErrno)")
            case NO_RECOVERY:
                throw DNSResolutionError(.refused, name: name)
            case let code:
                throw DNSResolutionError(.resolverUnavailable, name: name, detail: "h_errno \(code), errno \(failureErrno)")
            }
        }
        do {
            return try SRVAnswerParser.records(in: Array(answer.prefix(Int(length))), answering: queryName)
        } catch {
            throw DNSResolutionError(.malformedResponse, name: name, detail: error.detail)
        }
    }
}

extension SystemDNSResolver.Override {
    /// Replaces the nameserver list and timing that res_ninit read from the
    /// system configuration.
    ///
    /// glibc copies `nsaddr_list` into its private per-state list on the
    /// first query, and leaves a state it finds modified like this alone
    /// instead of reloading `/etc/resolv.conf` over it.
    func apply(to state: UnsafeMutablePointer<__res_state>) {
        guard case .v4(let address) = nameserver else { return }
        state.pointee.nsaddr_list.0 = address.address
        state.pointee.nscount = 1
        state.pointee.retrans = timeoutSeconds
        state.pointee.retry = attempts
    }
}
