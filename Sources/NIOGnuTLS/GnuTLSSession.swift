internal import CGnuTLS
package import NIOCore
internal import Synchronization
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#endif

/// One GnuTLS session over ``GnuTLSTransportBuffers``: the engine a channel
/// handler drives. It turns GnuTLS's return codes into ``Step`` values, so
/// the handler never sees a C error code, and it owns every C resource of
/// the session.
///
/// `package` so that the test server in `XMPPTestSupport` runs the very same
/// engine in the server role instead of a second copy of it.
///
/// The C session holds two raw pointers back into Swift (the transport and,
/// when pinning, the verifier). Each is retained while the C session lives
/// and released by ``close()`` right after `gnutls_deinit`; neither object
/// refers back to the session or the handler, so there is no cycle and
/// `deinit` is a working backstop when ``close()`` was never called.
package final class GnuTLSSession {
    /// Which end of the connection the session plays.
    package enum Role: Sendable {
        /// Sends the ClientHello and verifies the server.
        case client
        /// Answers a ClientHello; for tests only.
        case server
    }

    /// The outcome of one call into GnuTLS.
    package enum Step<Value> {
        /// The operation finished with this value.
        case complete(Value)
        /// GnuTLS needs bytes that have not arrived yet.
        case wouldBlock
        /// GnuTLS asked to be called again at once (interrupted, or a warning
        /// alert it handled); the caller must bound how often.
        case retry
        /// The session failed; it cannot be used for data again.
        case failed(GnuTLSError)
    }

    /// How many sessions exist that have not been closed; the leak test's
    /// witness that every C session was freed.
    package static var openSessionCount: Int { openSessions.load(ordering: .relaxed) }
    private static let openSessions = Atomic<Int>(0)

    /// The role given at creation.
    package let role: Role
    /// The in-memory transport GnuTLS reads from and writes to.
    package let transport: GnuTLSTransportBuffers

    var raw: gnutls_session_t?
    private let credentials: GnuTLSCredentials
    private let priority: GnuTLSPriority
    private var retainedTransport: Unmanaged<GnuTLSTransportBuffers>?
    var verifier: PeerVerifier?
    var retainedVerifier: Unmanaged<PeerVerifier>?

    /// Creates a non-blocking session that will use `credentials` and `priority`.
    package init(
        role: Role,
        credentials: GnuTLSCredentials,
        priority: GnuTLSPriority,
        allocator: ByteBufferAllocator
    ) throws(GnuTLSError) {
        self.role = role
        self.credentials = credentials
        self.priority = priority
        self.transport = GnuTLSTransportBuffers(allocator: allocator)

        var session: gnutls_session_t?
        // Non-blocking: GnuTLS returns GNUTLS_E_AGAIN instead of waiting, and
        // record reads never consult the pull-timeout callback.
        let flags = UInt32(role == .client ? GNUTLS_CLIENT : GNUTLS_SERVER) | UInt32(GNUTLS_NONBLOCK)
        let rc = gnutls_init(&session, flags)
        guard rc == GNUTLS_E_SUCCESS, let session else {
            throw GnuTLSError(gnutls: rc, as: .sessionSetupFailed)
        }
        raw = session
        Self.openSessions.add(1, ordering: .relaxed)

        var setup = gnutls_priority_set(session, priority.raw)
        if setup == GNUTLS_E_SUCCESS {
            setup = gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, UnsafeMutableRawPointer(credentials.raw))
        }
        guard setup == GNUTLS_E_SUCCESS else {
            close()
            throw GnuTLSError(gnutls: setup, as: .sessionSetupFailed)
        }
        installTransport(on: session)
    }

    deinit {
        close()
    }

    /// Frees the C session and releases the pointers it held. Idempotent;
    /// every later call on the session reports it closed.
    package func close() {
        guard let session = raw else { return }
        raw = nil
        gnutls_deinit(session)
        transport.session = nil
        retainedTransport?.release()
        retainedTransport = nil
        retainedVerifier?.release()
        retainedVerifier = nil
        verifier = nil
        Self.openSessions.subtract(1, ordering: .relaxed)
    }

    /// Whether ``close()`` has run.
    package var isClosed: Bool { raw == nil }

    static let closedError = GnuTLSError(.sessionSetupFailed, detail: "the session is closed")

    private func installTransport(on session: gnutls_session_t) {
        let retained = Unmanaged.passRetained(transport)
        retainedTransport = retained
        transport.session = session
        gnutls_transport_set_ptr(session, retained.toOpaque())
        gnutls_transport_set_push_function(session) { pointer, data, length in
            guard let pointer else { return -1 }
            let transport = Unmanaged<GnuTLSTransportBuffers>.fromOpaque(pointer).takeUnretainedValue()
            return transport.push(UnsafeRawBufferPointer(start: data, count: length))
        }
        gnutls_transport_set_pull_function(session) { pointer, data, length in
            guard let pointer else { return -1 }
            let transport = Unmanaged<GnuTLSTransportBuffers>.fromOpaque(pointer).takeUnretainedValue()
            switch transport.pull(into: UnsafeMutableRawBufferPointer(start: data, count: length)) {
            case .bytes(let count):
                return count
            case .endOfFile:
                return 0
            case .wouldBlock:
                if let session = transport.session { gnutls_transport_set_errno(session, EAGAIN) }
                return -1
            }
        }
        // GnuTLS refuses to run some paths without a pull-timeout callback
        // once the pull function is replaced. Answer whether a pull would
        // return something now; the handler owns all real timeouts.
        gnutls_transport_set_pull_timeout_function(session) { pointer, _ in
            guard let pointer else { return -1 }
            let transport = Unmanaged<GnuTLSTransportBuffers>.fromOpaque(pointer).takeUnretainedValue()
            return transport.isReadable ? 1 : 0
        }
    }
}
