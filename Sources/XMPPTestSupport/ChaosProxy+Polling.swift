/// Checks `condition` every 5 ms until it holds or `timeout` passes; used by
/// the chaos proxy and the fake server for state that has no event to
/// await. Polling cannot strand a waiter the way a lost wake-up could.
/// - Returns: Whether the condition held.
func pollUntil(timeout: Duration, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    // Bounded by the deadline; a cancelled task stops at the next check.
    while true {
        if condition() { return true }
        if ContinuousClock.now >= deadline || Task.isCancelled { return condition() }
        try? await Task.sleep(for: .milliseconds(5))
    }
}
