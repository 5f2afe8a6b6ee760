/// Command-line settings.
struct Options {
    /// The benchmarks this executable knows, in the order they run.
    enum Benchmark: String, CaseIterable {
        case writer, stanza, inbound, scram, tls, allocs
    }

    /// Which benchmarks to run.
    var benchmarks: [Benchmark] = Benchmark.allCases
    /// Measured rounds per contender, after warm-up.
    var rounds = 21
    /// Unmeasured rounds per contender first, to fault in pages and warm caches.
    var warmupRounds = 3
    /// Size of each generated corpus in megabytes (10^6 bytes).
    var megabytes = 8
    /// Bytes per read in the inbound benchmark: 16 KiB is what a socket
    /// hands over under load; a few hundred bytes (one message per read)
    /// shows what each read costs besides its messages.
    var inboundReadSize = 16_384
    /// When set, the inbound benchmark runs code it never runs otherwise
    /// and touches this many KiB before each read, timing the reads only:
    /// what another process does to the caches between two of the live
    /// receiver's wake-ups.
    var inboundColdKiB: Int?

    static let usage = """
        usage: MicroBenchmark [--only writer,stanza,inbound,scram,tls,allocs] [--rounds N] [--warmup N] [--megabytes N]
                              [--inbound-read-size BYTES] [--inbound-cold KIB]
          writer  XMLWriter on the reader benchmark's mix and tiny stanzas, against the reader on the same bytes
          stanza  typed stanza model: build a Message and serialise it; parse elements into Message/Presence/IQ
          inbound routed chat messages through a live session's channel handler and messages(), against the reader alone
          scram   SCRAM-SHA-1 and SCRAM-SHA-256 client exchanges (4096 iterations) against GnuTLS in C
          tls     in-memory TLS 1.3 handshakes and record decryption through GnuTLSClientHandler, against a C client
          allocs  malloc-family calls and bytes per stanza: reader, reader + typed parse, the channel handler
        Every benchmark alternates its contenders round by round and reports medians.
        --rounds (default 21) and --warmup (default 3) apply to every timed benchmark;
        --megabytes (default 8) sizes the generated corpora;
        --inbound-read-size (default 16384) is the inbound benchmark's bytes per read;
        --inbound-cold KIB runs unrelated code and touches KIB KiB before each of its reads, timing the reads only.
        """

    /// Parses `arguments` (without the program name); nil on anything it
    /// does not understand, or on --help.
    static func parse(_ arguments: [String]) -> Options? {
        var options = Options()
        var remaining = arguments[...]
        while let flag = remaining.popFirst() {
            if flag == "--help" || flag == "-h" { return nil }
            guard let value = remaining.popFirst() else { return nil }
            switch flag {
            case "--only":
                var chosen: [Benchmark] = []
                for name in value.split(separator: ",") {
                    guard let benchmark = Benchmark(rawValue: String(name)) else { return nil }
                    chosen.append(benchmark)
                }
                // Keep the canonical order whatever order they were named in.
                options.benchmarks = Benchmark.allCases.filter(chosen.contains)
            case "--rounds":
                guard let rounds = Int(value), rounds >= 1 else { return nil }
                options.rounds = rounds
            case "--warmup":
                guard let warmup = Int(value), warmup >= 0 else { return nil }
                options.warmupRounds = warmup
            case "--megabytes":
                guard let megabytes = Int(value), megabytes >= 1 else { return nil }
                options.megabytes = megabytes
            case "--inbound-read-size":
                guard let size = Int(value), size >= 1 else { return nil }
                options.inboundReadSize = size
            case "--inbound-cold":
                guard let kib = Int(value), kib >= 0 else { return nil }
                options.inboundColdKiB = kib
            default:
                return nil
            }
        }
        return options
    }
}
