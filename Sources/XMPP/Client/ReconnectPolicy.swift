/// When an ``XMPPClient`` tries again after a connection attempt failed or
/// a session dropped: exponential backoff with jitter, a cap, and an
/// optional retry budget (security.md P43: no tight loop, whatever the
/// failure).
///
/// The delay before retry *n* (counting consecutive failures from 1) is
/// `initialDelay × multiplier^(n−1)`, capped at `maximumDelay`, then
/// shortened by a random fraction of up to `jitter` of itself, so that many
/// clients cut off together do not come back in step. A session that stayed
/// up for `stableSessionDuration` resets the count; one that drops sooner
/// does not, so a server that accepts and then drops every session still
/// sees growing delays.
///
/// ```swift
/// var policy = ReconnectPolicy()
/// policy.initialDelay = .milliseconds(500)
/// policy.maximumDelay = .seconds(30)
/// policy.maximumConsecutiveFailures = 20
/// ```
public struct ReconnectPolicy: Hashable, Sendable, CustomStringConvertible {
    /// The delay before the first retry. Default 0.5 s; positive.
    public var initialDelay: Duration
    /// The longest delay. Default 60 s; at least ``initialDelay``.
    public var maximumDelay: Duration
    /// How much each failure multiplies the delay. Default 2; at least 1.
    public var multiplier: Double
    /// The largest fraction of a delay taken off at random. Default 0.5;
    /// from 0 (none) to 1.
    public var jitter: Double
    /// How many attempts in a row may fail before ``XMPPClient/run()``
    /// gives up with the last error; `nil` (the default) never gives up.
    public var maximumConsecutiveFailures: Int?
    /// How long a session must last for the failure count to start again
    /// from zero when it drops. Default 30 s.
    public var stableSessionDuration: Duration

    /// Creates a policy; the defaults suit a long-lived bot or client.
    /// - Parameters:
    ///   - initialDelay: The delay before the first retry.
    ///   - maximumDelay: The longest delay.
    ///   - multiplier: The growth per failure.
    ///   - jitter: The largest random fraction taken off a delay.
    ///   - maximumConsecutiveFailures: The retry budget, or `nil` for none.
    ///   - stableSessionDuration: How long a session must last to reset the count.
    public init(
        initialDelay: Duration = .milliseconds(500),
        maximumDelay: Duration = .seconds(60),
        multiplier: Double = 2,
        jitter: Double = 0.5,
        maximumConsecutiveFailures: Int? = nil,
        stableSessionDuration: Duration = .seconds(30)
    ) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.multiplier = multiplier
        self.jitter = jitter
        self.maximumConsecutiveFailures = maximumConsecutiveFailures
        self.stableSessionDuration = stableSessionDuration
    }

    /// The policy, for logs.
    public var description: String {
        "ReconnectPolicy(initialDelay: \(initialDelay), maximumDelay: \(maximumDelay), multiplier: \(multiplier), "
            + "jitter: \(jitter), maximumConsecutiveFailures: \(maximumConsecutiveFailures.map(String.init) ?? "none"), "
            + "stableSessionDuration: \(stableSessionDuration))"
    }

    /// The delay before the next attempt after `failures` consecutive
    /// failures (at least 1).
    /// - Parameter random: A number in `0...1`, the share of ``jitter``
    ///   to take off (tests pass fixed values).
    public func delay(afterFailures failures: Int, random: Double) -> Duration {
        let initial = Self.seconds(initialDelay)
        let cap = max(initial, Self.seconds(maximumDelay))
        // multiplier^(failures − 1) by squaring: at most 63 rounds whatever
        // `failures` is. (A `for … where grown < cap` loop went on counting
        // to `failures` after reaching the cap: endless for a huge count.)
        var factor = 1.0
        var base = max(1, multiplier)
        var exponent = max(1, failures) - 1
        while exponent > 0, factor < .infinity {
            if exponent & 1 == 1 { factor *= base }
            base *= base
            exponent >>= 1
        }
        let grown = initial > 0 ? min(initial * factor, cap) : 0
        let shortened = grown * (1 - min(max(jitter, 0), 1) * min(max(random, 0), 1))
        let nanoseconds = (shortened * 1e9).rounded()
        // `Int64(_:)` traps from 2^63 ns (292 years, a huge `maximumDelay`):
        // such delays are made from seconds.
        return nanoseconds < 9e18 ? .nanoseconds(Int64(nanoseconds)) : .seconds(shortened)
    }

    /// Whether the budget is spent after `failures` consecutive failures.
    public func isExhausted(afterFailures failures: Int) -> Bool {
        maximumConsecutiveFailures.map { failures >= $0 } ?? false
    }

    /// Throws ``XMPPClientError/Code/invalidConfiguration`` for values
    /// out of range.
    func validate() throws(XMPPClientError) {
        // A zero delay would retry in a tight loop (security.md P43).
        guard initialDelay > .zero, maximumDelay > .zero else {
            throw .invalidConfiguration("reconnect delays are not positive")
        }
        guard multiplier >= 1, multiplier.isFinite else { throw .invalidConfiguration("reconnect.multiplier is below 1") }
        guard (0...1).contains(jitter) else { throw .invalidConfiguration("reconnect.jitter is not between 0 and 1") }
        if let budget = maximumConsecutiveFailures, budget < 1 {
            throw .invalidConfiguration("reconnect.maximumConsecutiveFailures is below 1")
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
