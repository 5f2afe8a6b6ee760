internal import Glibc
internal import NIOCore

/// Which socket of a proxied connection.
enum ChaosSide: Sendable {
    /// The socket accepted from the client.
    case client
    /// The socket connected to the target.
    case server

    /// The direction of the bytes this side sends.
    var outgoing: ChaosProxy.Direction { self == .client ? .clientToServer : .serverToClient }
}

/// Moves bytes between the two sockets of one proxied connection and
/// applies its faults. Both channels live on one event loop, and so does
/// every method here: no locks, only the counters in ``ChaosConnectionState``.
final class ChaosRelay {
    /// One direction's progress (a class, so the pending buffer is
    /// changed in place rather than copied on write).
    private final class Flow {
        var faults: ChaosProxy.DirectionFaults
        /// Bytes let through so far (the cut and blackhole thresholds count these).
        var admitted = 0
        var isBlackholed = false
        /// Admitted bytes not yet handed to the receiving socket.
        var pending = ByteBuffer()
        var writesInFlight = 0
        var bytesInFlight = 0
        /// Set while `pump` runs, so a write completing inside it does not re-enter.
        var isPumping = false
        /// Set while the fragmentation delay runs.
        var isWaiting = false
        /// The cut threshold was reached: cut once everything admitted is written.
        var cutWhenDrained: ChaosProxy.CutMode?
        /// The sender closed: close the receiver once everything is written.
        var closeWhenDrained = false
        /// Reading from the sender is paused because too much is buffered.
        var isReadingPaused = false

        init(faults: ChaosProxy.DirectionFaults) { self.faults = faults }

        /// Drops the bytes already written so the buffer does not grow forever.
        func compactPending() {
            if pending.readableBytes == 0 { pending.clear() } else { pending.discardReadBytes() }
        }
    }

    /// Buffered bytes above which the sender is no longer read.
    static let bufferLimit = 1 << 20

    let eventLoop: any EventLoop
    let state: ChaosConnectionState
    private let client: any Channel
    private var server: (any Channel)?
    private let clientToServer: Flow
    private let serverToClient: Flow
    private var isCut = false

    init(client: any Channel, state: ChaosConnectionState) {
        self.eventLoop = client.eventLoop
        self.client = client
        self.state = state
        clientToServer = Flow(faults: state.plan.clientToServer)
        serverToClient = Flow(faults: state.plan.serverToClient)
    }

    private subscript(flow direction: ChaosProxy.Direction) -> Flow {
        direction == .clientToServer ? clientToServer : serverToClient
    }

    private func sender(of direction: ChaosProxy.Direction) -> (any Channel)? {
        direction == .clientToServer ? client : server
    }

    private func receiver(of direction: ChaosProxy.Direction) -> (any Channel)? {
        direction == .clientToServer ? server : client
    }

    // MARK: Lifecycle

    /// The target accepted: start reading the client (its socket was
    /// accepted with reading off, so nothing is lost meanwhile).
    func upstreamConnected(_ channel: any Channel) {
        server = channel
        client.closeFuture.and(channel.closeFuture).whenComplete { [state] _ in state.markClosed() }
        guard client.isActive, !isCut else {
            channel.close(promise: nil)
            return
        }
        client.setOption(ChannelOptions.autoRead, value: true).whenFailure { [client] _ in client.close(promise: nil) }
    }

    /// The target could not be reached: the client sees a reset, as it
    /// would from a middlebox that cannot reach the server.
    func upstreamFailed() {
        client.closeFuture.whenComplete { [state] _ in state.markClosed() }
        isCut = true
        Self.abort(client)
    }

    /// A socket read EOF or closed: once what it sent is written, close the
    /// other socket (FIN), as a plain TCP forwarder would.
    func sideClosed(_ side: ChaosSide) {
        guard !isCut else { return }
        self[flow: side.outgoing].closeWhenDrained = true
        finishIfDrained(side.outgoing)
    }

    /// A socket failed; a reset from one peer is passed on as a reset.
    func sideFailed(_ side: ChaosSide, error: any Error) {
        if let error = error as? IOError, error.errnoCode == ECONNRESET {
            cut(mode: .reset)
        }
    }

    // MARK: Faults

    /// Cuts both sockets now.
    func cut(mode: ChaosProxy.CutMode) {
        guard !isCut else { return }
        isCut = true
        for channel in [client, server].compactMap({ $0 }) {
            switch mode {
            case .reset: Self.abort(channel)
            case .fin: Self.finish(channel)
            }
        }
    }

    /// Switches discarding of `direction` on or off. Turning it off also
    /// drops the plan's blackhole threshold, which has been passed.
    func setBlackholed(_ direction: ChaosProxy.Direction, _ isBlackholed: Bool) {
        self[flow: direction].isBlackholed = isBlackholed
        if !isBlackholed { self[flow: direction].faults.blackholeFrom = nil }
    }

    /// Closes `channel` with a FIN: shuts down its output first and closes
    /// fully when the peer closes too (or after `backstop`). Closing at once
    /// would make the kernel send a RST instead whenever bytes from the peer
    /// were still unread, so a FIN cut would sometimes be a reset.
    static func finish(_ channel: any Channel, backstop: TimeAmount = .seconds(2)) {
        channel.close(mode: .output).whenComplete { result in
            guard case .success = result else {
                channel.close(promise: nil)
                return
            }
            channel.eventLoop.scheduleTask(in: backstop) { channel.close(promise: nil) }
        }
    }

