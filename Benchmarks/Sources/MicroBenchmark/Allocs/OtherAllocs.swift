import XMPPCore

/// Allocation counts outside the receive path proper: building messages,
/// JIDs, a SCRAM exchange, TLS handshakes and record decryption, each with
/// its C counterpart where the other benchmarks have one.
enum OtherAllocs {
    static func rows(megabytes: Int) -> [[String]] {
        var rows: [[String]] = []
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1024)
        let inputs = StanzaInputs()
        let operations = StanzaBenchmark.buildOperations
        rows.append(AllocBenchmark.counted { _ = StanzaBenchmark.build(inputs, serialise: false, buffer: &buffer) }
            .row("build Message + no-store → XMLElement", corpus: "–", per: operations, unit: "message"))
        rows.append(AllocBenchmark.counted { _ = StanzaBenchmark.build(inputs, serialise: true, buffer: &buffer) }
            .row("build + serialise", corpus: "–", per: operations, unit: "message"))

        let mix = CorpusTrees(.mix, megabytes: megabytes)
        let addresses = mix.stanzas.flatMap { stanza in ["from", "to"].compactMap { stanza[attribute: $0] } }
        rows.append(AllocBenchmark.counted { _ = StanzaBenchmark.parseJIDs(addresses) }
            .row("JID(string), mix from/to values", corpus: "mix", per: addresses.count, unit: "address"))

        for sha256 in [false, true] {
            let setup = SCRAMSetup(sha256: sha256, iterations: SCRAMBenchmark.iterations)
            let count = 100
            rows.append(AllocBenchmark.counted {
                for _ in 0..<count where setup.library.run() != .succeeded { fail("SCRAM exchange failed") }
            }.row("library \(setup.mechanism) exchange", corpus: "–", per: count, unit: "exchange"))
            rows.append(AllocBenchmark.counted {
                for _ in 0..<count where setup.cKeySchedule().isEmpty { fail("C key schedule failed") }
            }.row("C \(setup.mechanism) key schedule (Swift arrays around it)", corpus: "–", per: count, unit: "exchange"))
        }

        let fixture = TLSFixture()
        let handshakes = 50
        rows.append(AllocBenchmark.counted { for _ in 0..<handshakes { _ = SwiftTLSClient(fixture).finish() } }
            .row("TLS handshake, library (+ in-memory server)", corpus: "–", per: handshakes, unit: "handshake"))
        rows.append(AllocBenchmark.counted { for _ in 0..<handshakes { _ = CTLSClient(fixture).finish() } }
            .row("TLS handshake, C client (+ in-memory server)", corpus: "–", per: handshakes, unit: "handshake"))
        let swiftClient = SwiftTLSClient(fixture)
        let cClient = CTLSClient(fixture)
        for (recordSize, records, onePerRead) in [(100, 10_000, false), (16 * 1024, 256, false), (300, 2_000, true)] {
            let payload = [UInt8](repeating: 0x61, count: recordSize * records)
            let reads = onePerRead ? ", one per read" : ""
            // The server encrypts first; the inner start() then resets the
            // count, so only the client's decryption is counted.
            rows.append(AllocBenchmark.counted {
                let buffers = swiftClient.prepare(payload, recordSize: recordSize, oneRecordPerRead: onePerRead)
                AllocCount.start()
                _ = swiftClient.consume(buffers, expecting: payload.count)
            }.row("TLS decrypt \(recordSize)-byte records\(reads), library", corpus: "–", per: records, unit: "record"))
            rows.append(AllocBenchmark.counted {
                let ciphertext = Endpoint.encrypt(cClient.server, payload, recordSize: recordSize)
                let ranges = TLSFixture.reads(of: ciphertext, oneRecordEach: onePerRead)
                AllocCount.start()
                _ = cClient.consume(ciphertext, reads: ranges, expecting: payload.count)
            }.row("TLS decrypt \(recordSize)-byte records\(reads), C client", corpus: "–", per: records, unit: "record"))
        }
        swiftClient.close()
        cClient.close()
        return rows
    }
}
