// Micro-benchmarks of issue 7: the XML writer against the reader, the typed
// stanza model, SCRAM, TLS through the NIO handler, and allocations per
// stanza. Each compares against its C floor where one exists, in the same
// process, alternating rounds, medians. See Benchmarks/README.md.
#if canImport(Glibc)
import Glibc
#endif

let arguments = Array(CommandLine.arguments.dropFirst())
guard let options = Options.parse(arguments) else {
    print(Options.usage)
    exit(arguments.contains("--help") || arguments.contains("-h") ? 0 : 2)
}

print("MicroBenchmark: \(options.benchmarks.map(\.rawValue).joined(separator: ", ")); "
    + "\(options.warmupRounds) warm-up + \(options.rounds) measured rounds per contender")
printLoad("before")
for benchmark in options.benchmarks {
    switch benchmark {
    case .writer: WriterBenchmark.run(options)
    case .stanza: StanzaBenchmark.run(options)
    case .inbound: await InboundBenchmark.run(options)
    case .scram: SCRAMBenchmark.run(options)
    case .tls: TLSBenchmark.run(options)
    case .allocs: await AllocBenchmark.run(options)
    }
}
printLoad("after")
