import XMPPCore

/// Answering the server's `<r/>`.
///
/// XEP-0198 requires an answer to every request and says nothing about how
/// soon. A server that asks whenever it holds an unacknowledged stanza and
/// no request is open (Prosody does) asks again as soon as it reads each
/// answer: answered at once, a busy stream carries an `<r/>` and an `<a h/>`
/// per read, and a round trip pattern one of each per message, each a
/// record, a system call and work for the server. So the answer waits,
/// briefly: until ``StreamManagementConfiguration/ackAnswerDelay`` passed or
/// ``StreamManagementConfiguration/ackAnswerThreshold`` more stanzas were
/// handled, whichever comes first, and then carries the count of that
/// moment. The server's queue of stanzas it cannot yet forget stays bounded
/// by the threshold (plus a read's worth). Answers never wait past the
/// close: the closing `<a h/>` covers them.
extension StreamManagementLedger {
    /// A request waiting for its answer.
    struct PendingAnswer: Hashable, Sendable {
        /// When the answer is due by time.
        var due: MonotonicInstant
        /// The handled count when the request came.
        var handledAtRequest: StanzaCount
    }

    /// The server sent `<r/>`.
    /// - Parameter now: The current instant.
    /// - Returns: The `<a h/>` to write now (the delay is zero), or `nil`
    ///   when the answer waits: ask ``answerIfDue(now:)`` after each handled
    ///   stanza and when ``answerDueTime`` comes. A request while one waits
    ///   is covered by that one's answer, which counts more.
    /// - Throws: ``StreamManagementError/unexpectedElement(localName:)``
    ///   when stream management is not active.
    mutating func ackRequested(now: MonotonicInstant) throws(StreamManagementError) -> StreamManagementElement? {
        guard phase == .active else { throw .unexpectedElement(localName: "r") }
        guard configuration.ackAnswerDelay > .zero else { return .ack(handledCount) }
        if pendingAnswer == nil {
            pendingAnswer = PendingAnswer(due: now.advanced(by: configuration.ackAnswerDelay), handledAtRequest: handledCount)
        }
        return nil
    }

    /// The waiting answer, when it is due (its delay passed, or enough
    /// stanzas were handled since its request); it then no longer waits.
    mutating func answerIfDue(now: MonotonicInstant) -> StreamManagementElement? {
        guard let pending = pendingAnswer, phase == .active else { return nil }
        let handled = pending.handledAtRequest.distance(to: handledCount)
        guard pending.due <= now || UInt64(handled) >= UInt64(configuration.ackAnswerThreshold) else { return nil }
        pendingAnswer = nil
        return .ack(handledCount)
    }

    /// When the waiting answer is due by time; `nil` when none waits.
    var answerDueTime: MonotonicInstant? {
        phase == .active ? pendingAnswer?.due : nil
    }
}
