#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import XMPPCore

/// Answers XEP-0202 requests with the current time; advertises
/// `urn:xmpp:time`.
///
/// The time comes from `clock`, the system's by default; tests inject a
/// fixed one. The time zone offset tells peers roughly where the user is:
/// pass `revealsTimeZone: false` to answer `+00:00` instead.
public struct EntityTimeResponder: IQResponder {
    /// A reading of the wall clock.
    public typealias Clock = @Sendable () -> EntityTime

    private let clock: Clock

    /// Creates the responder.
    /// - Parameters:
    ///   - revealsTimeZone: Whether to send the local offset (default) or
    ///     `+00:00`.
    ///   - clock: The current time; the system clock by default.
    public init(revealsTimeZone: Bool = true, clock: @escaping Clock = EntityTimeResponder.systemTime) {
        if revealsTimeZone {
            self.clock = clock
        } else {
            self.clock = { EntityTime(timestamp: clock().timestamp, offsetSeconds: 0) }
        }
    }

    /// `{urn:xmpp:time}time`.
    public var payload: XMLQualifiedName { XMLQualifiedName("time", namespace: EntityTime.namespace) }

    /// `urn:xmpp:time`.
    public var features: Set<String> { [EntityTime.namespace] }

    /// The current time for a `get`.
    /// - Parameter request: The time request.
    /// - Throws: ``StanzaError`` `bad-request` for a `set`.
    public func respond(to request: IQ) throws(StanzaError) -> XMLElement? {
        try requireGet(request)
        return clock().element
    }

    /// The system's wall clock (`CLOCK_REALTIME`) and the local time zone's
    /// current offset.
    @Sendable
    public static func systemTime() -> EntityTime {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var local = tm()
        let offset = localtime_r(&seconds, &local) == nil ? 0 : Int(local.tm_gmtoff)
        return EntityTime(
            timestamp: UTCTimestamp(secondsSince1970: Int64(now.tv_sec), nanoseconds: Int(now.tv_nsec)),
            offsetSeconds: offset)
    }
}
