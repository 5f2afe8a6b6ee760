import NIOCore
import NIOTLS

/// Stands in for a TLS handler: reports a handshake outcome the moment it is
/// added, or never.
final class FakeTLSHandler: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    /// What the "handshake" does.
    enum Outcome: Sendable {
        case succeed
        case fail(FakeTLSError)
        case never
    }

    private let outcome: Outcome

    init(_ outcome: Outcome) {
        self.outcome = outcome
    }

    func handlerAdded(context: ChannelHandlerContext) {
        switch outcome {
        case .succeed:
            context.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedProtocol: "xmpp-client"))
        case .fail(let error):
            context.fireErrorCaught(error)
        case .never:
            break
        }
    }
}

/// A TLS failure as a real handler would report it.
struct FakeTLSError: Error, CustomStringConvertible {
    var description: String
}
