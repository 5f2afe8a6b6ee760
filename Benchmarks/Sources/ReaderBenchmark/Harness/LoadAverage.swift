#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The 1-minute load average, so a report shows whether something else was
/// competing for the CPUs (on a 2-core machine a parallel build halves the
/// numbers and widens their spread).
func oneMinuteLoadAverage() -> Double? {
    var loads = [Double](repeating: 0, count: 1)
    guard getloadavg(&loads, 1) == 1 else { return nil }
    return loads[0]
}
