import XMPPCore

/// An inbound `get` or `set` on its way from the channel handler to the
/// task that runs the application's handler for it and sends the answer.
struct InboundIQRequest: Sendable {
    /// The request.
    var iq: IQ
    /// The handler registered for its payload.
    var handler: IQRequestHandler
}
