import CGnuTLSPeer

/// In-memory TLS 1.3: full handshakes (verification on: the generated CA,
/// the name xmpp.test) and record decryption, through the library's
/// `GnuTLSClientHandler` and through a plain C GnuTLS client.
enum TLSBenchmark {
    static let handshakesPerPass = 20
    /// Plaintext per bulk pass, by record size, and whether each record
    /// arrives in a read of its own (a conversation) or reads are 16 KiB
    /// (a burst).
    static let bulk: [(recordSize: Int, bytes: Int, oneRecordPerRead: Bool)] = [
        (100, 2_000_000, false), (16 * 1024, 8 * 1024 * 1024, false), (300, 600_000, true),
    ]

    static func run(_ options: Options) {
        print("\n## tls: in-memory TLS 1.3, client side\n")
        let fixture = TLSFixture()
        // One handshake each, to check both negotiate the same thing.
        let swiftProbe = SwiftTLSClient(fixture)
        let cProbe = CTLSClient(fixture)
        let swiftSession = Endpoint.describe(swiftProbe.server)
        let cSession = Endpoint.describe(cProbe.server)
        guard swiftSession == cSession else { fail("the clients negotiated differently: \(swiftSession) vs \(cSession)") }
        print("both clients, as the server sees them: \(swiftSession); verification on (CA + name \(TLSFixture.serverName))")

        let handshakes = [
            Contender(name: "library: GnuTLSClientHandler") { handshakePass { SwiftTLSClient(fixture).finish() } },
            Contender(name: "C floor: GnuTLS client") { handshakePass { CTLSClient(fixture).finish() } },
        ]
        let handshakeSamples = alternate(handshakes, warmup: options.warmupRounds, rounds: options.rounds)

        var payloads: [Int: [UInt8]] = [:]
        var random = SplitMix64(seed: 0x5EED_0000_0000_7150)
        for (_, bytes, _) in bulk where payloads[bytes] == nil {
            payloads[bytes] = (0..<bytes).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        }
        var bulkContenders: [Contender] = []
        for (recordSize, bytes, oneRecordPerRead) in bulk {
            guard let payload = payloads[bytes] else { continue }
            let reads = oneRecordPerRead ? ", one per read" : ""
            bulkContenders.append(Contender(name: "library, \(recordSize)-byte records\(reads)") {
                swiftProbe.receive(payload, recordSize: recordSize, oneRecordPerRead: oneRecordPerRead)
            })
            bulkContenders.append(Contender(name: "C floor, \(recordSize)-byte records\(reads)") {
                cProbe.receive(payload, recordSize: recordSize, oneRecordPerRead: oneRecordPerRead)
            })
        }
        let bulkSamples = alternate(bulkContenders, warmup: options.warmupRounds, rounds: options.rounds)
        swiftProbe.close()
        cProbe.close()

        print("Medians of \(options.rounds) alternating rounds; client-side time only (the server's is excluded).\n")
        let cHandshake = Statistics(handshakeSamples[1]).median
        var rows: [[String]] = []
        for (index, contender) in handshakes.enumerated() {
            let median = Statistics(handshakeSamples[index]).median
            rows.append([
                contender.name, fixed(median * 1e3 / Double(handshakesPerPass), 3),
                rate(Double(handshakesPerPass) / median), spread(handshakeSamples[index]),
                fixed(median / cHandshake, 2), fixed(pairedRatio(handshakeSamples[index], handshakeSamples[1]), 2),
            ])
        }
        printTable(
            ["handshake (set-up to close)", "client ms/handshake", "handshakes/s", "IQR", "time vs C", "paired"], rows)

        rows = []
        for (index, contender) in bulkContenders.enumerated() {
            let (recordSize, bytes, _) = bulk[index / 2]
            let median = Statistics(bulkSamples[index]).median
            let cMedian = Statistics(bulkSamples[index | 1]).median
            rows.append([
                contender.name, fixed(Double(bytes) / 1e6 / median, 1),
                rate(Double(bytes / recordSize) / median), spread(bulkSamples[index]),
                fixed(median / cMedian, 2), fixed(pairedRatio(bulkSamples[index], bulkSamples[index | 1]), 2),
            ])
        }
        printTable(["decrypt (16 KiB reads unless one per read)", "plaintext MB/s", "records/s", "IQR", "time vs C", "paired"], rows)
        print("time vs C: ratio of median times (1.00 = as fast as C); paired: median of per-round ratios.")
    }

    /// `handshakesPerPass` handshakes; returns their summed client time.
    static func handshakePass(_ handshake: () -> Double) -> Double {
        var total = 0.0
        for _ in 0..<handshakesPerPass { total += handshake() }
        return total
    }
}

extension SwiftTLSClient {
    /// Closes and returns the client time of the whole connection.
    func finish() -> Double {
        close()
        return clientSeconds
    }
}

extension CTLSClient {
    /// Closes and returns the client time of the whole connection.
    func finish() -> Double {
        close()
        return clientSeconds
    }
}
