/// The first element of `sequence` that `predicate` accepts, or `nil` when
/// none arrives within `limit` (or the sequence ends first): a lost stanza
/// fails the test that expected it instead of hanging it, and a test that
/// expects silence waits a bounded time.
///
/// Make the sequence (a subscription) before triggering what it waits for.
func firstElement<Elements: AsyncSequence & Sendable>(
    of sequence: Elements,
    within limit: Duration,
    where predicate: @escaping @Sendable (Elements.Element) -> Bool = { _ in true }
) async throws -> Elements.Element? where Elements.Element: Sendable {
    try await withThrowingTaskGroup(of: Elements.Element?.self) { group in
        group.addTask {
            for try await element in sequence where predicate(element) {
                return element
            }
            return nil
        }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        return try await group.next() ?? nil
    }
}
