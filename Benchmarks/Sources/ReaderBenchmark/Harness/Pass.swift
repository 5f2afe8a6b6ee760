/// What one side reported for one pass over a corpus.
struct Pass {
    /// Top-level stream children the side completed.
    var stanzas: UInt64
    /// Sum over stanzas of elements + attributes + text UTF-8 bytes; zero for
    /// sides that build no tree. Equal weights mean equal work was done.
    var weight: UInt64
    /// Wall-clock time of the pass, parser creation included.
    var seconds: Double
}

/// Elapsed seconds since `start` on the monotonic clock.
func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    let parts = elapsed.components
    return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
}
