import XMPPCore

/// Why the stream-management ledger refused an input.
///
/// Errors that are the server's fault carry the stream error to end the
/// stream with (``streamError``); the others are the caller's to handle
/// (back-pressure, a resumption that cannot happen, a call out of order).
/// The ledger's state is unchanged after every error.
enum StreamManagementError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The unacknowledged queue holds ``StreamManagementConfiguration/maximumUnacknowledged``
    /// stanzas; this one was not accepted (apply back-pressure or fail the
    /// send; nothing was dropped).
    case queueFull(limit: Int)
    /// An `h` (in `<a/>`, `<resumed/>` or `<failed/>`) acknowledges more
    /// stanzas than we sent: `handled` against our `sent` count. End the
    /// stream with ``streamError`` (XEP-0198 §Error Handling; P31).
    case handledCountTooHigh(handled: StanzaCount, sent: StanzaCount)
    /// `<resumed/>` names another stream than the one we asked to resume
    /// (security.md H88). End the stream.
    case previousIDMismatch
    /// A stream-management element arrived where the protocol does not
    /// allow it (for example `<a/>` before `<enabled/>`, or a second
    /// `<enabled/>`). End the stream.
    case unexpectedElement(localName: String)
    /// ``StreamManagementLedger/enable(now:)`` was called while stream
    /// management is already on, or being resumed; XEP-0198 allows one
    /// attempt per stream.
    case alreadyEnabled
    /// ``StreamManagementLedger/resume(now:)`` was called without a
    /// detached, resumable session.
    case notResumable
    /// The server's resumption window (`max`) has passed since the
    /// connection was lost; resuming would fail. Abandon the session.
    case resumptionExpired
    /// ``StreamManagementLedger/init(restoring:configuration:)`` was given
    /// a snapshot whose counts and stanzas do not agree.
    case invalidSnapshot

    /// The stream error to end the stream with, for errors that are the
    /// server's; `nil` for local conditions.
    var streamError: StreamError? {
        switch self {
        case .handledCountTooHigh(let handled, let sent):
            var condition = XMLElement(name: XMLQualifiedName("handled-count-too-high", namespace: StreamManagementElement.namespace))
            condition[attribute: "h"] = handled.description
            condition[attribute: "send-count"] = sent.description
            return StreamError(
                .undefinedCondition,
                text: "handled count \(handled) exceeds the \(sent) stanzas sent",
                applicationCondition: condition
            )
        case .previousIDMismatch:
            return StreamError(.undefinedCondition, text: "resumed a stream that was not asked for")
        case .unexpectedElement(let localName):
            return StreamError(.undefinedCondition, text: "unexpected stream management element <\(localName)/>")
        case .queueFull, .alreadyEnabled, .notResumable, .resumptionExpired, .invalidSnapshot:
            return nil
        }
    }

    /// What went wrong; never contains an SM-ID.
    var description: String {
        switch self {
        case .queueFull(let limit): "the unacknowledged queue is full (\(limit) stanzas)"
        case .handledCountTooHigh(let handled, let sent): "the server acknowledged \(handled) stanzas; \(sent) were sent"
        case .previousIDMismatch: "<resumed/> names another stream"
        case .unexpectedElement(let localName): "unexpected <\(localName)/>"
        case .alreadyEnabled: "stream management is already enabled"
        case .notResumable: "there is no resumable session"
        case .resumptionExpired: "the resumption window has passed"
        case .invalidSnapshot: "the snapshot's counts and stanzas disagree"
        }
    }
}