    /// Closes `channel` with a TCP RST: `SO_LINGER` {1, 0}, then close.
    static func abort(_ channel: any Channel) {
        guard let provider = channel as? any SocketOptionProvider else {
            channel.close(promise: nil)
            return
        }
        provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
    }

    // MARK: Forwarding

    /// Bytes read from `side`.
    func received(_ buffer: ByteBuffer, from side: ChaosSide) {
        let direction = side.outgoing
        var buffer = buffer
        let total = buffer.readableBytes
        admit(&buffer, direction)
        let admitted = buffer.readableBytes
        state.update(direction) {
            $0.bytesReceived += total
            $0.bytesDiscarded += total - admitted
        }
        if admitted > 0 { self[flow: direction].pending.writeBuffer(&buffer) }
        pump(direction)
        pauseReadingIfFull(direction)
    }

    /// Trims `buffer` to what the faults let through and records the
    /// thresholds it reaches.
    private func admit(_ buffer: inout ByteBuffer, _ direction: ChaosProxy.Direction) {
        let flow = self[flow: direction]
        func keep(_ count: Int) {
            buffer = buffer.getSlice(at: buffer.readerIndex, length: count) ?? ByteBuffer()
        }
        guard !isCut, !flow.isBlackholed, flow.cutWhenDrained == nil else {
            keep(0)
            return
        }
        if let from = flow.faults.blackholeFrom {
            let room = max(0, from - flow.admitted)
            if buffer.readableBytes >= room {
                keep(room)
                flow.isBlackholed = true
            }
        }
        if let cut = flow.faults.cut {
            let room = max(0, cut.afterBytes - flow.admitted)
            if buffer.readableBytes >= room {
                keep(room)
                flow.cutWhenDrained = cut.mode
            }
        }
        flow.admitted += buffer.readableBytes
    }

    /// Writes what is pending in `direction`: all at once, or in pieces.
    private func pump(_ direction: ChaosProxy.Direction) {
        guard !isCut, let receiver = receiver(of: direction), !self[flow: direction].isPumping else { return }
        self[flow: direction].isPumping = true
        let fragmentation = self[flow: direction].faults.fragmentation
        let pieceLimit = max(1, fragmentation?.maximumWriteSize ?? Int.max)
        let delay = fragmentation?.delay ?? .zero
        // Bounded: every pass takes at least one byte out of `pending`.
        while !isCut, !self[flow: direction].isWaiting, self[flow: direction].pending.readableBytes > 0 {
            let size = min(pieceLimit, self[flow: direction].pending.readableBytes)
            guard let piece = self[flow: direction].pending.readSlice(length: size) else { break }
            self[flow: direction].writesInFlight += 1
            self[flow: direction].bytesInFlight += size
            // Each piece is flushed on its own so it leaves in its own write.
            receiver.writeAndFlush(piece).assumeIsolated().whenComplete { result in
                self.written(direction, size: size, succeeded: (try? result.get()) != nil)
            }
            if delay > .zero, self[flow: direction].pending.readableBytes > 0 {
                self[flow: direction].isWaiting = true
                eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(delay)) {
                    self[flow: direction].isWaiting = false
                    self.pump(direction)
                }
            }
        }
        self[flow: direction].compactPending()
        self[flow: direction].isPumping = false
        finishIfDrained(direction)
    }

    private func written(_ direction: ChaosProxy.Direction, size: Int, succeeded: Bool) {
        self[flow: direction].writesInFlight -= 1
        self[flow: direction].bytesInFlight -= size
        if succeeded {
            state.update(direction) {
                $0.bytesForwarded += size
                $0.writeCount += 1
                $0.largestWrite = max($0.largestWrite, size)
            }
        }
        resumeReadingIfRoom(direction)
        if !self[flow: direction].isPumping { finishIfDrained(direction) }
    }

    /// Carries out a cut or close that waited for the last byte to be written.
    private func finishIfDrained(_ direction: ChaosProxy.Direction) {
        let flow = self[flow: direction]
        guard !isCut, flow.pending.readableBytes == 0, flow.writesInFlight == 0, !flow.isWaiting else { return }
        if let mode = flow.cutWhenDrained {
            cut(mode: mode)
        } else if flow.closeWhenDrained, let receiver = receiver(of: direction) {
            Self.finish(receiver)
        }
    }

    // MARK: Back-pressure

    private func pauseReadingIfFull(_ direction: ChaosProxy.Direction) {
        let flow = self[flow: direction]
        guard !flow.isReadingPaused, flow.pending.readableBytes + flow.bytesInFlight > Self.bufferLimit else { return }
        self[flow: direction].isReadingPaused = true
        sender(of: direction)?.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
    }

    private func resumeReadingIfRoom(_ direction: ChaosProxy.Direction) {
        let flow = self[flow: direction]
        guard flow.isReadingPaused, flow.pending.readableBytes + flow.bytesInFlight <= Self.bufferLimit / 2 else { return }
        self[flow: direction].isReadingPaused = false
        sender(of: direction)?.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
    }
}

/// Hands one socket's events to the relay.
final class ChaosRelaySideHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let relay: ChaosRelay
    private let side: ChaosSide

    init(relay: ChaosRelay, side: ChaosSide) {
        self.relay = relay
        self.side = side
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        relay.received(unwrapInboundIn(data), from: side)
    }

    func channelInactive(context: ChannelHandlerContext) {
        relay.sideClosed(side)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        relay.sideFailed(side, error: error)
        context.close(promise: nil)
    }
}

/// Resets a refused connection as soon as it is active.
final class ChaosRefusingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    func channelActive(context: ChannelHandlerContext) {
        ChaosRelay.abort(context.channel)
    }
}
