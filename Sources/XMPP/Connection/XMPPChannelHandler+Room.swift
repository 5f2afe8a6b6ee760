import NIOCore
import XMPPCore

/// Back-pressure for senders: while XEP-0198's queue of unacknowledged
/// stanzas is full, ``XMPPConnection/send(_:)-(XMLElement)`` waits here for
/// the server's `<a/>` instead of failing. Called on the event loop.
extension XMPPChannelHandler {
    /// Registers a wait for room in the queue.
    /// - Returns: The wait's id (to stop it) and a future that succeeds once
    ///   the session can take a stanza again, and fails when the session
    ///   ends or the wait is stopped.
    func startWaitingForRoom(on eventLoop: any EventLoop) -> (id: UInt64, room: EventLoopFuture<Void>) {
        let promise = eventLoop.makePromise(of: Void.self)
        guard context != nil, !router.isEnded else {
            promise.fail(failure ?? .connectionClosed(detail: "the connection closed"))
            return (0, promise.futureResult)
        }
        nextRoomWaiterID &+= 1
        roomWaiters[nextRoomWaiterID] = promise
        // Room may have come before the wait was registered.
        wakeRoomWaitersIfRoom()
        // Only an <a/> makes room; ask for one now rather than at the
        // ack-request timer.
        if !roomWaiters.isEmpty { run(machine.senderWaitsForRoom()) }
        return (nextRoomWaiterID, promise.futureResult)
    }

    /// Ends wait `id` (its task was cancelled) with `CancellationError`.
    func stopWaitingForRoom(_ id: UInt64) {
        roomWaiters.removeValue(forKey: id)?.fail(CancellationError())
    }

    /// Succeeds every wait once the queue has room; called after inbound
    /// elements ran (an `<a/>` frees room).
    func wakeRoomWaitersIfRoom() {
        guard !roomWaiters.isEmpty, machine.streamManagementRefusal() == nil else { return }
        let waiting = roomWaiters
        roomWaiters.removeAll()
        for promise in waiting.values { promise.succeed(()) }
    }

    /// Fails every wait: the session ended.
    func failRoomWaiters(_ error: XMPPClientError) {
        let waiting = roomWaiters
        roomWaiters.removeAll()
        for promise in waiting.values { promise.fail(error) }
    }
}
