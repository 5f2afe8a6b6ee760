import Logging
import NIOCore
import NIOGnuTLS
import NIOTLS
import XMPPCore
import XMPPTransport

/// Carrying out the session machine's actions: the one place where its
/// decisions become channel operations (writes, TLS, reader resets,
/// deadlines, delivery, closing).
extension XMPPChannelHandler {
    // MARK: Running actions

    /// Carries out actions in order, then flushes what they wrote.
    func run(_ actions: [SessionStateMachine.Action]) {
        guard let context, !actions.isEmpty else { return }
        for action in actions {
            run(action, context: context)
        }
        flushIfNeeded(context: context)
    }

    /// Flushes what was written since the last flush, unless a read is
    /// being processed (its end flushes).
    func flushIfNeeded(context: ChannelHandlerContext) {
        if needsFlush, !deferringFlush { flushNow(context: context) }
    }

    /// Flushes what is pending once the event loop's current turn has run
    /// the tasks already queued in it, together with what they write.
    ///
    /// A read that wakes a task (an application loop awaiting the next
    /// message) usually makes that task write at once: the round-trip
    /// pattern. Flushing the read's own writes (an `<a h/>` answering the
    /// server's `<r/>`) at the read's end would cost a TLS record and a
    /// system call of their own, and the server one more read; deferred,
    /// they leave with the task's writes. Nothing waits beyond the turn.
    func flushAtEndOfTurn(context: ChannelHandlerContext) {
        guard needsFlush else { return }
        scheduleTurnEndFlush(context: context)
    }

    /// Schedules the flush at the end of the loop's turn, unless one is
    /// scheduled already; while it is, ``flushScheduled`` tells sends of
    /// the same turn to leave their bytes for it.
    func scheduleTurnEndFlush(context: ChannelHandlerContext) {
        guard !flushScheduled else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute { [self] in
            flushScheduled = false
            flushedSendAtOnce = false
            if let context = self.context { flushIfNeeded(context: context) }
        }
    }

    /// Flushes now, whatever is pending.
    func flushNow(context: ChannelHandlerContext) {
        passUnflushed(context: context)
        context.flush()
    }

