import Testing
import XMPPTransport
import XMPPTestSupport

/// RFC 2782 ordering of SRV records.
@Suite("SRV ordering")
struct SRVOrderingTests {
    func record(_ priority: UInt16, _ weight: UInt16, _ target: String, port: UInt16 = 5222) -> SRVRecord {
        SRVRecord(priority: priority, weight: weight, port: port, target: target)
    }

    /// How often each target came first over `runs` orderings of `records`.
    func firstPicks(_ records: [SRVRecord], runs: Int, seed: UInt64) -> [String: Int] {
        var generator = SeededGenerator(seed: seed)
        var counts: [String: Int] = [:]
        for _ in 0..<runs {
            if let first = SRVRecord.ordered(records, using: &generator).first {
                counts[first.target, default: 0] += 1
            }
        }
        return counts
    }

    @Test("Lower priorities come first whatever the weights")
    func priorityOrder() {
        let records = [record(30, 1000, "c"), record(10, 0, "a"), record(20, 65535, "b"), record(10, 0, "a2")]
        for seed in UInt64(0)..<50 {
            var generator = SeededGenerator(seed: seed)
            let ordered = SRVRecord.ordered(records, using: &generator)
            #expect(ordered.map(\.priority) == [10, 10, 20, 30])
            #expect(Set(ordered.prefix(2).map(\.target)) == ["a", "a2"])
        }
    }

    @Test("Within a priority, the chance of going first follows the weight")
    func weightDistribution() {
        let runs = 20_000
        let counts = firstPicks([record(1, 10, "ten"), record(1, 30, "thirty"), record(1, 60, "sixty")], runs: runs, seed: 42)
        // Expected shares are 10/100, 30/100 and 60/100 of (total + 1) draws;
        // allow two percentage points.
        for (target, share) in [("ten", 0.1), ("thirty", 0.3), ("sixty", 0.6)] {
            let observed = Double(counts[target, default: 0]) / Double(runs)
            #expect(abs(observed - share) < 0.02, "\(target): \(observed)")
        }
    }

    @Test("A zero-weight record goes first only when 0 is drawn")
    func zeroWeight() {
        let runs = 20_000
        let counts = firstPicks([record(1, 100, "weighted"), record(1, 0, "zero")], runs: runs, seed: 7)
        let zeroShare = Double(counts["zero", default: 0]) / Double(runs)
        // One value in 0...100 selects it: about 1 %.
        #expect(zeroShare > 0.002 && zeroShare < 0.03, "\(zeroShare)")
    }

    @Test("All-zero weights give every record a fair chance")
    func allZero() {
        let runs = 9_000
        let counts = firstPicks([record(1, 0, "a"), record(1, 0, "b"), record(1, 0, "c")], runs: runs, seed: 3)
        for target in ["a", "b", "c"] {
            let share = Double(counts[target, default: 0]) / Double(runs)
            #expect(abs(share - 1.0 / 3.0) < 0.03, "\(target): \(share)")
        }
    }

    @Test("Every usable record appears exactly once", arguments: UInt64(0)..<20)
    func permutation(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        let records = (UInt16(0)..<12).map { (index: UInt16) -> SRVRecord in
            record(index % 3, index * 7 % 5, "host\(index)", port: 5000 + index)
        }
        let ordered = SRVRecord.ordered(records, using: &generator)
        #expect(ordered.count == records.count)
        #expect(Set(ordered) == Set(records))
    }

    @Test("The same seed gives the same order")
    func deterministic() {
        let records = (0..<8).map { record(1, UInt16($0 * 10), "host\($0)") }
        var first = SeededGenerator(seed: 99)
        var second = SeededGenerator(seed: 99)
        #expect(SRVRecord.ordered(records, using: &first) == SRVRecord.ordered(records, using: &second))
    }

    @Test("A single \".\" record means the service is decidedly not available")
    func rootTarget() {
        let root = record(0, 0, ".", port: 0)
        #expect(SRVRecord.isServiceDecidedlyUnavailable([root]))
        #expect(!SRVRecord.isServiceDecidedlyUnavailable([]))
        #expect(!SRVRecord.isServiceDecidedlyUnavailable([root, record(1, 0, "a")]))
        #expect(!SRVRecord.isServiceDecidedlyUnavailable([record(1, 0, "a")]))
        // A root target names no host, so it is never tried.
        #expect(SRVRecord.ordered([root]).isEmpty)
        #expect(SRVRecord.ordered([root, record(1, 0, "a")]) == [record(1, 0, "a")])
    }

    @Test("Empty input gives empty output")
    func empty() {
        #expect(SRVRecord.ordered([]).isEmpty)
    }
}
