internal import CGnuTLS
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#endif

/// How one client session judges the server's certificate, and what it
/// found.
///
/// It installs its own verify function, which GnuTLS calls inside the
/// handshake, right after the server's certificate arrives. That function
/// makes the `gnutls_certificate_verify_peers` call that
/// `gnutls_session_set_verify_cert2` would make, with the same typed data:
/// the DNS name and the TLS-server key purpose (without the purpose GnuTLS
/// does not check the leaf's extended key usage). It records the status
/// itself, and then checks the leaf's SPKI hash when pins are configured.
///
/// Its own function rather than `set_verify_cert2` because of one rule
/// GnuTLS has no flag for: a leaf with neither a DNS name nor an IP address
/// in its subjectAltName is refused as for another name. GnuTLS 3.7 falls
/// back to the subject's common name for such a leaf (the CN-ID of RFC
/// 6125, which RFC 9525 removed); refusing it keeps the match on DNS-IDs
/// only. The CA/Browser Forum has required the name in a SAN since 2012, so
/// only a private CA's leaf can be turned away. The function is also what
/// pinning needs: a GnuTLS session has a single verify-callback slot.
///
/// GnuTLS keeps pointers to the typed data for the session's lifetime, so
/// this object owns C copies of the strings and frees them in `deinit`,
/// which the session guarantees runs after `gnutls_deinit`.
final class PeerVerifier {
    /// Whether the chain, the name and the purpose are checked.
    let checksChain: Bool
    /// SHA-256 hashes of acceptable public keys; empty means no pinning.
    let pins: [[UInt8]]

    private let hostname: UnsafeMutablePointer<CChar>
    private let purpose: UnsafeMutablePointer<CChar>
    private let typedData: UnsafeMutablePointer<gnutls_typed_vdata_st>
    private static let typedDataCount: UInt32 = 2

    /// The status our own verify function found, when it ran.
    private(set) var recordedStatus: UInt32?
    /// Whether our verify function refused the leaf's key.
    private(set) var pinMismatched = false

    init?(verificationName: String, checksChain: Bool, pins: [[UInt8]]) {
        guard let hostname = strdup(verificationName) else { return nil }
        guard let purpose = strdup(GNUTLS_KP_TLS_WWW_SERVER) else {
            free(hostname)
            return nil
        }
        self.hostname = hostname
        self.purpose = purpose
        self.checksChain = checksChain
        self.pins = pins
        typedData = .allocate(capacity: Int(Self.typedDataCount))
        typedData[0] = gnutls_typed_vdata_st(
            type: GNUTLS_DT_DNS_HOSTNAME, data: UnsafeMutableRawPointer(hostname).assumingMemoryBound(to: UInt8.self),
            size: UInt32(strlen(hostname)))
        typedData[1] = gnutls_typed_vdata_st(
            type: GNUTLS_DT_KEY_PURPOSE_OID, data: UnsafeMutableRawPointer(purpose).assumingMemoryBound(to: UInt8.self),
            size: UInt32(strlen(purpose)))
    }

    deinit {
        typedData.deallocate()
        free(hostname)
        free(purpose)
    }

    /// Installs verification on `session`; returns the retained pointer the
    /// session now holds to `self` (released by the session after
    /// `gnutls_deinit`).
    func install(on session: gnutls_session_t) -> Unmanaged<PeerVerifier> {
        let retained = Unmanaged.passRetained(self)
        gnutls_session_set_ptr(session, retained.toOpaque())
        gnutls_session_set_verify_function(session) { session in
            guard let session, let pointer = gnutls_session_get_ptr(session) else { return GNUTLS_E_CERTIFICATE_ERROR }
            return Unmanaged<PeerVerifier>.fromOpaque(pointer).takeUnretainedValue().verify(session)
        }
        return retained
    }