    /// Passes what was written since the last flush down the pipeline, as
    /// one buffer (no flush).
    func passUnflushed(context: ChannelHandlerContext) {
        moveAnswersBehind(context: context)
        guard let buffer = unflushed else { return }
        let promise = unflushedPromise
        unflushed = nil
        unflushedPromise = nil
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func run(_ action: SessionStateMachine.Action, context: ChannelHandlerContext) {
        switch action {
        case .writeStreamHeader(let header):
            do throws(XMLWriterError) {
                let bytes = try XMLWriter.streamOpening(header)
                logger.trace("Sending XMPP stream header", metadata: [XMPPLoggingKey.xml: "\(String(decoding: bytes, as: UTF8.self))"])
                write(bytes, context: context, promise: nil)
            } catch {
                // Our own header is always serialisable; if not, give up.
                finish(with: .unserializableElement(error))
                passUnflushed(context: context)
                context.close(promise: nil)
            }
        case .writeElement(let element):
            write(element, context: context, promise: nil)
        case .answerAckRequest(let element):
            write(element, context: context, promise: nil, placement: .behindStanzas)
        case .writeStreamClose:
            logger.trace("Sending XMPP stream end")
            write(XMLWriter.streamClosing, context: context, promise: nil)
        case .addTLSHandler:
            addTLSHandler(context: context)
        case .resetReader:
            reader.reset()
        case .scheduleDeadline(let id, let duration):
            logger.debug("XMPP step started", metadata: [XMPPLoggingKey.step: "\(id.step)"])
            deadlines[id] = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(duration)) { [self] in
                deadlines[id] = nil
                logger.debug("XMPP step deadline passed", metadata: [XMPPLoggingKey.step: "\(id.step)"])
                run(machine.deadlineFired(id))
            }
        case .cancelDeadline(let id):
            deadlines.removeValue(forKey: id)?.cancel()
        case .established(let session):
            logger.debug(
                "XMPP session established",
                metadata: [
                    XMPPLoggingKey.boundJID: "\(session.boundJID)",
                    XMPPLoggingKey.mechanism: "\(session.authenticationMechanism)",
                ])
            endQuickAcknowledgementsIfNegotiationOnly(context: context)
            negotiation?.succeed(.established(session))
            negotiation = nil
        case .deliver(let element):
            // Answerers first: their answers are on the peer's critical path.
            let answered = answer(element)
            if let dropped = router.deliver(element, claimedElsewhere: answered) {
                logger.debug(
                    "XMPP inbound element dropped: no subscription took it",
                    metadata: [XMPPLoggingKey.element: "\(dropped.name)", "xmpp.held_limit": "\(router.holdLimit)"])
            }
        case .followSeeOtherHost(let host, let port):
            logger.debug("XMPP server redirected the connection", metadata: [XMPPLoggingKey.redirect: "\(host):\(port.map(String.init) ?? "-")"])
            negotiation?.succeed(.redirect(SeeOtherHostTarget(host: host, port: port)))
            negotiation = nil
        case .closeConnection:
            if needsFlush { flushNow(context: context) }
            context.close(promise: nil)
        case .fail(let error):
            logger.debug("XMPP session failed", metadata: [XMPPLoggingKey.error: "\(error)"])
            failure = failure ?? error
            finish(with: error)
        case .completeRequest(let id, let outcome):
            complete(id, outcome)
        case .handleRequest(let iq, let handler):
            handOver(iq, to: handler)
        case .scheduleRequestTimer(let instant):
            scheduleRequestTimer(at: instant, context: context)
        case .cancelRequestTimer:
            requestTimer?.cancel()
            requestTimer = nil
        case .dropped(let element, let reason):
            logDropped(element, reason)
        case .registrationFormReceived(let form):
            pauseForRegistrationAnswer(form)
        case .accountRegistered(let sessionContinues):
            accountRegistered(sessionContinues: sessionContinues)
        case .stanzasAcknowledged(let tokens):
            acknowledged(tokens)
        case .stanzasNotAcknowledged(let stanzas, let error):
            notAcknowledged(stanzas, error)
        case .scheduleAckRequestTimer(let instant):
            scheduleAckRequestTimer(at: instant, context: context)
        case .cancelAckRequestTimer:
            ackRequestTimer?.cancel()
            ackRequestTimer = nil
        case .carryOver(let session):
            if let session {
                logger.debug(
                    "XMPP session detached: it can be resumed on the next connection",
                    metadata: [XMPPLoggingKey.unacknowledgedCount: "\(session.ledger.stanzas.count)"])
            }
            continuity.setDetached(session)
        case .writeWhitespace:
            writeWhitespace(context: context)
        case .scheduleLivenessTimer(let instant):
            scheduleLivenessTimer(at: instant, context: context)
        }
    }

    /// Carries out a send: writes `bytes`, the stanza serialised before
    /// the machine counted it, when the machine says it is written now,
    /// then the actions that follow. `promise` learns when those bytes are
    /// written. Does not flush.
    func run(
        _ write: SessionStateMachine.StanzaWrite,
        writing bytes: [UInt8],
        of stanza: OutboundStanza,
        promise: EventLoopPromise<Void>?,
        context: ChannelHandlerContext
    ) {
        if write.isWritten {
            traceElement("Sending XMPP element", stanza.element)
            self.write(bytes, context: context, promise: promise, placement: .aheadOfAnswers)
        } else {
            // Held for a resumption; never leave a caller waiting.
            promise?.fail(XMPPClientError.connectionClosed(detail: "the element was not written"))
        }
        for action in write.following {
            run(action, context: context)
        }
    }

