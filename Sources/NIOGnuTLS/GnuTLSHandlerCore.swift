package import NIOCore
internal import NIOTLS

/// The channel-handler logic around a ``GnuTLSSession``, for either role:
/// ``GnuTLSClientHandler`` and the test server's handler both forward their
/// channel events here, so the two ends of every in-memory test run the same
/// code.
///
/// The rules, in the shape of swift-nio-ssl's handler:
/// - The handshake starts when the channel is active: in `handlerAdded` if
///   it already is (STARTTLS), else in `channelActive` (direct TLS).
/// - Writes and flushes issued before the handshake ends are queued in
///   order, promises included, and replayed after it.
/// - Each inbound buffer is decrypted at once; plaintext is delivered as it
///   accumulates and `channelReadComplete` is passed on only when some was.
/// - Close sends `close_notify` and closes the channel once it is written
///   or when the shutdown deadline passes.
/// - Every loop into GnuTLS is bounded: too many calls without a byte in
///   or out fail the connection with ``GnuTLSError/Kind/noProgress``.
///
/// Everything runs on the channel's event loop; the core is not Sendable.
package final class GnuTLSHandlerCore {
    enum State {
        /// Added, but the channel is not active yet.
        case idle
        case handshaking
        case active
        /// Our `close_notify` is on its way; the channel closes when it has
        /// been written or at the deadline. Reads still decrypt.
        case closing(PendingClose)
        /// `close(mode: .output)` finished; reads still decrypt.
        case outputClosed
        case closed
    }

    struct PendingClose {
        let mode: CloseMode
        let promise: EventLoopPromise<Void>
        var deadline: Scheduled<Void>?
    }

    enum BufferedOutbound {
        case write(ByteBuffer, EventLoopPromise<Void>?)
        case flush
    }

    /// How many calls into GnuTLS in a row may move no byte before the
    /// connection is failed instead of spun.
    static let maxCallsWithoutProgress = 32
    /// The largest plaintext buffer, and so the largest chunk handed on
    /// (a power of two, as NIO rounds capacities): a burst of records does
    /// not become one huge buffer.
    static let deliveryChunkBytes = 64 << 10

    /// The engine; `package` so the test server can poke it (renegotiation).
    package let session: GnuTLSSession
    let shutdownTimeout: TimeAmount
    var state = State.idle
    var buffered = CircularBuffer<BufferedOutbound>()
    var isUnbuffering = false
    var deliveredPlaintext = false
    var downstreamReadPending = false
    var receivedCloseNotify = false

    /// What the handshake negotiated, once it has completed.
    package private(set) var connectionInfo: GnuTLSConnectionInfo?

    /// Creates the core around a fresh session.
    package init(session: GnuTLSSession, shutdownTimeout: TimeAmount) {
        self.session = session
        self.shutdownTimeout = shutdownTimeout
    }

    // MARK: Lifecycle

    package func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startHandshake(context: context) }
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        if case .closing(let pending) = state {
            pending.deadline?.cancel()
            pending.promise.fail(ChannelError.ioOnClosedChannel)
        }
        state = .closed
        failBufferedWrites(ChannelError.ioOnClosedChannel)
        session.close()
    }

    package func channelActive(context: ChannelHandlerContext) {
        startHandshake(context: context)
        context.fireChannelActive()
    }

    package func channelInactive(context: ChannelHandlerContext) {
        switch state {
        case .idle, .closed:
            break
        case .handshaking:
            fail(context: context, GnuTLSError(.handshakeEOF, detail: "the connection closed during the handshake"))
        case .active, .outputClosed:
            endOfInput(context: context)
        case .closing(let pending):
            // We asked for the close; the peer not answering is no error.
            pending.deadline?.cancel()
            state = .closed
            pending.promise.succeed()
        }
        state = .closed
        failBufferedWrites(ChannelError.ioOnClosedChannel)
        session.close()
        if deliveredPlaintext {
            deliveredPlaintext = false
            context.fireChannelReadComplete()
        }
        context.fireChannelInactive()
    }

    package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            switch state {
            case .handshaking:
                let detail = "the peer closed its side during the handshake"
                fail(context: context, GnuTLSError(.handshakeEOF, detail: detail))
            case .active, .outputClosed, .closing:
                endOfInput(context: context)
            case .idle, .closed:
                break
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func startHandshake(context: ChannelHandlerContext) {
        guard case .idle = state else { return }
        state = .handshaking
        runHandshake(context: context)
        if case .handshaking = state, !isAutoRead(context) { context.read() }
    }

    // MARK: Inbound

    package func channelRead(context: ChannelHandlerContext, data: ByteBuffer) {
        switch state {
        case .idle:
            session.transport.receive(data)
        case .handshaking:
            session.transport.receive(data)
            runHandshake(context: context)
        case .active, .closing, .outputClosed:
            session.transport.receive(data)
            decryptAvailable(context: context)
        case .closed:
            break
        }
    }

    package func channelReadComplete(context: ChannelHandlerContext) {
        if deliveredPlaintext {
            deliveredPlaintext = false
            context.fireChannelReadComplete()
            return
        }
        // The bytes were all handshake or partial records: nobody downstream
        // saw a read, so ask for the next one ourselves when autoRead is off.
        guard !isAutoRead(context) else { return }
        switch state {
        case .handshaking: context.read()
        case .active, .closing, .outputClosed: if downstreamReadPending { context.read() }
        case .idle, .closed: break
        }
    }

    private func runHandshake(context: ChannelHandlerContext) {
        var stalls = 0
        while case .handshaking = state {
            let before = progressMark
            let step = session.handshake()
            writeOutbound(context: context, flush: true)
            switch step {
            case .complete:
                handshakeCompleted(context: context)
                return
            case .wouldBlock:
                return
            case .retry:
                stalls = progressMark == before ? stalls + 1 : 0
                if stalls > Self.maxCallsWithoutProgress {
                    fail(context: context, GnuTLSError(.noProgress, detail: "the handshake made no progress"))
                }
            case .failed(let error):
                fail(context: context, error)
            }
        }
    }

    private func handshakeCompleted(context: ChannelHandlerContext) {
        state = .active
        let info = session.connectionInfo()
        connectionInfo = info
        let event = TLSUserEvent.handshakeCompleted(negotiatedProtocol: info?.applicationProtocol)
        context.fireUserInboundEventTriggered(event)
        // Records that came with the last flight go first: reading them may
        // make the application write, and its writes queue behind ours.
        decryptAvailable(context: context)
        unbufferWrites(context: context)
    }

    /// Decrypts every complete record the transport holds.
    func decryptAvailable(context: ChannelHandlerContext) {
        var pending: ByteBuffer?
        var stalls = 0
        while isReadable, !receivedCloseNotify {
            let room = plaintextRoom
            var buffer = pending ?? context.channel.allocator.buffer(capacity: room.capacity)
            pending = nil
            let before = progressMark
            let step = session.read(into: &buffer, room: room.perRead)
            if buffer.readableBytes > 0 { pending = buffer }
            switch step {
            case .complete(0):
                receivedCloseNotify = true
                deliver(context: context, &pending)
                writeOutbound(context: context, flush: true)
                peerSentCloseNotify(context: context)
                return
            case .complete:
                stalls = 0
                // All input taken and nothing left inside GnuTLS: another
                // call could only answer "again".
                if !session.transport.hasUnpulledBytes, !session.hasPendingPlaintext {
                    writeOutbound(context: context, flush: true)
                    deliver(context: context, &pending)
                    return
                }
                // Handed on when another record might not fit: cheaper than
                // growing the buffer (a copy), and since its capacity is at
                // most a delivery chunk, chunks stay within that size.
                if let chunk = pending, chunk.writableBytes < GnuTLSSession.maxRecordPlaintext {
                    deliver(context: context, &pending)
                }
            case .wouldBlock:
                // GnuTLS also answers "again" after consuming a TLS 1.3
                // post-handshake message (a session ticket, a key update)
                // while complete records may still be queued behind it. Go on
                // as long as the call consumed input and input remains; each
                // such round consumes bytes, so this ends.
                if progressMark != before, session.transport.inboundByteCount > 0 {
                    stalls = 0
                    continue
                }
                writeOutbound(context: context, flush: true)
                deliver(context: context, &pending)
                return
            case .retry:
                stalls = progressMark == before ? stalls + 1 : 0
                if stalls > Self.maxCallsWithoutProgress {
                    deliver(context: context, &pending)
                    fail(context: context, GnuTLSError(.noProgress, detail: "reading made no progress"))
                }
            case .failed(let error):
                deliver(context: context, &pending)
                fail(context: context, error)
            }
        }
        deliver(context: context, &pending)
    }

    /// The size of a new plaintext buffer, and the room each read makes
    /// sure of.
    ///
    /// When the queued ciphertext is exactly one record, as for most
    /// stanzas of a conversation, both are that record's length: plaintext
    /// is never longer than its record, so one small buffer serves, not one
    /// of 16 KiB and more. (Should GnuTLS still hold plaintext of an
    /// earlier record, which this loop does not leave behind, a read
    /// returns what fits and the loop reads on.)
    ///
    /// Otherwise: room for the one record's worth each read asks for plus
    /// what the queued ciphertext can hold, at most a delivery chunk (NIO
    /// rounds capacities up to a power of two). A buffer of one record's
    /// size grew (a reallocation and a copy) every time a burst of records
    /// filled it.
    private var plaintextRoom: (capacity: Int, perRead: Int) {
        let queued = session.transport.inboundByteCount
        if let record = session.transport.firstRecordLength, record == queued {
            return (record, record)
        }
        return (min(queued + GnuTLSSession.maxRecordPlaintext, Self.deliveryChunkBytes), GnuTLSSession.maxRecordPlaintext)
    }

    /// The peer's input ended: whatever GnuTLS still holds is decrypted, and
    /// without an earlier `close_notify` the connection ended uncleanly.
    private func endOfInput(context: ChannelHandlerContext) {
        session.transport.markEndOfFile()
        decryptAvailable(context: context)
        guard !receivedCloseNotify else { return }
        switch state {
        case .active, .outputClosed:
            fail(context: context, GnuTLSError(.uncleanShutdown, detail: "EOF without close_notify"))
        default:
            break
        }
    }

    private func deliver(context: ChannelHandlerContext, _ plaintext: inout ByteBuffer?) {
        guard let buffer = plaintext, buffer.readableBytes > 0 else { return }
        plaintext = nil
        deliveredPlaintext = true
        downstreamReadPending = false
        context.fireChannelRead(NIOAny(buffer))
    }

    private var isReadable: Bool {
        switch state {
        case .active, .closing, .outputClosed: true
        case .idle, .handshaking, .closed: false
        }
    }

    /// Bytes in and out so far; unchanged across a call means it did nothing.
    var progressMark: (Int, Int) { (session.transport.bytesPulled, session.transport.bytesPushed) }

    func isAutoRead(_ context: ChannelHandlerContext) -> Bool {
        (try? context.channel.syncOptions?.getOption(.autoRead)) ?? true
    }
}
