public import XMPP
public import XMPPCore

/// An entity's current time and time zone offset (XEP-0202).
///
/// Both texts are kept as they came (``utc``, ``tzo``), next to their
/// parsed values (``timestamp``, ``offsetSeconds``).
public struct EntityTime: Hashable, Sendable {
    /// The namespace of XEP-0202, also its disco#info feature.
    public static let namespace = "urn:xmpp:time"

    /// The time in UTC, as sent: `2026-11-21T15:04:36Z`.
    public var utc: String
    /// The offset from UTC of the entity's time zone, as sent: `+01:00`,
    /// `-05:30` or `Z`.
    public var tzo: String
    /// ``utc``, parsed.
    public var timestamp: UTCTimestamp
    /// ``tzo`` in seconds east of UTC.
    public var offsetSeconds: Int

    /// A time from its parts.
    /// - Parameters:
    ///   - timestamp: The time in UTC.
    ///   - offsetSeconds: The zone's offset, seconds east of UTC; whole
    ///     minutes, at most 23:59 either way.
    public init(timestamp: UTCTimestamp, offsetSeconds: Int) {
        self.timestamp = timestamp
        self.offsetSeconds = offsetSeconds
        utc = timestamp.description
        tzo = Self.format(offsetSeconds: offsetSeconds)
    }

    /// Reads a `<time xmlns='urn:xmpp:time'/>` answer.
    /// - Throws: ``StanzaParseError``: `unexpectedElement` for another
    ///   element; `missingChild` when `<tzo/>` or `<utc/>` is absent;
    ///   `invalidText` (subject `tzo` or `utc`) when either does not parse.
    public init(element: XMLElement) throws(StanzaParseError) {
        guard element.name == XMLQualifiedName("time", namespace: Self.namespace) else {
            throw .unexpectedElement(element.name)
        }
        guard let tzo = element.firstChild(named: "tzo", namespace: Self.namespace)?.text else {
            throw StanzaParseError(.missingChild, subject: "{\(Self.namespace)}tzo")
        }
        guard let utc = element.firstChild(named: "utc", namespace: Self.namespace)?.text else {
            throw StanzaParseError(.missingChild, subject: "{\(Self.namespace)}utc")
        }
        guard let offset = Self.parse(tzo: tzo) else { throw StanzaParseError(.invalidText, subject: "tzo") }
        guard let timestamp = UTCTimestamp(utc) else { throw StanzaParseError(.invalidText, subject: "utc") }
        (self.utc, self.tzo, self.timestamp, offsetSeconds) = (utc, tzo, timestamp, offset)
    }

    /// The `<time/>` element of a result.
    public var element: XMLElement {
        XMLElement("time", namespace: Self.namespace, children: [
            .element(XMLElement("tzo", namespace: Self.namespace, text: tzo)),
            .element(XMLElement("utc", namespace: Self.namespace, text: utc)),
        ])
    }

    /// `Z`, or `[+-]hh:mm` with hh < 24 and mm < 60, in seconds.
    static func parse(tzo: String) -> Int? {
        if tzo == "Z" { return 0 }
        var scanner = DigitScanner(tzo)
        let sign: Int
        if scanner.skip("+") { sign = 1 } else if scanner.skip("-") { sign = -1 } else { return nil }
        guard let hours = scanner.number(digits: 2), scanner.skip(":"), let minutes = scanner.number(digits: 2),
            scanner.isAtEnd, hours < 24, minutes < 60
        else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }

    /// `+hh:mm` or `-hh:mm` (`+00:00` for UTC), clamped to ±23:59.
    static func format(offsetSeconds: Int) -> String {
        let minutes = min(offsetSeconds.magnitude / 60, 23 * 60 + 59)
        return (offsetSeconds < 0 ? "-" : "+") + pad(Int(minutes / 60), 2) + ":" + pad(Int(minutes % 60), 2)
    }
}

/// Asks an entity for its current time (XEP-0202).
///
/// ```swift
/// let time = try await connection.request(EntityTimeRequest(), to: JID("bob@example.com/laptop"))
/// print(time.utc, time.tzo)
/// ```
public struct EntityTimeRequest: IQRequest, Hashable {
    /// Creates the request.
    public init() {}

    /// `get`.
    public var type: IQRequestType { .get }

    /// `<time xmlns='urn:xmpp:time'/>`.
    public var payload: XMLElement { XMLElement("time", namespace: EntityTime.namespace) }

    /// Reads the answer.
    /// - Throws: ``StanzaParseError``: `missingChild` for an empty result;
    ///   whatever ``EntityTime/init(element:)`` throws.
    public func response(from result: IQ) throws(StanzaParseError) -> EntityTime {
        guard let payload = result.payload else {
            throw StanzaParseError(.missingChild, subject: "{\(EntityTime.namespace)}time")
        }
        return try EntityTime(element: payload)
    }
}
