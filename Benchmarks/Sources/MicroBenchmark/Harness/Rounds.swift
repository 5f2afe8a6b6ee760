/// One measured implementation or variant: `pass` runs one timed pass,
/// checks its own result, and returns the seconds it measured (which may
/// leave out set-up, or the other end of a connection).
struct Contender {
    let name: String
    let pass: () -> Double
}

/// Runs `contenders` in alternation, A B C A B C …, `warmup` unmeasured
/// rounds and then `rounds` measured ones, so that slow phases of a shared
/// machine hit every contender alike. Returns the measured seconds per
/// contender, in the given order.
func alternate(_ contenders: [Contender], warmup: Int, rounds: Int) -> [[Double]] {
    var samples = [[Double]](repeating: [], count: contenders.count)
    for round in 0..<(warmup + rounds) {
        for (index, contender) in contenders.enumerated() {
            let elapsed = contender.pass()
            if round >= warmup { samples[index].append(elapsed) }
        }
    }
    return samples
}

/// The median of per-round ratios a/b: rounds are adjacent in time, so this
/// cancels slow drifts; it should agree with the ratio of the medians.
func pairedRatio(_ a: [Double], _ b: [Double]) -> Double {
    Statistics(zip(a, b).map { $0 / $1 }).median
}
