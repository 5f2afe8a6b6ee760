// Reader throughput benchmark: XMPPCore's XMLStreamReader against raw Expat
// building a minimal tree in C, same process, same bytes, same chunking,
// alternating rounds so that both sides see the same machine state.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Prints to standard error and exits: a wrong count means the numbers would
/// compare unequal work, so there is nothing worth reporting.
func abortBenchmark(_ message: String) -> Never {
    // write(2) rather than fputs(stderr): the C global is not concurrency-safe.
    var line = "ReaderBenchmark: \(message)\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(1)
}

/// Prints the load so that a noisy run explains itself. The benchmark keeps
/// one core busy, so about 1.0 is its own doing; more means competition.
func printLoad(_ moment: String) {
    guard let load = oneMinuteLoadAverage() else { return }
    print("load average (1 min) \(moment): \(fixed(load, 2))" + (load > 1.5 ? "  (other work running: expect noise)" : ""))
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let options = Options.parse(arguments) else {
    print(Options.usage)
    exit(arguments.contains("--help") || arguments.contains("-h") ? 0 : 2)
}

print("Expat \(CBaselineRunner.expatVersion), reparse deferral "
    + (CBaselineRunner.reparseDeferralAvailable ? "available (disabled on both sides)" : "not available (nothing to disable)"))
printLoad("before")
print("\(options.warmupRounds) warm-up + \(options.rounds) measured rounds per side, \(options.chunkSize)-byte chunks")

/// One pass of `side`, checked against the corpus and against the C tree's weight.
@MainActor
func measure(_ side: Options.Side, _ corpus: Corpus, expectedWeight: inout UInt64?) -> Double {
    let pass: Pass
    do {
        switch side {
        case .c: pass = try CBaselineRunner.run(corpus, chunkSize: options.chunkSize, buildTree: true)
        case .expatOnly: pass = try CBaselineRunner.run(corpus, chunkSize: options.chunkSize, buildTree: false)
        case .swift: pass = try SwiftReaderRunner.run(corpus, chunkSize: options.chunkSize)
        }
    } catch {
        abortBenchmark("\(error)")
    }
    guard pass.stanzas == UInt64(corpus.stanzas) else {
        abortBenchmark("\(side.rawValue) counted \(pass.stanzas) stanzas in \(corpus.name), the corpus has \(corpus.stanzas)")
    }
    if side != .expatOnly {
        if let expected = expectedWeight, expected != pass.weight {
            abortBenchmark("\(side.rawValue) weighed \(corpus.name) at \(pass.weight), expected \(expected) (elements + attributes + text bytes)")
        }
        expectedWeight = pass.weight
    }
    return pass.seconds
}

var results: [CorpusResult] = []
// Alternate C, Swift, Expat-only within every round, so slow phases of the
// machine hit all sides alike instead of skewing one side's block of rounds.
let order = Options.Side.allCases.filter { options.sides.contains($0) }
for kind in options.corpora {
    let corpus = CorpusGenerator.make(kind, targetBytes: options.megabytes * 1_000_000)
    print("corpus \(corpus.name): \(corpus.bytes.count) bytes, \(corpus.stanzas) stanzas, "
        + "\(fixed(corpus.averageStanzaBytes, 1)) bytes/stanza")
    var samples: [Options.Side: [Double]] = [:]
    var expectedWeight: UInt64?
    for round in 0..<(options.warmupRounds + options.rounds) {
        for side in order {
            let elapsed = measure(side, corpus, expectedWeight: &expectedWeight)
            if round >= options.warmupRounds {
                samples[side, default: []].append(elapsed)
            }
        }
    }
    results.append(CorpusResult(corpus: corpus, samples: samples))
}
Report.print(results, rounds: options.rounds)
printLoad("after")
