package import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Keeps Linux's TCP quick-ACK mode on by re-arming `TCP_QUICKACK` after
/// every read burst (at the end of the loop's turn).
///
/// Why: servers write small segments (a TLS session ticket, then the
/// stream features) and Nagle's algorithm holds the second until the first
/// is acknowledged, while the kernel delays the client's ACK by up to
/// 40 ms. During a STARTTLS login that stall costs most of the wall time.
/// Linux leaves quick-ACK mode again on its own, so the option is set
/// again after each read, not once. It sits first in the pipeline, ahead
/// of TLS, so it sees reads that carry no application data too.
///
/// The session removes it once established, unless configured to keep it
/// (`XMPPConnection.Configuration.QuickAcknowledgements`): afterwards the
/// kernel's delayed ACKs let a busy server gather stanzas into fewer
/// segments, so the client wakes up less often.
///
/// Elsewhere (other systems, or a channel without socket options) it does
/// nothing.
package final class QuickAckHandler: ChannelInboundHandler, RemovableChannelHandler {
    package typealias InboundIn = NIOAny

    /// The name the connector gives it in the pipeline.
    package static let name = "xmpp-quick-ack"

    /// Creates the handler.
    package init() {}

    package func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    /// Re-arms once the loop's turn has run what the read queued: the
    /// writes it causes (an answer, the next message of a task woken by it)
    /// carry the pending ACK, and re-arming then sends no ACK of its own.
    /// Re-armed at once, the kernel sent a bare ACK segment per read, just
    /// before the data that would have carried it (5 % of a round trip's
    /// client CPU, and one more segment for the server).
    package func channelReadComplete(context: ChannelHandlerContext) {
        if !armScheduled {
            armScheduled = true
            context.eventLoop.assumeIsolated().execute { [self] in
                armScheduled = false
                if context.channel.isActive { arm(context) }
            }
        }
        context.fireChannelReadComplete()
    }

    private var armScheduled = false

    private func arm(_ context: ChannelHandlerContext) {
        #if os(Linux)
        // A failure (for example a socket already closed) only loses the
        // optimisation; the read path goes on.
        try? context.channel.syncOptions?.setOption(
            ChannelOptions.tcpOption(NIOBSDSocket.Option(rawValue: CInt(TCP_QUICKACK))), value: 1)
        #endif
    }
}
