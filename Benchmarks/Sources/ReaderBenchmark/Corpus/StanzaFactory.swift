/// Random building blocks shared by both corpora: addresses, ids, stamps.
/// All state lives in the seeded generator, so output is reproducible.
struct StanzaFactory {
    var random: SplitMix64

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    mutating func bareJID() -> String {
        "\(random.pick(Vocabulary.users))@\(random.pick(Vocabulary.domains))"
    }

    mutating func resource() -> String {
        "\(random.pick(Vocabulary.clients)).\(random.string(4, from: Vocabulary.alphanumerics))"
    }

    mutating func fullJID() -> String {
        "\(bareJID())/\(resource())"
    }

    /// An RFC 4122-shaped id, the form most clients use for stanza ids.
    mutating func uuid() -> String {
        let hex = Vocabulary.hexDigits
        return "\(random.string(8, from: hex))-\(random.string(4, from: hex))-4\(random.string(3, from: hex))-"
            + "a\(random.string(3, from: hex))-\(random.string(12, from: hex))"
    }

    mutating func shortID() -> String {
        random.string(random.inRange(6...10), from: Vocabulary.alphanumerics)
    }

    /// An XEP-0082 timestamp, as used by delayed delivery.
    mutating func timestamp() -> String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let date = "2024-\(two(random.inRange(1...12)))-\(two(random.inRange(1...28)))"
        let time = "\(two(random.below(24))):\(two(random.below(60))):\(two(random.below(60)))"
        return "\(date)T\(time).\(random.inRange(100...999))Z"
    }

    /// One to `maximum` phrases joined by spaces.
    mutating func body(maximum: Int) -> String {
        var parts: [String] = []
        for _ in 0..<random.inRange(1...maximum) {
            parts.append(random.pick(Vocabulary.phrases))
        }
        return parts.joined(separator: " ")
    }
}
