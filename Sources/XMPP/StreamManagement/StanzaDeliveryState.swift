/// Where an outbound stanza stands under stream management.
///
/// `queued` and `sent` are the states of stanzas the ledger still keeps;
/// the other three are final and are reported as the ledger lets a stanza
/// go. Every stanza the ledger accepted ends in exactly one final state
/// (security.md P32).
enum StanzaDeliveryState: Hashable, Sendable, CustomStringConvertible {
    /// Accepted while the stream cannot carry it (the connection is down or
    /// being resumed); it is written, in order, once the stream is back.
    case queued
    /// Written with a sequence number, waiting for an `h` that covers it.
    /// Also the final state of stanzas written between `<enable/>` and a
    /// `<failed/>` that refused it: they went out as on any stream without
    /// acknowledgements.
    case sent
    /// An `h` from the server covered it: the server took responsibility.
    case acked
    /// It was never written and the ledger gave up on it (the session was
    /// abandoned); it certainly did not reach the server.
    case failed
    /// It was written but no `h` covered it before the session ended
    /// without resumption: it may or may not have reached the server. The
    /// caller surfaces it or resends it (with a delay stamp) on a new
    /// session.
    case unknown

    /// The state's name.
    var description: String {
        switch self {
        case .queued: "queued"
        case .sent: "sent"
        case .acked: "acked"
        case .failed: "failed"
        case .unknown: "unknown"
        }
    }
}
