/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fast generator whose output
/// depends only on the seed, so every run and every machine sees the same
/// corpus bytes. Statistical quality is ample for picking vocabulary.
struct SplitMix64 {
    private var state: UInt64

    /// Creates a generator; equal seeds give equal sequences.
    init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound`. The modulo bias is irrelevant here and, unlike
    /// the standard library's `Int.random(in:using:)`, this is guaranteed
    /// stable across Swift versions.
    mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        return Int(next() % UInt64(bound))
    }

    /// A number in `range`.
    mutating func inRange(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.count)
    }

    /// True with probability `percent`/100.
    mutating func chance(_ percent: Int) -> Bool {
        below(100) < percent
    }

    /// A uniformly chosen element of a non-empty array.
    mutating func pick<Element>(_ elements: [Element]) -> Element {
        elements[below(elements.count)]
    }

    /// `count` characters drawn from `alphabet` (ASCII only).
    mutating func string(_ count: Int, from alphabet: [Character]) -> String {
        var result = ""
        result.reserveCapacity(count)
        for _ in 0..<count {
            result.append(pick(alphabet))
        }
        return result
    }
}
