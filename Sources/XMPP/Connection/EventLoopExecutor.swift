import NIOCore

/// A channel's event loop as both the serial executor of the actors bound
/// to the session (``XMPPConnection`` and the features built on it) and as
/// a task executor that application code may prefer.
///
/// Why one object for both: a task that prefers this executor and calls
/// into the connection finds itself already on the connection's serial
/// executor, so the runtime runs the actor's code inline instead of
/// enqueueing a job, and nothing crosses threads between the application's
/// loop and the network. A job is always run isolated to this executor;
/// that is sound because the event loop is one thread that runs one job at
/// a time, which is all a serial executor promises.
final class EventLoopExecutor: SerialExecutor, TaskExecutor, @unchecked Sendable {
    // @unchecked: the only stored property is an immutable Sendable
    // reference; the protocols' requirements make the class non-final-safe
    // checks impossible for the compiler.
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(
                isolatedTo: self.asUnownedSerialExecutor(),
                taskExecutor: self.asUnownedTaskExecutor())
        }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }

    func isSameExclusiveExecutionContext(other: EventLoopExecutor) -> Bool {
        other === self
    }

    func checkIsolated() {
        eventLoop.preconditionInEventLoop()
    }
}
