/// A point in time on the connection's monotonic clock: nanoseconds since
/// an arbitrary origin (the event loop's uptime clock, or virtual time in
/// tests).
///
/// The state machine never reads a clock. The channel handler passes the
/// current instant in with the inputs that start a timer (sending an IQ
/// request), and the machine hands back the instant at which it wants to
/// hear from the clock again (``SessionStateMachine/Action/scheduleRequestTimer(_:)``).
struct MonotonicInstant: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Nanoseconds since the origin.
    var nanoseconds: UInt64

    /// Creates an instant.
    init(nanoseconds: UInt64) {
        self.nanoseconds = nanoseconds
    }

    /// The instant `duration` after this one; clamped to the clock's range
    /// (a negative duration gives an earlier instant, never before the origin).
    func advanced(by duration: Duration) -> MonotonicInstant {
        let (seconds, attoseconds) = duration.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (nanos, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow || overflow2 {
            return MonotonicInstant(nanoseconds: seconds < 0 ? 0 : .max)
        }
        if nanos >= 0 {
            let (sum, carry) = nanoseconds.addingReportingOverflow(UInt64(nanos))
            return MonotonicInstant(nanoseconds: carry ? .max : sum)
        }
        let magnitude = nanos.magnitude
        return MonotonicInstant(nanoseconds: nanoseconds > magnitude ? nanoseconds - magnitude : 0)
    }

    static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    /// For example `"@1.500000000s"`.
    var description: String {
        "@\(nanoseconds / 1_000_000_000).\(String(nanoseconds % 1_000_000_000).leftPadded(to: 9))s"
    }
}

extension String {
    /// The string with leading zeros up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
