internal import CGnuTLS

/// The SHA-256 hash of a server's public key (its DER SubjectPublicKeyInfo),
/// the same value HPKP's `pin-sha256` and `curl --pinnedpubkey sha256//`
/// use.
///
/// Pinning the key rather than the certificate survives certificate
/// renewals that keep the key. Compute a pin with
/// `openssl x509 -in cert.pem -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`.
public struct PublicKeyPin: Hashable, Sendable, CustomStringConvertible {
    /// The 32 bytes of the hash.
    public let sha256: [UInt8]

    /// Creates a pin from the 32 bytes of a SHA-256 hash.
    /// - Throws: ``GnuTLSError/Kind/invalidConfiguration`` unless there are exactly 32 bytes.
    public init(sha256 bytes: some Sequence<UInt8>) throws(GnuTLSError) {
        let bytes = Array(bytes)
        guard bytes.count == 32 else {
            throw GnuTLSError(.invalidConfiguration, detail: "a SHA-256 pin has 32 bytes, not \(bytes.count)")
        }
        sha256 = bytes
    }

    /// Creates a pin from the base64 form of the hash (44 characters).
    /// - Throws: ``GnuTLSError/Kind/invalidConfiguration`` if it is not base64
    ///   of 32 bytes.
    public init(base64: String) throws(GnuTLSError) {
        guard let decoded = Self.decodeBase64(base64) else {
            throw GnuTLSError(.invalidConfiguration, detail: "a pin must be base64")
        }
        try self.init(sha256: decoded)
    }

    /// The base64 form of the hash.
    public var base64: String {
        var text = Array(sha256)
        return text.withUnsafeMutableBytes { raw -> String in
            var input = gnutls_datum_t(
                data: raw.baseAddress?.assumingMemoryBound(to: UInt8.self), size: UInt32(raw.count))
            var output = gnutls_datum_t()
            guard gnutls_base64_encode2(&input, &output) == 0, let data = output.data else { return "" }
            defer { GnuTLSMemory.free(data) }
            return String(decoding: UnsafeBufferPointer(start: data, count: Int(output.size)), as: UTF8.self)
        }
    }

    /// The base64 form, for logs.
    public var description: String { "sha256/\(base64)" }

    private static func decodeBase64(_ text: String) -> [UInt8]? {
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        return bytes.withUnsafeMutableBytes { raw -> [UInt8]? in
            var input = gnutls_datum_t(
                data: raw.baseAddress?.assumingMemoryBound(to: UInt8.self), size: UInt32(raw.count))
            var output = gnutls_datum_t()
            guard gnutls_base64_decode2(&input, &output) == 0, let data = output.data else { return nil }
            defer { GnuTLSMemory.free(data) }
            return Array(UnsafeBufferPointer(start: data, count: Int(output.size)))
        }
    }
}
