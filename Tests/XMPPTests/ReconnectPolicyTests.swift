import Testing

@testable import XMPP

/// `ReconnectPolicy`: exponential backoff from `initialDelay` by
/// `multiplier`, capped at `maximumDelay`, shortened by at most `jitter` of
/// itself; the retry budget; validation; and no overflow or long loop
/// whatever the failure count (security.md P43).
@Suite struct ReconnectPolicyTests {
    /// The policy with jitter off unless a test sets it.
    static func policy(
        initial: Duration = .milliseconds(500),
        maximum: Duration = .seconds(60),
        multiplier: Double = 2,
        jitter: Double = 0,
        budget: Int? = nil
    ) -> ReconnectPolicy {
        ReconnectPolicy(
            initialDelay: initial, maximumDelay: maximum, multiplier: multiplier, jitter: jitter,
            maximumConsecutiveFailures: budget)
    }

    @Test("The defaults: 0.5 s, ×2, at most 60 s, jitter 0.5, no budget, 30 s to count as stable; they validate")
    func defaults() throws {
        let policy = ReconnectPolicy()
        #expect(policy.initialDelay == .milliseconds(500) && policy.maximumDelay == .seconds(60))
        #expect(policy.multiplier == 2 && policy.jitter == 0.5)
        #expect(policy.maximumConsecutiveFailures == nil && policy.stableSessionDuration == .seconds(30))
        try policy.validate()
        #expect(policy.description.contains("maximumConsecutiveFailures: none"))
    }

    @Test("Delays grow by the multiplier from the initial delay and stop at the maximum")
    func growth() {
        let policy = Self.policy()
        let delays = (1...10).map { policy.delay(afterFailures: $0, random: 0) }
        #expect(
            delays == [
                .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(32),
                .seconds(60), .seconds(60), .seconds(60),
            ])
        #expect(policy.delay(afterFailures: 0, random: 0) == .milliseconds(500), "no failure yet counts as the first")
        #expect(policy.delay(afterFailures: -3, random: 0) == .milliseconds(500))

