package import NIOCore
internal import NIOTLS

extension GnuTLSHandlerCore {
    // MARK: Writes

    package func write(context: ChannelHandlerContext, data: ByteBuffer, promise: EventLoopPromise<Void>?) {
        switch state {
        case .idle, .handshaking:
            buffered.append(.write(data, promise))
        case .active:
            // While queued writes are replayed, a write made from a promise
            // callback must wait its turn behind them.
            if buffered.isEmpty {
                encryptAndWrite(context: context, data, promise: promise)
            } else {
                buffered.append(.write(data, promise))
            }
        case .closing, .outputClosed:
            promise?.fail(ChannelError.outputClosed)
        case .closed:
            promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }

    package func flush(context: ChannelHandlerContext) {
        switch state {
        case .idle, .handshaking:
            if case .flush? = buffered.last { return }
            buffered.append(.flush)
        case .active where !buffered.isEmpty:
            buffered.append(.flush)
        case .active, .closing, .outputClosed, .closed:
            context.flush()
        }
    }

    package func read(context: ChannelHandlerContext) {
        downstreamReadPending = true
        context.read()
    }

    /// Replays the writes and flushes queued during the handshake, in order.
    func unbufferWrites(context: ChannelHandlerContext) {
        guard !isUnbuffering else { return }
        isUnbuffering = true
        defer { isUnbuffering = false }
        while case .active = state, let next = buffered.popFirst() {
            switch next {
            case .write(let data, let promise): encryptAndWrite(context: context, data, promise: promise)
            case .flush: context.flush()
            }
        }
    }

    private func encryptAndWrite(context: ChannelHandlerContext, _ data: ByteBuffer, promise: EventLoopPromise<Void>?) {
        let error: GnuTLSError
        switch session.write(data, maxRetries: Self.maxCallsWithoutProgress) {
        case .complete:
            // An empty write still travels, so its promise completes in order.
            let ciphertext = session.transport.takeOutbound() ?? context.channel.allocator.buffer(capacity: 0)
            context.write(NIOAny(ciphertext), promise: promise)
            return
        case .failed(let failure):
            error = failure
        case .wouldBlock, .retry:
            error = GnuTLSError(.noProgress, detail: "record send stopped half way")
        }
        promise?.fail(error)
        fail(context: context, error)
    }

    /// Writes whatever ciphertext GnuTLS produced outside a user write
    /// (handshake flights, alerts, key updates).
    func writeOutbound(context: ChannelHandlerContext, flush: Bool) {
        guard let ciphertext = session.transport.takeOutbound() else { return }
        context.write(NIOAny(ciphertext), promise: nil)
        if flush { context.flush() }
    }

    func failBufferedWrites(_ error: any Error) {
        while let next = buffered.popFirst() {
            if case .write(_, let promise) = next { promise?.fail(error) }
        }
    }

    /// Runs `operation` on the session and sends what it produced; for the
    /// test server's requests (renegotiation).
    package func perform(context: ChannelHandlerContext, _ operation: (GnuTLSSession) -> GnuTLSSession.Step<Void>) {
        if case .failed(let error) = operation(session) {
            fail(context: context, error)
        } else {
            writeOutbound(context: context, flush: true)
        }
    }

    // MARK: Closing and failing

    package func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .input {
            context.close(mode: .input, promise: promise)
            return
        }
        switch state {
        case .idle, .handshaking:
            // No keys yet, so no close_notify to send.
            state = .closed
            failBufferedWrites(ChannelError.ioOnClosedChannel)
            context.close(mode: mode, promise: promise)
        case .active:
            beginClose(context: context, mode: mode, promise: promise)
        case .closing(let pending):
            if let promise { pending.promise.futureResult.cascade(to: promise) }
        case .outputClosed where mode == .all:
            state = .closed
            context.close(mode: .all, promise: promise)
        case .outputClosed:
            promise?.fail(ChannelError.outputClosed)
        case .closed:
            context.close(mode: mode, promise: promise)
        }
    }

    /// Sends `close_notify`, then closes the channel once it is written or
    /// when ``shutdownTimeout`` has passed, whichever comes first.
    private func beginClose(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        failBufferedWrites(ChannelError.outputClosed)
        var pending = PendingClose(mode: mode, promise: promise ?? context.eventLoop.makePromise(), deadline: nil)
        _ = session.bye()
        guard let ciphertext = session.transport.takeOutbound() else {
            state = .closing(pending)
            finishClose(context: context)
            return
        }
        // Arm the deadline before writing: the write may complete at once,
        // and finishing must find the deadline to cancel it.
        pending.deadline = context.eventLoop.assumeIsolated().scheduleTask(in: shutdownTimeout) { [self] in
            closeTimedOut(context: context)
        }
        state = .closing(pending)
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.assumeIsolated().whenComplete { [self] _ in
            finishClose(context: context)
        }
        context.writeAndFlush(NIOAny(ciphertext), promise: written)
    }

    private func finishClose(context: ChannelHandlerContext) {
        guard case .closing(let pending) = state else { return }
        pending.deadline?.cancel()
        state = pending.mode == .output ? .outputClosed : .closed
        context.close(mode: pending.mode, promise: pending.promise)
    }

    private func closeTimedOut(context: ChannelHandlerContext) {
        guard case .closing(let pending) = state else { return }
        state = .closed
        let detail = "close_notify was not written within \(shutdownTimeout)"
        context.fireErrorCaught(GnuTLSError(.closeTimedOut, detail: detail))
        context.close(mode: .all, promise: pending.promise)
    }

    /// The peer sent `close_notify`: it will send nothing more. Answer with
    /// ours and close, as TLS requires (RFC 8446 §6.1).
    func peerSentCloseNotify(context: ChannelHandlerContext) {
        context.fireUserInboundEventTriggered(TLSUserEvent.shutdownCompleted)
        switch state {
        case .active:
            beginClose(context: context, mode: .all, promise: nil)
        case .outputClosed:
            state = .closed
            context.close(promise: nil)
        case .idle, .handshaking, .closing, .closed:
            break
        }
    }

    /// Fails the connection: sends any alert GnuTLS prepared, fails queued
    /// writes, reports `error` down the pipeline and closes the channel.
    func fail(context: ChannelHandlerContext, _ error: GnuTLSError) {
        var closePromise: EventLoopPromise<Void>?
        switch state {
        case .closed:
            return
        case .closing(let pending):
            pending.deadline?.cancel()
            closePromise = pending.promise
        case .idle, .handshaking, .active, .outputClosed:
            break
        }
        state = .closed
        writeOutbound(context: context, flush: true)
        failBufferedWrites(error)
        context.fireErrorCaught(error)
        context.close(promise: closePromise)
    }
}
