/// Command-line settings.
struct Options {
    /// Measured rounds per side, after warm-up.
    var rounds = 21
    /// Unmeasured rounds per side first, to fault in pages and warm caches.
    var warmupRounds = 3
    /// Which corpora to run.
    var corpora: [CorpusKind] = CorpusKind.allCases
    /// Size of each corpus in megabytes (10^6 bytes).
    var megabytes = 8
    /// Bytes per read call, as a socket would deliver them.
    var chunkSize = 4096
    /// Which sides to run; profiling runs one at a time.
    var sides: Set<Side> = [.c, .swift, .expatOnly]

    /// The measured implementations.
    enum Side: String, CaseIterable {
        /// Raw Expat plus a minimal C tree: the reference.
        case c
        /// XMPPCore's XMLStreamReader.
        case swift
        /// Raw Expat that only counts stanzas: Expat's own cost, for context.
        case expatOnly = "expat-only"
    }

    static let usage = """
        usage: ReaderBenchmark [--rounds N] [--warmup N] [--corpus mix|tiny|all] [--megabytes N]
                               [--only c|swift|expat-only]
        Measures XMLStreamReader against a raw-Expat C baseline in the same process,
        alternating rounds, 4 KiB chunks. --only runs a single side (for profilers).
        """

    /// Parses `arguments` (without the program name); returns nil and prints
    /// usage on anything it does not understand.
    static func parse(_ arguments: [String]) -> Options? {
        var options = Options()
        var remaining = arguments[...]
        while let flag = remaining.popFirst() {
            if flag == "--help" || flag == "-h" { return nil }
            guard let value = remaining.popFirst() else { return nil }
            switch flag {
            case "--rounds":
                guard let rounds = Int(value), rounds >= 1 else { return nil }
                options.rounds = rounds
            case "--warmup":
                guard let warmup = Int(value), warmup >= 0 else { return nil }
                options.warmupRounds = warmup
            case "--megabytes":
                guard let megabytes = Int(value), megabytes >= 1 else { return nil }
                options.megabytes = megabytes
            case "--corpus":
                if value == "all" {
                    options.corpora = CorpusKind.allCases
                } else if let kind = CorpusKind(rawValue: value) {
                    options.corpora = [kind]
                } else {
                    return nil
                }
            case "--only":
                guard let side = Side(rawValue: value) else { return nil }
                options.sides = [side]
            default:
                return nil
            }
        }
        return options
    }
}
