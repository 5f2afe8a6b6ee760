import XMPPCore

/// One outbound stanza the ledger is responsible for: the stanza, the
/// caller's token for it, and how far it got.
struct TrackedStanza<Token: Hashable & Sendable>: Hashable, Sendable {
    /// The caller's handle for the stanza, handed back with every report
    /// about it. The ledger never interprets it.
    var token: Token
    /// The stanza as written (and as it would be written again on resume).
    var stanza: OutboundStanza
    /// Where it stands.
    var state: StanzaDeliveryState
    /// Its number in the send count: an `h` equal to this (or later) covers
    /// it. `nil` while it is queued and was never written.
    var sequenceNumber: StanzaCount?
    /// When it was last written (first sent, or resent on resume); `nil`
    /// while queued.
    var writtenAt: MonotonicInstant?

    /// The stanza's element (built now for a message kept as one).
    var element: XMLElement { stanza.element }

    /// Creates a record.
    init(
        token: Token,
        stanza: OutboundStanza,
        state: StanzaDeliveryState,
        sequenceNumber: StanzaCount? = nil,
        writtenAt: MonotonicInstant? = nil
    ) {
        self.token = token
        self.stanza = stanza
        self.state = state
        self.sequenceNumber = sequenceNumber
        self.writtenAt = writtenAt
    }

    /// The record with `state` changed.
    func with(_ state: StanzaDeliveryState) -> TrackedStanza {
        var copy = self
        copy.state = state
        return copy
    }
}
