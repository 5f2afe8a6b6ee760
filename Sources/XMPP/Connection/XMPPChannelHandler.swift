import Logging
import NIOCore
import NIOGnuTLS
import NIOTLS
import XMPPCore

/// The one channel handler of an XMPP session: it owns the XML reader, the
/// writer and the ``SessionStateMachine``, feeds the machine what arrives
/// and carries out what the machine asks for in one place, `run(_:)`.
///
/// It sits at the end of the pipeline; for STARTTLS it puts a
/// `GnuTLSClientHandler` at the front (SNI and verification name: the JID's
/// domain) and waits for `TLSUserEvent.handshakeCompleted`. Upward it
/// completes the negotiation promise (established, redirected or failed) and
/// hands delivered elements to the connection's subscriptions through its
/// ``InboundRouter``, which it finishes when the connection ends (with the
/// error, if it ended with one). Downward it
/// accepts ``Request``s: `channel.writeAndFlush(Request.send(element))`
/// sends a top-level element once the session is established, and
/// `channel.close()` closes the stream cleanly (`</stream:stream>`, then
/// the connection once the server answers or the close deadline passes).
/// IQ requests and inbound request handlers go through the methods in
/// `XMPPChannelHandler+Requests`, called on the event loop; inbound
/// requests for a handler are yielded into the `requests` stream, which the
/// connection answers from. For in-band registration the negotiation
/// pauses at the server's form (``NegotiationOutcome/registrationForm(_:)``)
/// and goes on once the connection submits the answer
/// (`XMPPChannelHandler+Registration`). Stanzas sent with an
/// acknowledgement wait (`XMPPChannelHandler+StreamManagement`) until the
/// machine reports XEP-0198's `<a/>` covering them, or the session's end.
///
/// Everything happens on the channel's event loop; deadlines are scheduled
/// there too.
final class XMPPChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Request
    typealias OutboundOut = ByteBuffer

    /// What the connection asks of the handler through the pipeline.
    enum Request: Sendable {
        /// Send a top-level element (stanza or other) on the established stream.
        case send(XMLElement)
    }

    /// How negotiation ended, or paused, when it did not fail.
    enum NegotiationOutcome: Sendable {
        /// The session is ready.
        case established(SessionStateMachine.EstablishedSession)
        /// The server sent `see-other-host`; the connection is closing.
        case redirect(SeeOtherHostTarget)
        /// In-band registration waits for the answer to this form; pass it
        /// to ``submitRegistration(_:)``, which continues the negotiation.
        case registrationForm(RegistrationForm)
        /// The account was registered and the stream is closing.
        case registered
    }

    /// Makes the TLS handler for STARTTLS; called on the event loop.
    typealias TLSHandlerFactory = () throws -> GnuTLSClientHandler

    // Not private: `XMPPChannelHandler+Requests` uses them.
    var machine: SessionStateMachine
    var context: ChannelHandlerContext?
    /// The IQ requests in flight, by id: completed by `.completeRequest`.
    var pendingResponses: [String: EventLoopPromise<IQ>] = [:]
    /// The one timer of the IQ requests in flight, at their earliest deadline.
    var requestTimer: Scheduled<Void>?
    /// The waits of stanzas sent with ``startAcknowledgedSend(_:)`` (by
    /// token: completed by `.stanzasAcknowledged` and failed by
    /// `.stanzasNotAcknowledged`) and the session to resume, kept beyond
    /// this connection when it may be resumed.
    let continuity: SessionContinuity
    /// The one timer that makes XEP-0198 `<r/>` due by time.
    var ackRequestTimer: Scheduled<Void>?
    /// The one timer of keepalives, silence probes and the ack deadline
    /// (`XMPPChannelHandler+Liveness`).
    var livenessTimer: Scheduled<Void>?
    /// Receives inbound requests that have a handler.
    let requests: InboundIQRequests
    let logger: Logger
    /// Whether the quick-ACK handler is removed once the session is
    /// established.
    let quickAcknowledgements: XMPPConnection.Configuration.QuickAcknowledgements

    private let transport: SessionStateMachine.Transport
    let reader: XMLStreamReader
    /// The event array of the last read, emptied, for the next read to
    /// fill: one allocation saved per read. Kept only while small (see
    /// `channelRead`), so an idle session holds no burst's worth.
    var spareEvents: [XMLStreamEvent] = []
    let writer = XMLWriter()
    let makeTLSHandler: TLSHandlerFactory
    var tlsHandler: GnuTLSClientHandler?
    var deadlines: [SessionStateMachine.DeadlineID: Scheduled<Void>] = [:]
    var negotiation: EventLoopPromise<NegotiationOutcome>?
    /// The error the session failed with, once it did: what a registration
    /// answer that comes too late learns.
    var failure: XMPPClientError?
    /// Hands delivered elements to the connection's subscriptions.
    var router: InboundRouter
    var started = false
    /// Whether something was written since the last flush.
    var needsFlush: Bool { bytesSinceFlush > 0 }
    /// Set while inbound bytes are processed: what their elements make the
    /// session write (acknowledgements, answers) goes out in one flush at
    /// the end of the read instead of one per element.
    var deferringFlush = false
    /// Whether a flush is scheduled for the end of the loop's tick (see
    /// `submitCoalesced(_:)`).
    var flushScheduled = false
    /// Whether `submitCoalesced(_:)` flushed a send at once since the last
    /// read or turn-end flush. The next send then schedules the turn-end
    /// flush; a lone send (the round-trip pattern) schedules nothing.
    var flushedSendAtOnce = false
    /// How many bytes were written since the last flush: what waits in
    /// ``unflushed`` and ``unflushedAnswers`` (``needsFlush`` derives
    /// from it).
    var bytesSinceFlush: Int { (unflushed?.readableBytes ?? 0) + unflushedAnswers.count }
    /// What was written since the last flush, not passed down yet: the
    /// pipeline gets one buffer per flush, so TLS seals one record (and
    /// NIO writes one buffer) for a burst rather than one per element.
    /// `nil` while nothing waits, so an idle session holds no buffer.
    var unflushed: ByteBuffer?
    /// The promise of the writes in ``unflushed`` (later ones cascade from
    /// it): they complete together, when the buffer is written.
    var unflushedPromise: EventLoopPromise<Void>?
    /// Answers to the server's `<r/>` written since the last flush, kept
    /// behind the stanzas sent in the same flush
    /// (``SessionStateMachine/Action/answerAckRequest(_:)``).
    var unflushedAnswers: [UInt8] = []
    /// Senders waiting for room in XEP-0198's queue, by id.
    var roomWaiters: [UInt64: EventLoopPromise<Void>] = [:]
    var nextRoomWaiterID: UInt64 = 0
    /// The message answerers, in registration order
    /// (`XMPPChannelHandler+Answers`).
    var answerers: [MessageAnswerer] = []
    /// Answers waiting for room in XEP-0198's queue, in order.
    var waitingAnswers = CircularBuffer<Message>()
    /// Whether answers were written and not flushed yet: the read's end
    /// then flushes at once instead of at the end of the loop's turn.
    var answersUnflushed = false

    /// Creates the handler for one connection.
    /// - Parameters:
    ///   - machine: A fresh machine for this connection.
    ///   - transport: Whether TLS is already up (direct TLS).
    ///   - limits: What the reader accepts.
    ///   - makeTLSHandler: Makes the STARTTLS handler.
    ///   - negotiation: Completed once negotiation ends.
    ///   - holdLimit: How many delivered elements no subscription wanted
    ///     are kept for later subscriptions.
    ///   - quickAcknowledgements: Whether the quick-ACK handler (put first
    ///     in the pipeline by the connector) stays once the session is
    ///     established.
    ///   - requests: Receives inbound IQ requests that have a handler;
    ///     finished when the connection ends.
    ///   - continuity: Where acknowledgement waits and a session to resume
    ///     are kept; a fresh one unless the session may be resumed later.
    ///   - logger: Receives `debug` and `trace` messages.
    init(
        machine: SessionStateMachine,
        transport: SessionStateMachine.Transport,
        limits: XMLStreamReader.Limits,
        makeTLSHandler: @escaping TLSHandlerFactory,
        negotiation: EventLoopPromise<NegotiationOutcome>,
        holdLimit: Int,
        quickAcknowledgements: XMPPConnection.Configuration.QuickAcknowledgements = .whileNegotiating,
        requests: InboundIQRequests,
        continuity: SessionContinuity = SessionContinuity(),
        logger: Logger
    ) {
        self.continuity = continuity
        self.machine = machine
        self.transport = transport
        self.reader = XMLStreamReader(limits: limits)
        self.makeTLSHandler = makeTLSHandler
        self.negotiation = negotiation
        self.router = InboundRouter(holdLimit: holdLimit)
        self.quickAcknowledgements = quickAcknowledgements
        self.requests = requests
        self.logger = logger
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        unflushed = nil
        unflushedAnswers = []
        unflushedPromise?.fail(ChannelError.ioOnClosedChannel)
        unflushedPromise = nil
        cancelAllDeadlines()
        finish(with: .connectionClosed(detail: "the session handler was removed"))
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        start()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Their promises fail now (the channel is closed), not never.
        passUnflushed(context: context)
        run(machine.channelInactive())
        cancelAllDeadlines()
        finish(with: nil)
        context.fireChannelInactive()
    }

    func start() {
        guard !started else { return }
        started = true
        run(machine.start(transport: transport))
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deferringFlush = true
        // A read starts a new turn for `submitCoalesced(_:)`.
        flushedSendAtOnce = false
        defer {
            deferringFlush = false
            wakeRoomWaitersIfRoom()
            sendWaitingAnswersIfRoom()
            flushAfterRead(context: context)
        }
        let buffer = unwrapInboundIn(data)
        var events = spareEvents
        spareEvents = []
        var failure: XMLStreamError?
        buffer.withUnsafeReadableBytes { bytes in
            do throws(XMLStreamError) {
                try reader.read(bytes, into: &events)
            } catch {
                failure = error
            }
        }
        // Captured before the events run: one of them may reset the reader.
        let trailing = reader.unconsumedByteCount
        let now = MonotonicInstant(nanoseconds: context.eventLoop.now.uptimeNanoseconds)
        // Any byte proves the server alive, whitespace and partial stanzas included.
        machine.bytesRead(now: now)
        // Once per read rather than per element: asking a log handler for
        // its level is a call through an existential.
        let tracing = logger.logLevel <= .trace
        for (index, event) in events.enumerated() {
            // Bytes after this event in the same read: the reader's count for
            // the last event, and at least one more for any earlier event.
            let bytesFollowing = index == events.index(before: events.endIndex) ? trailing : trailing + 1
            switch event {
            case .streamStart(let header):
                logger.trace("Received XMPP stream header", metadata: [XMPPLoggingKey.element: "\(header.name)"])
                run(machine.receivedStreamHeader(header))
            case .element(let element):
                if tracing { traceElement("Received XMPP element", element) }
                // Messages and presences on an established session: no
                // action array per stanza (see receivedDeliverable).
                if let deliverable = machine.receivedDeliverable(element, now: now) {
                    run(.deliver(element), context: context)
                    if !deliverable.actions.isEmpty { run(deliverable.actions) }
                } else {
                    run(machine.received(element: element, bytesFollowing: bytesFollowing, now: now))
                }
            case .streamEnd:
                logger.trace("Received XMPP stream end")
                run(machine.receivedStreamEnd())
            }
        }
        if let failure {
            logger.debug("XMPP stream from the server is invalid", metadata: [XMPPLoggingKey.error: "\(failure)"])
            run(machine.readerFailed(failure))
        }
        if events.capacity <= Self.spareEventsCapacity {
            events.removeAll(keepingCapacity: true)
            spareEvents = events
        }
    }

    /// The largest event array kept for the next read: a few stanzas' worth.
    static let spareEventsCapacity = 16

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent {
            let security = SASLTransportSecurity(connectionInfo: tlsHandler?.connectionInfo)
            logger.debug("XMPP STARTTLS handshake completed")
            run(machine.tlsEstablished(channelBindings: security.channelBindings))
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The last handler: errors end here rather than at the pipeline's tail.
        logger.debug("XMPP connection error", metadata: [XMPPLoggingKey.error: "\(error)"])
        if error is GnuTLSError {
            run(machine.tlsFailed(error))
        } else {
            run(machine.connectionFailed(error))
        }
    }

    // MARK: Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .send(let element):
            do throws(XMPPClientError) {
                try send(element, promise: promise, context: context)
            } catch {
                promise?.fail(error)
            }
        }
    }

    func flush(context: ChannelHandlerContext) {
        flushNow(context: context)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .all else {
            passUnflushed(context: context)
            context.close(mode: mode, promise: promise)
            return
        }
        promise.map { context.channel.closeFuture.cascade(to: $0) }
        let actions = machine.closeRequested()
        if actions.isEmpty, case .closed = machine.state {
            // Already failed or closed: make sure the channel goes too.
            passUnflushed(context: context)
            context.close(promise: nil)
        }
        run(actions)
    }

    // MARK: Ending

    /// Completes what waits on this connection: the negotiation (failed),
    /// IQ requests still in flight (failed; the machine normally ended them
    /// already), the subscriptions (finished, with `error` if there is one)
    /// and the stream of inbound requests. Later calls change nothing.
    func finish(with error: XMPPClientError?) {
        if let negotiation {
            self.negotiation = nil
            negotiation.fail(error ?? .connectionClosed(detail: "the connection closed during negotiation"))
        }
        let closed = error ?? .connectionClosed(detail: "the connection closed")
        let waiting = pendingResponses
        pendingResponses.removeAll()
        for promise in waiting.values {
            promise.fail(closed)
        }
        // Waits for stanzas of a session that may still be resumed go on
        // (the next connection completes them); all others end here. Only
        // the first call decides: a later one (`handlerRemoved` after the
        // next connection resumed) would fail that connection's waits.
        if !router.isEnded, !continuity.isResumable {
            for promise in continuity.takeAllWaiters() {
                promise.fail(XMPPClientError.notAcknowledged(closed))
            }
        }
        requests.finish()
        endAnswers(closed)
        router.finish(throwing: error)
        failRoomWaiters(closed)
    }

    func cancelAllDeadlines() {
        for scheduled in deadlines.values { scheduled.cancel() }
        deadlines.removeAll()
        requestTimer?.cancel()
        requestTimer = nil
        ackRequestTimer?.cancel()
        ackRequestTimer = nil
        livenessTimer?.cancel()
        livenessTimer = nil
    }

    /// Logs an element at `trace`; `element` is made only when that level
    /// is on (an outbound message is kept without its element).
    func traceElement(_ message: Logger.Message, _ element: @autoclosure () -> XMLElement) {
        guard logger.logLevel <= .trace else { return }
        let element = element()
        logger.trace(
            message,
            metadata: [
                XMPPLoggingKey.element: "\(element.name)",
                XMPPLoggingKey.xml: "\(XMLLogRedaction.xml(RegistrationLogRedaction.redacted(element), writer: writer))",
            ])
    }
}

@available(*, unavailable)
extension XMPPChannelHandler: Sendable {}
