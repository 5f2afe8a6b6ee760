/// The measured timings of one corpus, turned into the published figures.
struct CorpusResult {
    let corpus: Corpus
    /// Per-side seconds per measured round.
    let samples: [Options.Side: [Double]]

    /// The acceptance bar: Swift median throughput over C median throughput.
    static let requiredRatio = 0.9

    private var megabytes: Double { Double(corpus.bytes.count) / 1e6 }

    func statistics(_ side: Options.Side) -> Statistics? {
        guard let values = samples[side], !values.isEmpty else { return nil }
        return Statistics(values)
    }

    /// Swift/C throughput of the medians (= C median time / Swift median time).
    var ratio: Double? {
        guard let c = statistics(.c), let swift = statistics(.swift) else { return nil }
        return c.median / swift.median
    }

    /// The median of per-round ratios; rounds are adjacent in time, so this
    /// cancels slow drifts of the machine. Should agree with `ratio`.
    var pairedRatio: Double? {
        guard let c = samples[.c], let swift = samples[.swift], c.count == swift.count else { return nil }
        return Statistics(zip(c, swift).map { $0 / $1 }).median
    }

    func medianThroughput(_ side: Options.Side) -> String {
        statistics(side).map { fixed(megabytes / $0.median, 1) } ?? "–"
    }

    func bestThroughput(_ side: Options.Side) -> String {
        statistics(side).map { fixed(megabytes / $0.minimum, 1) } ?? "–"
    }

    func spread(_ side: Options.Side) -> String {
        statistics(side).map { fixed($0.relativeSpread * 100, 1) + " %" } ?? "–"
    }
}

/// Prints the results as Markdown tables, ready to paste into the README.
enum Report {
    static func print(_ results: [CorpusResult], rounds: Int) {
        Swift.print("\nMedians of \(rounds) alternating rounds per side; MB = 10^6 bytes.\n")
        Swift.print("| corpus | bytes | stanzas | avg bytes/stanza | C median MB/s | Swift median MB/s | Swift stanzas/s | Swift/C |")
        Swift.print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for result in results {
            let corpus = result.corpus
            let stanzasPerSecond = result.statistics(.swift).map { grouped(Int(Double(corpus.stanzas) / $0.median)) } ?? "–"
            let verdict = result.ratio.map { fixed($0, 3) + ($0 >= CorpusResult.requiredRatio ? " ✓" : " ✗") } ?? "–"
            Swift.print("| \(corpus.name) | \(grouped(corpus.bytes.count)) | \(grouped(corpus.stanzas)) "
                + "| \(fixed(corpus.averageStanzaBytes, 1)) | \(result.medianThroughput(.c)) "
                + "| \(result.medianThroughput(.swift)) | \(stanzasPerSecond) | \(verdict) |")
        }
        Swift.print("\nDetail: best round (min time), interquartile spread, Expat alone.\n")
        Swift.print("| corpus | C best MB/s | Swift best MB/s | C IQR | Swift IQR | paired Swift/C | Expat-only median MB/s |")
        Swift.print("|---|---:|---:|---:|---:|---:|---:|")
        for result in results {
            Swift.print("| \(result.corpus.name) | \(result.bestThroughput(.c)) | \(result.bestThroughput(.swift)) "
                + "| \(result.spread(.c)) | \(result.spread(.swift)) | \(result.pairedRatio.map { fixed($0, 3) } ?? "–") "
                + "| \(result.medianThroughput(.expatOnly)) |")
        }
        Swift.print("\n✓/✗: Swift/C of medians against the \(CorpusResult.requiredRatio)× bar.")
    }
}
