import CAllocCounter

/// Allocations (malloc-family calls) and requested bytes of some work.
struct AllocCount {
    var calls: UInt64
    var bytes: UInt64

    /// Counts the allocations `body` makes, on every thread, while it runs.
    static func of(_ body: () -> Void) -> AllocCount {
        start()
        body()
        return stop()
    }

    /// Starts counting from zero (for async work, which `of` cannot wrap).
    static func start() {
        alloc_counter_reset()
        alloc_counter_set_enabled(1)
    }

    /// Stops counting and returns the counts since `start()`.
    static func stop() -> AllocCount {
        alloc_counter_set_enabled(0)
        let counts = alloc_counter_read()
        return AllocCount(calls: counts.calls, bytes: counts.bytes)
    }

    /// A table row: calls and bytes per unit of work.
    func row(_ what: String, corpus: String, per units: Int, unit: String = "stanza") -> [String] {
        let plural = unit.hasSuffix("s") ? unit + "es" : unit + "s"
        return [
            corpus, what, grouped(units) + " " + plural, grouped(Int(calls)),
            fixed(Double(calls) / Double(units), 2), fixed(Double(bytes) / Double(units), 0),
        ]
    }
}
