internal import CGnuTLS

/// Owns one `gnutls_certificate_credentials_t`: trusted authorities and an
/// optional certificate with its key. Shared by the client context and the
/// test server, hence `package`.
///
/// Loading happens once, before any session uses the credentials; from then
/// on GnuTLS only reads them, and its manual allows one credentials
/// structure to serve many sessions on many threads. That is why the class
/// is `@unchecked Sendable`: it has no mutating method a session could race.
package final class GnuTLSCredentials: @unchecked Sendable {
    let raw: gnutls_certificate_credentials_t

    /// Allocates empty credentials.
    package init() throws(GnuTLSError) {
        var credentials: gnutls_certificate_credentials_t?
        let rc = gnutls_certificate_allocate_credentials(&credentials)
        guard rc == GNUTLS_E_SUCCESS, let credentials else {
            throw GnuTLSError(gnutls: rc, as: .sessionSetupFailed)
        }
        raw = credentials
    }

    deinit {
        gnutls_certificate_free_credentials(raw)
    }

    /// Adds the system's trusted authorities; returns how many were loaded.
    /// - Throws: ``GnuTLSError/Kind/noTrustAnchors`` if none were: a client
    ///   that trusts nobody fails every handshake, and saying so at start-up
    ///   beats a vague verification error later.
    @discardableResult
    package func addSystemTrust() throws(GnuTLSError) -> Int {
        let loaded = gnutls_certificate_set_x509_system_trust(raw)
        if loaded < 0 { throw GnuTLSError(gnutls: loaded, as: .noTrustAnchors) }
        guard loaded > 0 else {
            throw GnuTLSError(.noTrustAnchors, detail: "the system trust store holds no certificate")
        }
        return Int(loaded)
    }

    /// Adds the authorities in a PEM string; returns how many were loaded.
    @discardableResult
    package func addTrust(pem: String) throws(GnuTLSError) -> Int {
        let loaded = Self.withDatum(pem) { gnutls_certificate_set_x509_trust_mem(raw, $0, GNUTLS_X509_FMT_PEM) }
        if loaded < 0 { throw GnuTLSError(gnutls: loaded, as: .invalidConfiguration) }
        guard loaded > 0 else {
            throw GnuTLSError(.noTrustAnchors, detail: "the PEM trust roots hold no certificate")
        }
        return Int(loaded)
    }

    /// Adds the authorities in a PEM file; returns how many were loaded.
    @discardableResult
    package func addTrust(file path: String) throws(GnuTLSError) -> Int {
        let loaded = gnutls_certificate_set_x509_trust_file(raw, path, GNUTLS_X509_FMT_PEM)
        if loaded < 0 { throw GnuTLSError(gnutls: loaded, as: .invalidConfiguration, detail: path) }
        guard loaded > 0 else {
            throw GnuTLSError(.noTrustAnchors, detail: "\(path) holds no certificate")
        }
        return Int(loaded)
    }

    /// Sets our own certificate chain (leaf first) and unencrypted key, PEM.
    package func setKeyPair(certificatePEM: String, privateKeyPEM: String) throws(GnuTLSError) {
        let rc = Self.withDatum(certificatePEM) { certificate in
            Self.withDatum(privateKeyPEM) { key in
                gnutls_certificate_set_x509_key_mem2(raw, certificate, key, GNUTLS_X509_FMT_PEM, nil, 0)
            }
        }
        if rc < 0 { throw GnuTLSError(gnutls: rc, as: .invalidConfiguration) }
    }

    /// Sets our own certificate chain and unencrypted key from PEM files.
    package func setKeyPair(certificateFile: String, privateKeyFile: String) throws(GnuTLSError) {
        let rc = gnutls_certificate_set_x509_key_file2(
            raw, certificateFile, privateKeyFile, GNUTLS_X509_FMT_PEM, nil, 0)
        if rc < 0 { throw GnuTLSError(gnutls: rc, as: .invalidConfiguration, detail: certificateFile) }
    }

    /// Runs `body` with a datum over the UTF-8 bytes of `text`; GnuTLS copies
    /// what it keeps, so the bytes need to live only for the call.
    private static func withDatum<Result>(
        _ text: String, _ body: (UnsafePointer<gnutls_datum_t>) -> Result
    ) -> Result {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer in
            var datum = gnutls_datum_t(data: buffer.baseAddress, size: UInt32(buffer.count))
            return body(&datum)
        }
    }
}

/// Owns one compiled `gnutls_priority_t`: the protocol versions, ciphers and
/// groups a session may use. Built once per context; GnuTLS reference-counts
/// it per session, so sharing is safe once built.
package final class GnuTLSPriority: @unchecked Sendable {
    let raw: gnutls_priority_t

    /// Compiles `string`. With `appendingToDefault` the string is added to the
    /// system's default priorities (which keeps the distribution's crypto
    /// policy) instead of replacing them.
    package init(_ string: String, appendingToDefault: Bool) throws(GnuTLSError) {
        var priority: gnutls_priority_t?
        var errorPosition: UnsafePointer<CChar>?
        let flags: UInt32 = appendingToDefault ? UInt32(GNUTLS_PRIORITY_INIT_DEF_APPEND) : 0
        let rc = gnutls_priority_init2(&priority, string, &errorPosition, flags)
        guard rc == GNUTLS_E_SUCCESS, let priority else {
            throw GnuTLSError(gnutls: rc, as: .invalidConfiguration, detail: "priority string \(string)")
        }
        raw = priority
    }

    deinit {
        gnutls_priority_deinit(raw)
    }
}
