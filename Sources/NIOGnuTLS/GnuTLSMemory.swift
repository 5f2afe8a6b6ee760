@preconcurrency internal import CGnuTLS

/// Frees memory GnuTLS allocated for us (channel bindings, exported keys,
/// base64 output). GnuTLS documents `gnutls_free` as the only correct way to
/// release such buffers.
enum GnuTLSMemory {
    static func free(_ pointer: UnsafeMutableRawPointer?) {
        guard let pointer else { return }
        gnutls_free(pointer)
    }

    static func free(_ pointer: UnsafeMutablePointer<UInt8>?) {
        free(UnsafeMutableRawPointer(pointer))
    }
}
