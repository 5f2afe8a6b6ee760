/// A count of stanzas as XEP-0198 keeps it: an `xs:unsignedInt` that wraps
/// from 2^32 − 1 back to 0 instead of growing past it.
///
/// Both the send counter and the handled counter (`h`) are `StanzaCount`s.
/// Because they wrap, they are never compared with `<`: the question is
/// always how far one count is *ahead of* another
/// (``distance(to:)``), which modular arithmetic answers exactly as long as
/// the two are less than 2^32 stanzas apart. The ledger keeps far fewer
/// stanzas than that unacknowledged (its queue is bounded), so the answer is
/// never ambiguous for the counts it compares.
struct StanzaCount: Hashable, Sendable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The count modulo 2^32, as written in an `h` attribute.
    var value: UInt32

    /// Creates a count.
    init(_ value: UInt32) {
        self.value = value
    }

    /// Creates a count from a literal.
    init(integerLiteral value: UInt32) {
        self.value = value
    }

    /// Zero: where both counters start when stream management is enabled.
    static let zero = StanzaCount(0)

    /// The count `stanzas` further on, wrapping past 2^32 − 1.
    func advanced(by stanzas: UInt32) -> StanzaCount {
        StanzaCount(value &+ stanzas)
    }

    /// The count after one more stanza.
    var next: StanzaCount { advanced(by: 1) }

    /// How many stanzas `other` is ahead of this count, modulo 2^32
    /// (`other − self`, wrapping).
    func distance(to other: StanzaCount) -> UInt32 {
        other.value &- value
    }

    /// Whether `other` lies in the window that starts just after this count
    /// and is `length` stanzas long: `self < other ≤ self + length`, read
    /// modulo 2^32.
    func precedes(_ other: StanzaCount, within length: UInt32) -> Bool {
        let ahead = distance(to: other)
        return ahead != 0 && ahead <= length
    }

    /// The decimal value, as on the wire.
    var description: String { String(value) }
}