        let slower = Self.policy(initial: .seconds(1), maximum: .seconds(5), multiplier: 1.5)
        #expect((1...6).map { slower.delay(afterFailures: $0, random: 0) } == [
            .seconds(1), .milliseconds(1_500), .milliseconds(2_250), .milliseconds(3_375), .milliseconds(5_000), .seconds(5),
        ])
        let flat = Self.policy(initial: .seconds(3), multiplier: 1)
        #expect(flat.delay(afterFailures: 50, random: 0) == .seconds(3), "multiplier 1: a constant delay")
    }

    @Test("A maximum below the initial delay never shortens the first delay")
    func maximumBelowInitial() {
        let policy = Self.policy(initial: .seconds(10), maximum: .seconds(2))
        #expect(policy.delay(afterFailures: 1, random: 0) == .seconds(10))
        #expect(policy.delay(afterFailures: 5, random: 0) == .seconds(10))
    }

    @Test("Jitter takes off at most jitter × delay: random 0 keeps it whole, random 1 leaves (1 − jitter) × delay")
    func jitter() {
        let policy = Self.policy(initial: .seconds(4), maximum: .seconds(60), jitter: 0.5)
        #expect(policy.delay(afterFailures: 1, random: 0) == .seconds(4))
        #expect(policy.delay(afterFailures: 1, random: 1) == .seconds(2))
        #expect(policy.delay(afterFailures: 1, random: 0.5) == .seconds(3))
        #expect(policy.delay(afterFailures: 5, random: 1) == .seconds(30), "the capped delay is shortened too")
        for step in 0...16 {
            let random = Double(step) / 16
            let delay = policy.delay(afterFailures: 3, random: random)
            #expect(delay <= .seconds(16) && delay >= .seconds(8), "random \(random): \(delay)")
        }
        #expect(policy.delay(afterFailures: 1, random: -1) == .seconds(4), "random below 0 counts as 0")
        #expect(policy.delay(afterFailures: 1, random: 7) == .seconds(2), "random above 1 counts as 1")

        let full = Self.policy(initial: .seconds(4), jitter: 1)
        #expect(full.delay(afterFailures: 1, random: 1) == .zero)
        #expect(full.delay(afterFailures: 1, random: 0.25) == .seconds(3))
        let none = Self.policy(initial: .seconds(4), jitter: 0)
        #expect(none.delay(afterFailures: 1, random: 1) == .seconds(4))
    }

    @Test("The budget: never spent without one; spent once that many attempts in a row failed")
    func budget() {
        let unlimited = Self.policy()
        #expect(!unlimited.isExhausted(afterFailures: 1) && !unlimited.isExhausted(afterFailures: .max))
        let three = Self.policy(budget: 3)
        #expect(!three.isExhausted(afterFailures: 0) && !three.isExhausted(afterFailures: 2))
        #expect(three.isExhausted(afterFailures: 3) && three.isExhausted(afterFailures: 4))
        #expect(Self.policy(budget: 1).isExhausted(afterFailures: 1))
    }

    @Test("validate() refuses negative delays, a multiplier below 1 or not finite, jitter outside 0…1, a budget below 1")
    func validation() throws {
        let invalid: [ReconnectPolicy] = [
            Self.policy(initial: .milliseconds(-1)),
            Self.policy(maximum: .seconds(-1)),
            // Zero would retry in a tight loop (P43).
            Self.policy(initial: .zero, maximum: .zero),
            Self.policy(initial: .zero),
            Self.policy(multiplier: 0.5),
            Self.policy(multiplier: 0),
            Self.policy(multiplier: .infinity),
            Self.policy(multiplier: .nan),
            Self.policy(jitter: -0.1),
            Self.policy(jitter: 1.1),
            Self.policy(jitter: .nan),
            Self.policy(budget: 0),
            Self.policy(budget: -1),
        ]
        for policy in invalid {
            let error = #expect(throws: XMPPClientError.self, "\(policy)") { try policy.validate() }
            #expect(error?.code == .invalidConfiguration, "\(policy)")
        }
        let limits: [ReconnectPolicy] = [
            Self.policy(initial: .nanoseconds(1), maximum: .nanoseconds(1)), Self.policy(multiplier: 1), Self.policy(jitter: 0),
            Self.policy(jitter: 1), Self.policy(budget: 1),
        ]
        for policy in limits {
            #expect(throws: Never.self, "\(policy)") { try policy.validate() }
        }
    }

    @Test("Huge failure counts and delays neither overflow nor loop long", .timeLimit(.minutes(1)))
    func hugeCounts() {
        let policy = Self.policy(jitter: 0.5)
        #expect(policy.delay(afterFailures: .max, random: 0) == .seconds(60))
        #expect(policy.delay(afterFailures: .max, random: 1) == .seconds(30))
        #expect(Self.policy(multiplier: 1).delay(afterFailures: .max, random: 0) == .milliseconds(500))
        #expect(Self.policy(initial: .zero).delay(afterFailures: .max, random: 0) == .zero)
        #expect(Self.policy(multiplier: 1.000_001).delay(afterFailures: .max, random: 0) == .seconds(60))
        #expect(Self.policy(multiplier: 1e300).delay(afterFailures: 3, random: 0) == .seconds(60), "no infinity leaks out")

        // A maximum beyond what Int64 nanoseconds hold (292 years).
        let long = Self.policy(initial: .seconds(1), maximum: .seconds(Int64.max))
        let longest = long.delay(afterFailures: .max, random: 0)
        #expect(longest > .seconds(9_000_000_000_000_000_000 as Int64))
        #expect(long.delay(afterFailures: 4, random: 0) == .seconds(8))
        #expect(long.delay(afterFailures: .max, random: 1) == longest, "no jitter here: random changes nothing")
        var halved = long
        halved.jitter = 0.5
        let half = halved.delay(afterFailures: .max, random: 1)
        #expect(half > .seconds(4_000_000_000_000_000_000 as Int64) && half < longest)
    }
}
