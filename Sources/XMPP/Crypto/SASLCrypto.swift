import CGnuTLS

/// The hash functions SCRAM runs on, with their GnuTLS identifiers.
package enum HMACAlgorithm: Sendable, Hashable {
    /// SHA-1 (RFC 5802): still the only SCRAM most servers store verifiers for.
    case sha1
    /// SHA-256 (RFC 7677).
    case sha256
    /// SHA-512 (draft-melnikov-scram-sha-512).
    case sha512

    /// The digest length in bytes, which is also SCRAM's key length.
    var outputLength: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        case .sha512: 64
        }
    }

    fileprivate var mac: gnutls_mac_algorithm_t {
        switch self {
        case .sha1: GNUTLS_MAC_SHA1
        case .sha256: GNUTLS_MAC_SHA256
        case .sha512: GNUTLS_MAC_SHA512
        }
    }

    fileprivate var digest: gnutls_digest_algorithm_t {
        switch self {
        case .sha1: GNUTLS_DIG_SHA1
        case .sha256: GNUTLS_DIG_SHA256
        case .sha512: GNUTLS_DIG_SHA512
        }
    }
}

/// The few primitives SASL needs, from the GnuTLS the TLS layer already
/// links (no second crypto library). Every function returns `nil` when
/// GnuTLS reports an error; callers turn that into ``SASLError/cryptoFailure``.
package enum SASLCrypto {
    /// `H(data)`.
    package static func hash(_ algorithm: HMACAlgorithm, _ data: [UInt8]) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: algorithm.outputLength)
        let result = data.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                gnutls_hash_fast(algorithm.digest, input.baseAddress, input.count, out.baseAddress)
            }
        }
        return result == GNUTLS_E_SUCCESS ? output : nil
    }

    /// `HMAC(key, data)`.
    static func hmac(_ algorithm: HMACAlgorithm, key: [UInt8], data: [UInt8]) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: algorithm.outputLength)
        let result = key.withUnsafeBytes { keyBytes in
            data.withUnsafeBytes { input in
                output.withUnsafeMutableBytes { out in
                    gnutls_hmac_fast(
                        algorithm.mac, keyBytes.baseAddress, keyBytes.count,
                        input.baseAddress, input.count, out.baseAddress)
                }
            }
        }
        return result == GNUTLS_E_SUCCESS ? output : nil
    }

    /// PBKDF2 with HMAC-`algorithm` (RFC 8018), producing one digest's worth
    /// of key: SCRAM's `Hi(password, salt, i)`.
    static func pbkdf2(
        _ algorithm: HMACAlgorithm, password: [UInt8], salt: [UInt8], iterations: Int
    ) -> [UInt8]? {
        guard iterations > 0, let count = UInt32(exactly: iterations) else { return nil }
        var output = [UInt8](repeating: 0, count: algorithm.outputLength)
        var password = password
        var salt = salt
        let result = password.withUnsafeMutableBytes { passwordBytes in
            salt.withUnsafeMutableBytes { saltBytes in
                output.withUnsafeMutableBytes { out in
                    var key = gnutls_datum_t(
                        data: passwordBytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                        size: UInt32(passwordBytes.count))
                    var saltDatum = gnutls_datum_t(
                        data: saltBytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                        size: UInt32(saltBytes.count))
                    return gnutls_pbkdf2(algorithm.mac, &key, &saltDatum, UInt32(count), out.baseAddress, out.count)
                }
            }
        }
        wipe(&password)
        return result == GNUTLS_E_SUCCESS ? output : nil
    }

    /// `count` bytes from GnuTLS's nonce-grade generator (unpredictable,
    /// which is all a SCRAM nonce needs to be).
    static func randomBytes(_ count: Int) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: count)
        let result = output.withUnsafeMutableBytes { out in
            gnutls_rnd(GNUTLS_RND_NONCE, out.baseAddress, out.count)
        }
        return result == GNUTLS_E_SUCCESS ? output : nil
    }

    /// Compares in time that depends only on the lengths, so that a
    /// forged server signature learns nothing from how long we take.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices {
            difference |= lhs[index] ^ rhs[index]
        }
        return difference == 0
    }

    /// Overwrites a secret buffer in place with zeros through
    /// `gnutls_memset`, which the optimiser may not remove. Copies made
    /// earlier by copy-on-write are beyond reach; this narrows the window,
    /// it does not close it.
    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress {
                gnutls_memset(base, 0, buffer.count)
            }
        }
    }
}
