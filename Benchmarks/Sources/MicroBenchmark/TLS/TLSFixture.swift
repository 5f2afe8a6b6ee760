import CGnuTLSPeer
import NIOCore
import NIOGnuTLS

/// What both TLS clients share: the throwaway PKI, the library's compiled
/// context trusting only its CA, and the settings the C client copies.
final class TLSFixture {
    /// The server's certificate name, verified by both clients.
    static let serverName = "xmpp.test"
    /// What the library appends to GnuTLS's default priorities for a TLS 1.3
    /// minimum (TLSProtocolVersion.priorityAppendix), given to the C client too.
    static let priorityAppendix = "-VERS-SSL3.0:-VERS-TLS1.0:-VERS-TLS1.1:-VERS-TLS1.2"
    /// Bytes per simulated socket read, for both clients.
    static let readSize = 16 * 1024

    /// The simulated socket reads of `ciphertext`: `readSize` bytes each,
    /// or, for `oneRecordEach`, each TLS record on its own (as the stanzas
    /// of a conversation arrive), found by the length in its header.
    static func reads(of ciphertext: [UInt8], oneRecordEach: Bool) -> [Range<Int>] {
        guard oneRecordEach else {
            return stride(from: 0, to: ciphertext.count, by: readSize).map { $0..<min($0 + readSize, ciphertext.count) }
        }
        var reads: [Range<Int>] = []
        var offset = 0
        while offset + 5 <= ciphertext.count {
            let end = offset + 5 + (Int(ciphertext[offset + 3]) << 8) + Int(ciphertext[offset + 4])
            guard end <= ciphertext.count else { fail("a record runs past the ciphertext") }
            reads.append(offset..<end)
            offset = end
        }
        guard offset == ciphertext.count else { fail("the ciphertext ends inside a record header") }
        return reads
    }

    let pki: OpaquePointer
    let context: GnuTLSContext
    /// Any address: an EmbeddedChannel only needs one to become active.
    let address: SocketAddress

    init() {
        var error: UnsafePointer<CChar>?
        guard let pki = tlspeer_pki_create(Self.serverName, &error) else {
            fail("PKI: \(error.map { String(cString: $0) } ?? "unknown error")")
        }
        self.pki = pki
        var configuration = GnuTLSConfiguration()
        configuration.trustRoots = .pem(String(cString: tlspeer_pki_ca_pem(pki)))
        configuration.certificateVerification = .full
        configuration.minimumVersion = .tls13
        do {
            context = try GnuTLSContext(configuration: configuration)
            address = try SocketAddress(ipAddress: "127.0.0.1", port: 5223)
        } catch {
            fail("TLS context: \(error)")
        }
    }

    deinit { tlspeer_pki_free(pki) }

    /// A fresh in-memory GnuTLS server with the PKI's certificate.
    func makeServer() -> OpaquePointer {
        var error: UnsafePointer<CChar>?
        guard let server = tlspeer_server_new(pki, &error) else {
            fail("server: \(error.map { String(cString: $0) } ?? "unknown error")")
        }
        return server
    }

    /// A fresh C client configured like the library's.
    func makeCClient() -> OpaquePointer {
        var error: UnsafePointer<CChar>?
        guard let client = tlspeer_client_new(pki, Self.serverName, Self.priorityAppendix, &error) else {
            fail("C client: \(error.map { String(cString: $0) } ?? "unknown error")")
        }
        return client
    }
}

/// Small wrappers over the C endpoint API shared by both clients' drivers.
enum Endpoint {
    /// One server handshake step; true once complete.
    static func serverStep(_ server: OpaquePointer) -> Bool {
        let rc = tlspeer_handshake(server)
        if rc < 0 { fail("server handshake: \(String(cString: tlspeer_error_string(rc)))") }
        return rc == 0
    }

    /// What the endpoint pushed, copied out, and cleared.
    static func takeOutput(_ endpoint: OpaquePointer) -> [UInt8] {
        var count = 0
        guard let bytes = tlspeer_output(endpoint, &count), count > 0 else { return [] }
        let copy = Array(UnsafeBufferPointer(start: bytes, count: count))
        tlspeer_clear_output(endpoint)
        return copy
    }

    static func feed(_ endpoint: OpaquePointer, _ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        if tlspeer_feed(endpoint, base.assumingMemoryBound(to: UInt8.self), bytes.count) != 0 { fail("out of memory") }
    }

    /// The server encrypts `payload` as records of `recordSize` bytes;
    /// returns the ciphertext.
    static func encrypt(_ server: OpaquePointer, _ payload: [UInt8], recordSize: Int) -> [UInt8] {
        let rc = tlspeer_send(server, payload, payload.count, recordSize)
        if rc < 0 { fail("server send: \(String(cString: tlspeer_error_string(rc)))") }
        return takeOutput(server)
    }

    static func describe(_ endpoint: OpaquePointer) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        tlspeer_describe(endpoint, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
