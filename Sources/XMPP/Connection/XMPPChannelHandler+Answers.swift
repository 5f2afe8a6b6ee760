import Logging
import NIOCore
import XMPPCore

/// Message answerers (``XMPPConnection/answerMessages(from:_:)``): run
/// inside the read that delivered the message, before the subscriptions'
/// consumers, and their answers written in the same turn, so an answer
/// costs no task switch and no event-loop task. Called on the event loop.
extension XMPPChannelHandler {
    /// Adds an answerer and answers the held messages it accepts (they
    /// arrived before anybody wanted them). After the session ended, does
    /// nothing.
    func addAnswerer(_ answerer: MessageAnswerer) {
        guard context != nil, !router.isEnded else { return }
        answerers.append(answerer)
        for element in router.takeHeld(where: answerer.filter) {
            answer(element, by: [answerer])
        }
        flushAnswersUnlessReading()
    }

    /// Removes an answerer; messages that arrive afterwards go to the
    /// subscriptions only (or are held).
    func removeAnswerer(_ answerer: MessageAnswerer) {
        answerers.removeAll { $0 === answerer }
    }

    /// Runs the answerers that accept `element`, the connection's and then
    /// the client's (``SessionContinuity/answerers``), and sends their
    /// answers.
    /// - Returns: Whether one of the connection's own answerers accepted it
    ///   (then it is not held for later subscriptions). The client's do not
    ///   count: the client's own subscription takes every element and
    ///   decides there.
    func answer(_ element: XMLElement) -> Bool {
        let shared = continuity.answerers?.current ?? []
        guard !answerers.isEmpty || !shared.isEmpty else { return false }
        // Copies: an answer may register or cancel answerers.
        let claimed = answer(element, by: answerers, shared: shared)
        flushAnswersUnlessReading()
        return claimed
    }

    @discardableResult
    private func answer(_ element: XMLElement, by own: [MessageAnswerer], shared: [MessageAnswerer] = []) -> Bool {
        var message: Message?
        var unreadable = false
        /// Answers with `answerer` if it accepts the element; parses the
        /// message once, for the first answerer that accepts it.
        func offer(to answerer: MessageAnswerer) -> Bool {
            guard answerer.filter(element) else { return false }
            if message == nil, !unreadable {
                do throws(StanzaParseError) {
                    message = try Message(element: element, namespace: XMLNamespace.client)
                } catch {
                    unreadable = true
                    logger.debug(
                        "XMPP inbound message not answered: it does not parse",
                        metadata: [XMPPLoggingKey.element: "\(element.name)", XMPPLoggingKey.error: "\(error)"])
                }
            }
            if let message, let reply = answerer.answer(message) { sendAnswer(reply) }
            return true
        }
        var claimed = false
        for answerer in own where offer(to: answerer) { claimed = true }
        for answerer in shared { _ = offer(to: answerer) }
        return claimed
    }

    /// Sends an answer now, or, while XEP-0198's queue is full (or earlier
    /// answers wait), queues it behind them until an `<a/>` makes room:
    /// answers keep their order and none is dropped for want of room.
    private func sendAnswer(_ reply: Message) {
        if !waitingAnswers.isEmpty || machine.streamManagementRefusal() != nil {
            waitingAnswers.append(reply)
            if waitingAnswers.count == 1 { run(machine.senderWaitsForRoom()) }
            return
        }
        writeAnswer(reply)
    }

    /// Writes an answer through the machine, unflushed: the read's end
    /// (or whoever answered outside a read) flushes the answers together.
    private func writeAnswer(_ reply: Message) {
        guard let context else { return }
        do throws(XMPPClientError) {
            try send(.message(reply), promise: nil, context: context)
            answersUnflushed = true
        } catch {
            logger.warning(
                "XMPP answer not sent",
                metadata: [XMPPLoggingKey.stanzaID: "\(reply.id ?? "-")", XMPPLoggingKey.error: "\(error)"])
        }
    }

    /// Sends the answers that waited for room, as far as there is room;
    /// called after inbound elements ran (an `<a/>` frees room).
    func sendWaitingAnswersIfRoom() {
        guard !waitingAnswers.isEmpty, context != nil else { return }
        while !waitingAnswers.isEmpty, machine.streamManagementRefusal() == nil {
            writeAnswer(waitingAnswers.removeFirst())
        }
        // Still full: make sure an acknowledgement is asked for.
        if !waitingAnswers.isEmpty { run(machine.senderWaitsForRoom()) }
    }

    /// Flushes what a read wrote: at once when answers are among it (the
    /// peer waits for them, and the acknowledgements the read wrote go
    /// with them), else at the end of the loop's turn.
    func flushAfterRead(context: ChannelHandlerContext) {
        if answersUnflushed {
            answersUnflushed = false
            flushNow(context: context)
        } else {
            flushAtEndOfTurn(context: context)
        }
    }

    /// Flushes answers written outside a read (held messages answered at
    /// registration); inside one, the read's end does.
    private func flushAnswersUnlessReading() {
        guard answersUnflushed, !deferringFlush, let context else { return }
        answersUnflushed = false
        flushNow(context: context)
    }

    /// Drops the answerers when the session ends. Answers still waiting
    /// for room will not be sent: a client's connection reports them as
    /// not delivered (``XMPPClient/Event/notDelivered(_:_:)``), and either
    /// way they are logged.
    func endAnswers(_ error: XMPPClientError) {
        answerers.removeAll()
        guard !waitingAnswers.isEmpty else { return }
        let unsent = waitingAnswers.map(\.element)
        waitingAnswers.removeAll()
        continuity.reportUnacknowledged?(unsent, error)
        logger.warning(
            "XMPP answers not sent: the session ended while they waited for XEP-0198 room",
            metadata: ["xmpp.answers": "\(unsent.count)", XMPPLoggingKey.error: "\(error)"])
    }
}
