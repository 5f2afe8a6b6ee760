import XMPPCore

/// One registration of ``XMPPConnection/answerMessages(from:_:)``: which
/// inbound messages it takes and what it answers them with.
///
/// Immutable and identified by reference, so that the channel handler can
/// remove exactly this registration (a later one for the same peer is
/// another object).
final class MessageAnswerer: Sendable {
    /// Which inbound elements it takes; called on the event loop.
    let filter: InboundRouter.Filter
    /// Makes the answer to a message, or `nil` for none; called on the
    /// event loop.
    let answer: @Sendable (Message) -> Message?

    init(filter: @escaping InboundRouter.Filter, answer: @escaping @Sendable (Message) -> Message?) {
        self.filter = filter
        self.answer = answer
    }
}
