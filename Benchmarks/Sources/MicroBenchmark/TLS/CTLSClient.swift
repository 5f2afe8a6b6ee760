import CGnuTLSPeer

/// The C floor: a plain GnuTLS client session (same priorities, same
/// verification) against the same kind of in-memory server, driven the
/// same way. Only the client's calls are timed, including the copy of the
/// server's bytes into the client's input (the Swift side's writeInbound
/// copies them too).
final class CTLSClient {
    let server: OpaquePointer
    let client: OpaquePointer
    private(set) var clientSeconds = 0.0
    private let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: 16 * 1024)

    init(_ fixture: TLSFixture) {
        server = fixture.makeServer()
        let start = ContinuousClock.now
        client = fixture.makeCClient()
        var clientDone = step()
        clientSeconds += seconds(since: start)
        var serverDone = false
        for _ in 0..<16 {
            Endpoint.feed(server, Endpoint.takeOutput(client))
            if !serverDone { serverDone = Endpoint.serverStep(server) }
            let fromServer = Endpoint.takeOutput(server)
            if serverDone, clientDone, fromServer.isEmpty { return }
            let begin = ContinuousClock.now
            Endpoint.feed(client, fromServer)
            if !clientDone {
                clientDone = step()
            } else {
                // Post-handshake messages (a session ticket), which the
                // library's handler reads as soon as they arrive.
                var ignored: UInt64 = 0
                let rc = tlspeer_receive_all(client, scratch, 16 * 1024, &ignored)
                if rc < 0 { fail("C client: \(String(cString: tlspeer_error_string(rc)))") }
            }
            clientSeconds += seconds(since: begin)
        }
        fail("the C handshake did not finish in 16 flights")
    }

    /// One client handshake step; true once complete.
    private func step() -> Bool {
        let rc = tlspeer_handshake(client)
        if rc < 0 { fail("C client handshake: \(String(cString: tlspeer_error_string(rc)))") }
        return rc == 0
    }

    /// Sends close_notify and frees the session (timed as client work).
    func close() {
        let start = ContinuousClock.now
        tlspeer_bye(client)
        tlspeer_free(client)
        clientSeconds += seconds(since: start)
        tlspeer_free(server)
        scratch.deallocate()
    }

    /// One bulk pass, as `SwiftTLSClient.receive`.
    func receive(_ payload: [UInt8], recordSize: Int, oneRecordPerRead: Bool) -> Double {
        let ciphertext = Endpoint.encrypt(server, payload, recordSize: recordSize)
        return consume(ciphertext, reads: TLSFixture.reads(of: ciphertext, oneRecordEach: oneRecordPerRead),
            expecting: payload.count)
    }

    /// The client decrypts `ciphertext` read by read; returns the seconds
    /// it took.
    func consume(_ ciphertext: [UInt8], reads: [Range<Int>], expecting plaintextBytes: Int) -> Double {
        var total: UInt64 = 0
        let start = ContinuousClock.now
        ciphertext.withUnsafeBytes { bytes in
            for read in reads {
                Endpoint.feed(client, UnsafeRawBufferPointer(rebasing: bytes[read]))
                let rc = tlspeer_receive_all(client, scratch, 16 * 1024, &total)
                if rc < 0 { fail("C client receive: \(String(cString: tlspeer_error_string(rc)))") }
            }
        }
        let elapsed = seconds(since: start)
        guard total == UInt64(plaintextBytes) else { fail("the C client decrypted \(total) of \(plaintextBytes) bytes") }
        return elapsed
    }
}
