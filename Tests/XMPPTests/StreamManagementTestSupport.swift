import XMPPCore

@testable import XMPP

/// The ledger under test, with plain integers as tokens.
typealias SMLedger = StreamManagementLedger<Int>

/// Helpers shared by the stream-management tests.
enum SM {
    /// Counts just below the wrap, for the W1/H95 cases.
    static let nearWrap = StanzaCount(UInt32.max - 2)

    /// The instant `seconds` after the clock's origin.
    static func at(_ seconds: Int) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: UInt64(seconds) * 1_000_000_000)
    }

    /// `<message id='m<n>'><body>n</body></message>`: stanza number `n` of a test.
    static func message(_ n: Int) -> XMLElement {
        XMLElement(
            "message",
            namespace: XMLNamespace.client,
            attributes: ["id": "m\(n)"],
            children: [.element(XMLElement("body", namespace: XMLNamespace.client, text: String(n)))]
        )
    }

    /// Parses server XML (inside a client stream) into a stream-management element.
    static func parse(_ xml: String) throws -> StreamManagementElement {
        try StreamManagementElement(element: XMLTestParsing.element(xml))
    }

    /// The element parsed from `xml`, for comparing with what a builder made.
    static func xml(_ xml: String) throws -> XMLElement {
        try XMLTestParsing.element(xml)
    }

    /// A ledger that has written `<enable/>` and read `<enabled/>`.
    static func active(
        _ configuration: StreamManagementConfiguration = StreamManagementConfiguration(),
        id: String? = "sm-1",
        maximum: UInt32? = nil
    ) throws -> SMLedger {
        var ledger = SMLedger(configuration: configuration)
        _ = try ledger.enable()
        _ = try ledger.enabled(StreamManagementEnabled(id: id, resume: id != nil, maximumResumption: maximum), now: at(0))
        return ledger
    }

    /// Sends messages `numbers` at `now`, expecting each to be written.
    /// - Returns: Whether any of them asked for `<r/>`.
    @discardableResult
    static func send(_ numbers: ClosedRange<Int>, on ledger: inout SMLedger, at now: MonotonicInstant = at(0)) throws -> [Bool] {
        var requests: [Bool] = []
        for n in numbers {
            guard case .write(_, let requestAck) = try ledger.send(message(n), token: n, now: now) else {
                throw Unexpected(description: "message \(n) was not written")
            }
            requests.append(requestAck)
        }
        return requests
    }

    /// A ledger restored from a detached session whose counts sit at
    /// `sent`/`acknowledged`/`handled`, with the stanzas in between kept.
    static func restored(
        sent: StanzaCount,
        acknowledged: StanzaCount,
        handled: StanzaCount,
        configuration: StreamManagementConfiguration = StreamManagementConfiguration()
    ) throws -> SMLedger {
        let outstanding = acknowledged.distance(to: sent)
        let stanzas = (0..<outstanding).map { offset in
            TrackedStanza(
                token: Int(offset) + 1,
                stanza: .element(message(Int(offset) + 1)),
                state: .sent,
                sequenceNumber: acknowledged.advanced(by: offset + 1)
            )
        }
        return try SMLedger(
            restoring: SMLedger.Snapshot(
                session: SMLedger.ResumableSession(id: "sm-1"),
                sentCount: sent,
                acknowledgedCount: acknowledged,
                handledCount: handled,
                stanzas: stanzas
            ),
            configuration: configuration
        )
    }

    /// The tokens of `stanzas`, in order.
    static func tokens(_ stanzas: some Sequence<TrackedStanza<Int>>) -> [Int] {
        stanzas.map(\.token)
    }

    /// A failure the helpers report.
    struct Unexpected: Error, CustomStringConvertible {
        var description: String
    }
}

extension SMLedger.ResumableSession {
    /// A session with just an SM-ID.
    init(id: String) {
        self.init(id: id, maximumResumption: nil, location: nil)
    }
}

extension StreamManagementLedger {
    /// The answer to an `<r/>` whose wait is over: requested now, then
    /// asked for once its delay passed (`nil` only when none is due).
    mutating func answerAtOnce(now: MonotonicInstant = SM.at(0)) throws(StreamManagementError) -> StreamManagementElement? {
        if let answer = try ackRequested(now: now) { return answer }
        return answerIfDue(now: now.advanced(by: configuration.ackAnswerDelay))
    }

    /// Sends an element (the ledger's tests speak in elements).
    mutating func send(_ element: XMLElement, token: Token, now: MonotonicInstant) throws(StreamManagementError) -> SendDecision {
        try send(.element(element), token: token, now: now)
    }
}
