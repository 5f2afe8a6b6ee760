/// The limits and habits of one stream-management ledger.
struct StreamManagementConfiguration: Hashable, Sendable {
    /// The most stanzas kept unacknowledged (sent and not yet acknowledged,
    /// plus those held while the stream is down). One more is refused with
    /// ``StreamManagementError/queueFull(limit:)``; nothing is ever dropped
    /// to make room (security.md P38). At least 1, at most 2^30, so that
    /// wrapping counts stay unambiguous (see ``StanzaCount``).
    let maximumUnacknowledged: Int
    /// Request an acknowledgement (`<r/>`) once this many stanzas were sent
    /// that no request or acknowledgement covers yet. At least 1.
    let ackRequestThreshold: Int
    /// Request an acknowledgement once the oldest stanza that no request
    /// covers has waited this long, however few were sent.
    let ackRequestDelay: Duration
    /// How long our answer to the server's `<r/>` may wait; `.zero`
    /// answers at once. See ``StreamManagementLedger/ackRequested(now:)``.
    let ackAnswerDelay: Duration
    /// How many stanzas handled after the server's `<r/>` make the waiting
    /// answer go out before its delay. At least 1.
    let ackAnswerThreshold: Int
    /// Whether `<enable/>` asks for resumption.
    let requestsResumption: Bool
    /// The resumption window to suggest in `<enable max=…/>`, in seconds;
    /// `nil` leaves it to the server.
    let preferredMaximumResumption: UInt32?
    /// The longest SM-ID, in UTF-8 bytes, that resumption is attempted with;
    /// a longer one leaves the session without resumption (XEP-0198 says
    /// SM-IDs SHOULD NOT exceed 4000 bytes; security.md H86).
    let maximumSessionIDLength: Int

    /// Creates a configuration; out-of-range values are clamped.
    /// - Parameters:
    ///   - maximumUnacknowledged: The queue bound.
    ///   - ackRequestThreshold: Stanzas between ack requests.
    ///   - ackRequestDelay: The longest a stanza waits before an ack request.
    ///   - ackAnswerDelay: The longest our answer to `<r/>` waits.
    ///   - ackAnswerThreshold: Stanzas handled after `<r/>` that make the
    ///     answer go at once.
    ///   - requestsResumption: Whether to ask for resumption.
    ///   - preferredMaximumResumption: The `max` to suggest, in seconds.
    ///   - maximumSessionIDLength: The longest SM-ID to resume with.
    init(
        maximumUnacknowledged: Int = 1_000,
        ackRequestThreshold: Int = 100,
        ackRequestDelay: Duration = .seconds(5),
        ackAnswerDelay: Duration = .milliseconds(100),
        ackAnswerThreshold: Int = 100,
        requestsResumption: Bool = true,
        preferredMaximumResumption: UInt32? = nil,
        maximumSessionIDLength: Int = 4_000
    ) {
        self.maximumUnacknowledged = min(max(1, maximumUnacknowledged), 1 << 30)
        self.ackRequestThreshold = max(1, ackRequestThreshold)
        self.ackRequestDelay = max(.zero, ackRequestDelay)
        self.ackAnswerDelay = max(.zero, ackAnswerDelay)
        self.ackAnswerThreshold = max(1, ackAnswerThreshold)
        self.requestsResumption = requestsResumption
        self.preferredMaximumResumption = preferredMaximumResumption == 0 ? nil : preferredMaximumResumption
        self.maximumSessionIDLength = max(1, maximumSessionIDLength)
    }
}