    /// Our verify function: the chain, the name and the purpose (when
    /// asked), then the pins (when configured).
    private func verify(_ session: gnutls_session_t) -> Int32 {
        if checksChain {
            var status: UInt32 = 0
            let rc = gnutls_certificate_verify_peers(session, typedData, Self.typedDataCount, &status)
            guard rc == GNUTLS_E_SUCCESS else { return GNUTLS_E_CERTIFICATE_ERROR }
            // GnuTLS matched the name against the CN if the leaf names no
            // DNS name or IP address; that match does not count (see above).
            if PeerCertificate(session: session)?.hasDNSOrIPAddressName != true {
                status |= GNUTLS_CERT_INVALID.rawValue | GNUTLS_CERT_UNEXPECTED_OWNER.rawValue
            }
            recordedStatus = status
            if status != 0 { return GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR }
        }
        guard !pins.isEmpty else {
            // Pinned-only without pins is refused by the context already;
            // were it to get here, it must not mean "accept anything".
            return checksChain ? 0 : GNUTLS_E_CERTIFICATE_ERROR
        }
        guard let key = Self.leafPublicKeySHA256(session), pins.contains(key) else {
            pinMismatched = true
            return GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR
        }
        return 0
    }

    /// The verification status to classify after a failed handshake.
    func status(of session: gnutls_session_t) -> UInt32 {
        recordedStatus ?? gnutls_session_get_verify_cert_status(session)
    }

    /// SHA-256 over the DER SubjectPublicKeyInfo of the peer's leaf.
    static func leafPublicKeySHA256(_ session: gnutls_session_t) -> [UInt8]? {
        guard let leaf = PeerCertificate(session: session) else { return nil }
        return leaf.publicKeySHA256()
    }
}

/// The peer's leaf certificate, parsed; freed when this goes away.
final class PeerCertificate {
    let raw: gnutls_x509_crt_t

    init?(session: gnutls_session_t) {
        var count: UInt32 = 0
        guard let chain = gnutls_certificate_get_peers(session, &count), count > 0 else { return nil }
        var certificate: gnutls_x509_crt_t?
        guard gnutls_x509_crt_init(&certificate) == GNUTLS_E_SUCCESS, let certificate else { return nil }
        guard gnutls_x509_crt_import(certificate, chain, GNUTLS_X509_FMT_DER) == GNUTLS_E_SUCCESS else {
            gnutls_x509_crt_deinit(certificate)
            return nil
        }
        raw = certificate
    }

    deinit {
        gnutls_x509_crt_deinit(raw)
    }

    /// Whether the certificate names itself as its issuer.
    var isSelfIssued: Bool { gnutls_x509_crt_check_issuer(raw, raw) != 0 }

    /// Whether the subjectAltName holds a DNS name or an IP address: the
    /// identities whose presence stops GnuTLS from matching the CN. The
    /// list ends at the first entry GnuTLS cannot read, as in its own name
    /// check.
    var hasDNSOrIPAddressName: Bool {
        var index: UInt32 = 0
        while true {
            var size = 0
            var rc = gnutls_x509_crt_get_subject_alt_name2(raw, index, nil, &size, nil, nil)
            if rc == GNUTLS_E_SHORT_MEMORY_BUFFER {
                // The type is only promised with the value, so fetch it.
                var value = [UInt8](repeating: 0, count: size)
                rc = value.withUnsafeMutableBytes {
                    gnutls_x509_crt_get_subject_alt_name2(raw, index, $0.baseAddress, &size, nil, nil)
                }
            }
            guard rc >= 0 else { return false }
            let type = UInt32(rc)
            if type == GNUTLS_SAN_DNSNAME.rawValue || type == GNUTLS_SAN_IPADDRESS.rawValue { return true }
            index += 1
        }
    }

    /// SHA-256 over the DER SubjectPublicKeyInfo: the value HPKP pins.
    func publicKeySHA256() -> [UInt8]? {
        var key: gnutls_pubkey_t?
        guard gnutls_pubkey_init(&key) == GNUTLS_E_SUCCESS, let key else { return nil }
        defer { gnutls_pubkey_deinit(key) }
        guard gnutls_pubkey_import_x509(key, raw, 0) == GNUTLS_E_SUCCESS else { return nil }
        var der = gnutls_datum_t()
        guard gnutls_pubkey_export2(key, GNUTLS_X509_FMT_DER, &der) == GNUTLS_E_SUCCESS else { return nil }
        defer { GnuTLSMemory.free(der.data) }
        var digest = [UInt8](repeating: 0, count: 32)
        let rc = digest.withUnsafeMutableBytes { output in
            gnutls_hash_fast(GNUTLS_DIG_SHA256, der.data, Int(der.size), output.baseAddress)
        }
        return rc == GNUTLS_E_SUCCESS ? digest : nil
    }
}
