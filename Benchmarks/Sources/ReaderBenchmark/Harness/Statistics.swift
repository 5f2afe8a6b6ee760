/// Order statistics over one side's per-round timings.
struct Statistics {
    /// The samples in ascending order.
    let sorted: [Double]

    /// - Precondition: `samples` is not empty.
    init(_ samples: [Double]) {
        precondition(!samples.isEmpty, "no samples")
        sorted = samples.sorted()
    }

    var minimum: Double { sorted[0] }
    var maximum: Double { sorted[sorted.count - 1] }

    /// The median: robust against the odd round a scheduler hiccup slows down.
    var median: Double { quantile(0.5) }

    /// Linear-interpolated quantile, `q` in 0...1.
    func quantile(_ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let lower = Int(position)
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }

    /// Interquartile range relative to the median: a quick stability gauge.
    var relativeSpread: Double { (quantile(0.75) - quantile(0.25)) / median }
}