    /// Writes an element; when it cannot be serialised, fails `promise`
    /// and returns why (nothing is written).
    @discardableResult
    func write(
        _ element: XMLElement, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?,
        placement: WritePlacement = .inOrder
    ) -> XMLWriterError? {
        let bytes: [UInt8]
        do throws(XMLWriterError) {
            bytes = try writer.bytes(element)
        } catch {
            logger.debug("XMPP element cannot be serialised", metadata: [XMPPLoggingKey.element: "\(element.name)"])
            promise?.fail(XMPPClientError.unserializableElement(error))
            return error
        }
        traceElement("Sending XMPP element", element)
        write(bytes, context: context, promise: promise, placement: placement)
        return nil
    }

    /// Where a write goes among what waits for the next flush.
    enum WritePlacement {
        /// After everything, the waiting `<a h/>` answers included: the
        /// machine's own elements (a closing `<a h/>`, `</stream:stream>`)
        /// keep their order.
        case inOrder
        /// Ahead of the waiting answers: an application's stanza.
        case aheadOfAnswers
        /// An `<a h/>` answer, kept behind the stanzas until the flush or
        /// the next write in order.
        case behindStanzas
    }

    /// Adds `bytes` to what the next flush sends.
    func write(
        _ bytes: [UInt8], context: ChannelHandlerContext, promise: EventLoopPromise<Void>?,
        placement: WritePlacement = .inOrder
    ) {
        switch placement {
        case .inOrder:
            moveAnswersBehind(context: context)
            appendUnflushed(bytes, context: context)
        case .aheadOfAnswers:
            appendUnflushed(bytes, context: context)
        case .behindStanzas:
            unflushedAnswers += bytes
        }
        if let promise {
            if let first = unflushedPromise {
                first.futureResult.cascade(to: promise)
            } else {
                unflushedPromise = promise
            }
        }
        noteWritten(context: context)
    }

    /// Appends the waiting `<a h/>` answers to what the next flush sends.
    func moveAnswersBehind(context: ChannelHandlerContext) {
        guard !unflushedAnswers.isEmpty else { return }
        appendUnflushed(unflushedAnswers, context: context)
        unflushedAnswers.removeAll()
    }

    /// Appends `bytes` to the buffer the next flush passes down, making it
    /// first: room for a few stanzas; a burst grows it by doubling.
    private func appendUnflushed(_ bytes: [UInt8], context: ChannelHandlerContext) {
        if unflushed == nil {
            unflushed = context.channel.allocator.buffer(capacity: max(bytes.count, Self.unflushedInitialCapacity))
        }
        unflushed?.writeBytes(bytes)
    }

    /// The first allocation for a flush's bytes.
    static let unflushedInitialCapacity = 1024

    /// From here on the kernel's delayed ACKs let a busy server gather
    /// stanzas into fewer segments (``XMPPConnection/Configuration/QuickAcknowledgements``).
    private func endQuickAcknowledgementsIfNegotiationOnly(context: ChannelHandlerContext) {
        guard quickAcknowledgements == .whileNegotiating else { return }
        let operations = context.pipeline.syncOperations
        // Absent on channels the connector did not make (tests).
        guard let quickAck = try? operations.handler(type: QuickAckHandler.self) else { return }
        operations.removeHandler(quickAck, promise: nil)
    }

    func addTLSHandler(context: ChannelHandlerContext) {
        // What was written in the clear goes out before TLS takes over.
        if needsFlush { flushNow(context: context) }
        do {
            let handler = try makeTLSHandler()
            tlsHandler = handler
            // At the front (behind only the quick-ACK handler, which acts
            // on raw reads): everything after <proceed/> is TLS.
            let operations = context.pipeline.syncOperations
            if let quickAck = try? operations.handler(type: QuickAckHandler.self) {
                try operations.addHandler(handler, position: .after(quickAck))
            } else {
                try operations.addHandler(handler, position: .first)
            }
        } catch {
            run(machine.tlsFailed(error))
        }
    }
}
