#if canImport(Glibc)
import Glibc
#endif

/// Prints to standard error and exits: a failed check means the figures
/// would compare unequal work, so there is nothing worth reporting.
func fail(_ message: String) -> Never {
    // write(2) rather than fputs(stderr): the C global is not concurrency-safe.
    var line = "MicroBenchmark: \(message)\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(1)
}

/// Prints the load, so that a noisy run explains itself: the benchmark
/// keeps one core busy, so about 1.0 is its own doing.
func printLoad(_ moment: String) {
    guard let load = oneMinuteLoadAverage() else { return }
    print("load average (1 min) \(moment): \(fixed(load, 2))" + (load > 1.5 ? "  (other work running: expect noise)" : ""))
}

/// Prints a Markdown table: the first column left-aligned, the rest right.
func printTable(_ header: [String], _ rows: [[String]]) {
    print("| " + header.joined(separator: " | ") + " |")
    print("|---|" + String(repeating: "---:|", count: header.count - 1))
    for row in rows { print("| " + row.joined(separator: " | ") + " |") }
    print("")
}


/// A rate with a sensible number of digits: 1,234,567 or 12.3.
func rate(_ value: Double) -> String {
    value >= 1000 ? grouped(Int(value.rounded())) : fixed(value, value >= 100 ? 0 : 1)
}

/// The interquartile range relative to the median, as a percentage.
func spread(_ samples: [Double]) -> String {
    fixed(Statistics(samples).relativeSpread * 100, 1) + " %"
}

/// A ratio with a verdict against a bar (✓ at or above, ✗ below).
func verdict(_ ratio: Double, bar: Double) -> String {
    fixed(ratio, 2) + (ratio >= bar ? " ✓" : " ✗")
}
