import Logging
import NIOCore

/// Liveness (`SessionStateMachine+Liveness`): the one timer of keepalives,
/// silence probes and the ack deadline, the keepalive write, and telling
/// the machine when bytes went out. Reads are reported in
/// `channelRead(context:data:)`. Everything runs on the event loop.
extension XMPPChannelHandler {
    /// The bytes of a whitespace keepalive: one space. The handler writes
    /// whole elements per write, so a write of its own always falls between
    /// top-level elements, where RFC 6120 §4.6.1 allows whitespace.
    static let keepaliveBytes: [UInt8] = [UInt8(ascii: " ")]

    /// Writes a keepalive (``SessionStateMachine/Action/writeWhitespace``).
    func writeWhitespace(context: ChannelHandlerContext) {
        logger.trace("Sending XMPP whitespace keepalive")
        write(Self.keepaliveBytes, context: context, promise: nil)
    }

    /// Tells the machine that bytes were written now: every write goes
    /// through `write(_:context:promise:)`, which calls this.
    func noteWritten(context: ChannelHandlerContext) {
        machine.bytesWritten(now: MonotonicInstant(nanoseconds: context.eventLoop.now.uptimeNanoseconds))
    }

    /// Moves the liveness timer to `instant`
    /// (``SessionStateMachine/Action/scheduleLivenessTimer(_:)``).
    func scheduleLivenessTimer(at instant: MonotonicInstant, context: ChannelHandlerContext) {
        livenessTimer?.cancel()
        livenessTimer = context.eventLoop.assumeIsolated().scheduleTask(
            deadline: .uptimeNanoseconds(instant.nanoseconds)
        ) { [self] in
            livenessTimer = nil
            guard let context = self.context else { return }
            let now = MonotonicInstant(nanoseconds: context.eventLoop.now.uptimeNanoseconds)
            run(machine.livenessTimerFired(at: instant, now: now))
        }
    }
}
