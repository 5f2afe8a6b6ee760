internal import NIOCore
internal import Synchronization

extension ChaosProxy {
    /// What one direction of a connection has done so far.
    public struct Counters: Hashable, Sendable {
        /// Bytes read from the sender, including discarded ones.
        public var bytesReceived = 0
        /// Bytes written to the receiver and confirmed by the socket.
        public var bytesForwarded = 0
        /// How many writes carried them.
        public var writeCount = 0
        /// The largest single write.
        public var largestWrite = 0
        /// Bytes read and thrown away (blackholed, or after a cut threshold).
        public var bytesDiscarded = 0
    }

    /// One accepted connection: its counters, whether it is still open, and
    /// faults to apply to it now.
    ///
    /// Handles stay valid after the connection ends, so a test can read the
    /// final counters.
    public final class Connection: Sendable {
        /// The position in accept order, from 0 (refused connections count).
        public let index: Int
        /// Whether ``ChaosProxy/refuseNext(_:)`` closed it on accept.
        public let wasRefused: Bool
        let state: ChaosConnectionState
        private let relay: NIOLoopBound<ChaosRelay>?

        init(index: Int, wasRefused: Bool, state: ChaosConnectionState, relay: NIOLoopBound<ChaosRelay>?) {
            self.index = index
            self.wasRefused = wasRefused
            self.state = state
            self.relay = relay
        }

        /// Whether either socket of the connection is still open.
        public var isLive: Bool { state.isLive }

        /// The plan chosen for it when it was accepted.
        public var plan: Plan { state.plan }

        /// The counters of `direction`.
        public func counters(_ direction: Direction) -> Counters { state.counters(direction) }

        /// Bytes confirmed written in `direction`.
        public func bytesForwarded(_ direction: Direction) -> Int { counters(direction).bytesForwarded }

        /// Cuts the connection now; returns once both sockets are closed.
        public func cut(mode: CutMode) async {
            await startCut(mode: mode)
            _ = await state.waitUntilClosed(timeout: .seconds(5))
        }

        /// Cuts without waiting for the sockets to close.
        func startCut(mode: CutMode) async {
            await onLoop { $0.cut(mode: mode) }
        }

        /// Stops forwarding `direction`: what arrives is read and discarded,
        /// and both sockets stay open.
        public func blackhole(_ direction: Direction) async {
            await onLoop { $0.setBlackholed(direction, true) }
        }

        /// Forwards `direction` again; what was discarded meanwhile is lost.
        public func resumeForwarding(_ direction: Direction) async {
            await onLoop { $0.setBlackholed(direction, false) }
        }

        /// Waits until both sockets are closed.
        /// - Throws: ``ChaosProxy/TimeoutError`` after `timeout`.
        public func waitUntilClosed(timeout: Duration) async throws(TimeoutError) {
            guard await state.waitUntilClosed(timeout: timeout) else {
                throw TimeoutError(description: "connection \(index) still open after \(timeout)")
            }
        }

        /// Runs `body` on the relay's event loop and waits for it.
        private func onLoop(_ body: @escaping @Sendable (ChaosRelay) -> Void) async {
            guard let relay else { return }
            try? await relay.eventLoop.submit { body(relay.value) }.get()
        }
    }

    /// A wait that ran out of time.
    public struct TimeoutError: Error, CustomStringConvertible {
        /// What was waited for.
        public let description: String
    }
}

/// The part of a connection both the relay (on its event loop) and tests
/// (anywhere) touch: counters and liveness, behind a lock.
final class ChaosConnectionState: Sendable {
    private struct Value {
        var clientToServer = ChaosProxy.Counters()
        var serverToClient = ChaosProxy.Counters()
        var isLive = true
    }

    let plan: ChaosProxy.Plan
    private let value = Mutex(Value())

    init(plan: ChaosProxy.Plan, isLive: Bool = true) {
        self.plan = plan
        value.withLock { $0.isLive = isLive }
    }

    var isLive: Bool { value.withLock { $0.isLive } }

    func markClosed() { value.withLock { $0.isLive = false } }

    func counters(_ direction: ChaosProxy.Direction) -> ChaosProxy.Counters {
        value.withLock { direction == .clientToServer ? $0.clientToServer : $0.serverToClient }
    }

    func update(_ direction: ChaosProxy.Direction, _ change: (inout ChaosProxy.Counters) -> Void) {
        value.withLock { value in
            switch direction {
            case .clientToServer: change(&value.clientToServer)
            case .serverToClient: change(&value.serverToClient)
            }
        }
    }

    /// Polls (every few milliseconds, bounded by `timeout`) until the
    /// connection is closed; polling keeps this free of continuations that
    /// a lost wake-up could strand.
    func waitUntilClosed(timeout: Duration) async -> Bool {
        await pollUntil(timeout: timeout) { !self.isLive }
    }
}
