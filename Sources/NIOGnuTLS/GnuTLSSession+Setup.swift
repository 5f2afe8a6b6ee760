internal import CGnuTLS
internal import NIOCore
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#endif

extension GnuTLSSession {
    /// Makes a client session for one connection made with `context`.
    /// - Parameters:
    ///   - serverName: Sent as SNI (unless it is an IP address, which SNI
    ///     may not carry).
    ///   - verificationName: The identity the certificate must have.
    static func client(
        context: GnuTLSContext,
        serverName: String,
        verificationName: String,
        allocator: ByteBufferAllocator
    ) throws(GnuTLSError) -> GnuTLSSession {
        for name in [serverName, verificationName] where name.isEmpty || name.utf8.contains(0) {
            throw GnuTLSError(.invalidConfiguration, detail: "a server name must be non-empty text without NUL")
        }
        let session = try GnuTLSSession(
            role: .client, credentials: context.credentials, priority: context.priority, allocator: allocator)
        guard let raw = session.raw else { throw closedError }
        if !isIPAddressLiteral(serverName) {
            let rc = gnutls_server_name_set(raw, GNUTLS_NAME_DNS, serverName, serverName.utf8.count)
            guard rc == GNUTLS_E_SUCCESS else { throw GnuTLSError(gnutls: rc, as: .sessionSetupFailed) }
        }
        let configuration = context.configuration
        switch configuration.certificateVerification.mode {
        case .insecureNoVerification:
            break
        case .full, .pinnedOnly:
            guard let verifier = PeerVerifier(
                verificationName: verificationName,
                checksChain: configuration.certificateVerification.mode == .full,
                pins: configuration.publicKeyPins.map(\.sha256))
            else { throw GnuTLSError(.sessionSetupFailed, detail: "out of memory") }
            session.verifier = verifier
            session.retainedVerifier = verifier.install(on: raw)
        }
        try session.setApplicationProtocols(configuration.applicationProtocols)
        return session
    }

    /// Offers (client) or accepts (server) these ALPN names, most preferred
    /// first. GnuTLS copies them. A client's handshake fails when the
    /// server picks a name it did not offer.
    package func setApplicationProtocols(_ names: [String]) throws(GnuTLSError) {
        guard let session = raw, !names.isEmpty else { return }
        let encoded = names.map { Array($0.utf8) }
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: encoded.reduce(1) { $0 + $1.count })
        let datums = UnsafeMutablePointer<gnutls_datum_t>.allocate(capacity: encoded.count)
        defer {
            bytes.deallocate()
            datums.deallocate()
        }
        var offset = 0
        for (index, name) in encoded.enumerated() {
            (bytes + offset).initialize(from: name, count: name.count)
            datums[index] = gnutls_datum_t(data: bytes + offset, size: UInt32(name.count))
            offset += name.count
        }
        // A client refuses a name it never offered (security.md H56); GnuTLS
        // would otherwise drop it and report no ALPN. An omitted ALPN is
        // still accepted: the flag acts only when the server sends a name.
        let flags = role == .client ? UInt32(GNUTLS_ALPN_MANDATORY.rawValue) : 0
        let rc = gnutls_alpn_set_protocols(session, datums, UInt32(encoded.count), flags)
        guard rc == GNUTLS_E_SUCCESS else { throw GnuTLSError(gnutls: rc, as: .invalidConfiguration, detail: "ALPN") }
    }

    /// Server role: asks the client for a certificate (required or not).
    package func requestClientCertificate(required: Bool) {
        guard let session = raw else { return }
        gnutls_certificate_server_set_request(session, required ? GNUTLS_CERT_REQUIRE : GNUTLS_CERT_REQUEST)
    }

    /// Server role: sends a TLS 1.2 HelloRequest, asking the client to
    /// renegotiate (which a client of this library refuses).
    package func requestRenegotiation() -> Step<Void> {
        guard let session = raw else { return .failed(Self.closedError) }
        let rc = gnutls_rehandshake(session)
        return rc == GNUTLS_E_SUCCESS ? .complete(()) : .failed(GnuTLSError(gnutls: rc, as: .handshakeFailed))
    }

    /// Why verification failed, read after a certificate error from the
    /// handshake: the pin, or the status GnuTLS (or our verify function)
    /// recorded, plus "self-signed" when the unknown issuer is the leaf.
    func certificateProblems(after code: Int32) -> GnuTLSError.CertificateProblems {
        guard let session = raw else { return [] }
        if verifier?.pinMismatched == true { return .pinMismatch }
        let status = verificationStatus(session)
        if status == 0 {
            // GnuTLS could not verify at all (GNUTLS_E_CERTIFICATE_ERROR):
            // no certificate, or one it could not parse.
            return .noCertificate
        }
        var problems = GnuTLSError.CertificateProblems(status: status)
        if problems.contains(.untrusted), let leaf = PeerCertificate(session: session), leaf.isSelfIssued {
            problems.insert(.selfSigned)
        }
        return problems
    }

    /// GnuTLS's own words for the verification status, for logs.
    func verificationDetail() -> String {
        guard let session = raw else { return "" }
        if verifier?.pinMismatched == true { return "the public key matches no configured pin" }
        var text = gnutls_datum_t()
        guard gnutls_certificate_verification_status_print(
            verificationStatus(session), GNUTLS_CRT_X509, &text, 0) == GNUTLS_E_SUCCESS,
            let data = text.data
        else { return "" }
        defer { GnuTLSMemory.free(data) }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(text.size)), as: UTF8.self)
    }

    private func verificationStatus(_ session: gnutls_session_t) -> UInt32 {
        verifier?.status(of: session) ?? gnutls_session_get_verify_cert_status(session)
    }

    /// Whether `name` is an IPv4 or IPv6 address literal.
    package static func isIPAddressLiteral(_ name: String) -> Bool {
        var storage = in6_addr()
        return inet_pton(AF_INET, name, &storage) == 1 || inet_pton(AF_INET6, name, &storage) == 1
    }
}

extension GnuTLSSession {
    /// A fresh key for encrypting session tickets (server side).
    package static func makeSessionTicketKey() throws(GnuTLSError) -> [UInt8] {
        var key = gnutls_datum_t(data: nil, size: 0)
        let rc = gnutls_session_ticket_key_generate(&key)
        guard rc == GNUTLS_E_SUCCESS, let data = key.data else { throw GnuTLSError(gnutls: rc, as: .sessionSetupFailed) }
        defer { GnuTLSMemory.free(data) }
        return Array(UnsafeBufferPointer(start: data, count: Int(key.size)))
    }

    /// Makes a server session issue session tickets (TLS 1.3
    /// NewSessionTicket messages after the handshake), as deployed servers
    /// do. GnuTLS copies the key.
    package func enableSessionTickets(key: [UInt8]) throws(GnuTLSError) {
        guard let raw else { throw Self.closedError }
        let rc = key.withUnsafeBufferPointer { bytes -> Int32 in
            var datum = gnutls_datum_t(data: UnsafeMutablePointer(mutating: bytes.baseAddress), size: UInt32(bytes.count))
            return gnutls_session_ticket_enable_server(raw, &datum)
        }
        guard rc == GNUTLS_E_SUCCESS else { throw GnuTLSError(gnutls: rc, as: .sessionSetupFailed) }
    }
}
