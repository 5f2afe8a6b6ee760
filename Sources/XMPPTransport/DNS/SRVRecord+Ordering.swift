extension SRVRecord {
    /// The records in the order RFC 2782 says to try them, using the system's
    /// random number generator for the weighted choice.
    ///
    /// See ``ordered(_:using:)`` for the rules.
    /// - Parameter records: The records of one answer (or of several merged
    ///   answers).
    /// - Returns: The usable records, most preferred first.
    public static func ordered(_ records: [SRVRecord]) -> [SRVRecord] {
        var generator = SystemRandomNumberGenerator()
        return ordered(records, using: &generator)
    }

    /// The records in the order RFC 2782 says to try them.
    ///
    /// Records are sorted by ascending ``priority``. Within one priority they
    /// are picked one at a time: the remaining records are arranged with the
    /// zero-weight ones first, each is given the running sum of the weights
    /// up to and including it, a number is drawn uniformly from
    /// `0...sum`, and the first record whose running sum reaches it is
    /// picked. A record's chance of going first is thus proportional to its
    /// weight, and a zero-weight record only goes first when `0` is drawn.
    /// The arrangement before each draw is shuffled (RFC 2782 allows "any
    /// order") so that records of equal weight, in particular all-zero
    /// weights, end up in random order instead of the order of the answer.
    ///
    /// Records whose target is `"."` are left out: they name no host. Use
    /// ``isServiceDecidedlyUnavailable(_:)`` first to tell "not offered" from
    /// an answer that merely contains such a record.
    /// - Parameters:
    ///   - records: The records of one answer (or of several merged answers).
    ///   - generator: The source of randomness; tests pass a seeded one.
    /// - Returns: The usable records, most preferred first.
    public static func ordered(
        _ records: [SRVRecord],
        using generator: inout some RandomNumberGenerator
    ) -> [SRVRecord] {
        let byPriority = Dictionary(grouping: records.filter { !$0.hasRootTarget }, by: \.priority)
        var result: [SRVRecord] = []
        for priority in byPriority.keys.sorted() {
            result += weightedOrder(byPriority[priority] ?? [], using: &generator)
        }
        return result
    }

    /// Orders records of one priority by repeated weighted random selection.
    static func weightedOrder(
        _ records: [SRVRecord],
        using generator: inout some RandomNumberGenerator
    ) -> [SRVRecord] {
        var remaining = records.shuffled(using: &generator)
        // A stable partition keeps the shuffle; the zero weights must come
        // first so that they own the running sum's value 0 and nothing more.
        remaining = remaining.filter { $0.weight == 0 } + remaining.filter { $0.weight != 0 }
        var result: [SRVRecord] = []
        result.reserveCapacity(remaining.count)
        while !remaining.isEmpty {
            // At most 65535 per record, so the sum cannot overflow an Int for
            // any answer that fits in a DNS message.
            let total = remaining.reduce(0) { $0 + Int($1.weight) }
            let drawn = Int.random(in: 0...total, using: &generator)
            var runningSum = 0
            var chosen = remaining.count - 1
            for (index, record) in remaining.enumerated() {
                runningSum += Int(record.weight)
                if runningSum >= drawn {
                    chosen = index
                    break
                }
            }
            result.append(remaining.remove(at: chosen))
        }
        return result
    }
}
