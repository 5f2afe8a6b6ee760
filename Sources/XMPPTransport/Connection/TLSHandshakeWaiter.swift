import NIOCore
import NIOTLS

/// Completes a promise when the TLS handler ahead of it reports a finished
/// handshake, and fails it on an error, on the connection closing, or when
/// the deadline passes first.
///
/// It sits right behind the TLS handler while the handshake runs and removes
/// itself once it succeeded, leaving the pipeline to the session layer. The
/// deadline lives here, on the event loop, so that it fires even when nobody
/// polls for it.
final class TLSHandshakeWaiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    /// The handshake did not finish in time.
    struct TimedOut: Error {}
    /// The peer closed the connection before the handshake finished.
    struct ClosedDuringHandshake: Error {}

    private var promise: EventLoopPromise<Void>?
    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?

    /// Creates a waiter.
    /// - Parameters:
    ///   - promise: Succeeded on `handshakeCompleted`, failed otherwise.
    ///   - timeout: How long the handshake may take from now on.
    init(promise: EventLoopPromise<Void>, timeout: TimeAmount) {
        self.promise = promise
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard context.channel.isActive else {
            fail(ClosedDuringHandshake())
            return
        }
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            guard promise != nil else { return }
            fail(TimedOut())
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Removed by someone else before the handshake ended: nobody will
        // report the outcome any more, so report that.
        fail(ClosedDuringHandshake())
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent, let promise {
            self.promise = nil
            deadline?.cancel()
            promise.succeed()
            context.fireUserInboundEventTriggered(event)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Not passed on: until the handshake is done this is the last
        // handler, and the connector closes the channel on failure.
        fail(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(ClosedDuringHandshake())
        context.fireChannelInactive()
    }

    /// Fails the promise once; later outcomes are ignored. Also used by the
    /// connector when setting up the pipeline fails, so that the promise is
    /// completed exactly once whoever notices first.
    func fail(_ error: any Error) {
        deadline?.cancel()
        deadline = nil
        guard let promise else { return }
        self.promise = nil
        promise.fail(error)
    }
}
