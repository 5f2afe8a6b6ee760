import CGnuTLSPeer
import XMPPUnderTest

/// SCRAM client cost with 4096 iterations: the library's whole exchange
/// (SASLNegotiation from `<auth/>` to the verified server signature), the
/// same key schedule in C on GnuTLS, and gnutls_pbkdf2 alone (the floor:
/// every SCRAM client on GnuTLS pays it, and it is nearly all the work).
enum SCRAMBenchmark {
    static let iterations: UInt32 = 4096
    /// Exchanges per timed pass: enough that the clock's resolution is noise.
    static let exchangesPerPass = 20

    static func run(_ options: Options) {
        print("\n## scram: SCRAM client exchange, \(iterations) iterations\n")
        var rows: [[String]] = []
        for sha256 in [false, true] {
            let setup = SCRAMSetup(sha256: sha256, iterations: iterations)
            let contenders = [
                Contender(name: "library: SASLNegotiation exchange") {
                    timed(exchangesPerPass) {
                        guard setup.library.run() == .succeeded else { fail("the library's exchange failed") }
                    }
                },
                Contender(name: "C: key schedule on GnuTLS") {
                    timed(exchangesPerPass) {
                        guard setup.cKeySchedule() == setup.expectedProof else { fail("the C proof changed") }
                    }
                },
                Contender(name: "C floor: gnutls_pbkdf2 alone") {
                    timed(exchangesPerPass) {
                        guard setup.cSaltedPassword() else { fail("gnutls_pbkdf2 failed") }
                    }
                },
            ]
            let samples = alternate(contenders, warmup: options.warmupRounds, rounds: options.rounds)
            let floor = Statistics(samples[2]).median
            for (index, contender) in contenders.enumerated() {
                let median = Statistics(samples[index]).median
                rows.append([
                    setup.mechanism, contender.name, fixed(median * 1e3 / Double(exchangesPerPass), 3),
                    fixed(Double(exchangesPerPass) / median, 0), spread(samples[index]),
                    fixed(median / floor, 3),
                    index == 2 ? "–" : fixed(pairedRatio(samples[index], samples[2]), 3),
                ])
            }
        }
        print("Medians of \(options.rounds) alternating rounds, \(exchangesPerPass) exchanges per pass.\n")
        printTable(["mechanism", "side", "ms per exchange", "exchanges/s", "IQR", "vs pbkdf2 floor", "paired"], rows)
        print("The library's exchange and the C key schedule produce the same proof (checked at start-up);"
            + " the library's also verifies the server signature on every exchange.")
    }

    /// Runs `body` `count` times and returns the seconds it took.
    static func timed(_ count: Int, _ body: () -> Void) -> Double {
        let start = ContinuousClock.now
        for _ in 0..<count { body() }
        return seconds(since: start)
    }
}
