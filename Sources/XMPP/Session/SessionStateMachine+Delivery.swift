import XMPPCore

/// The inbound case of nearly every element on an established session: a
/// message or presence to deliver, counted for stream management.
///
/// ``received(element:bytesFollowing:now:)`` returns it as a new array,
/// `[.deliver(element)]` (with the `<a h/>` answer, when one is due), for
/// every stanza; this entry returns the same decision without the array. It
/// takes exactly the steps that entry takes for these elements, in the
/// same order, and declines everything else, which then goes through the
/// general entry. Tests run both entries side by side.
extension SessionStateMachine {
    /// The outcome of ``receivedDeliverable(_:now:)``.
    struct Deliverable {
        /// The answer to write after delivering, when one is due.
        var answer: Action?
    }

    /// The element, when it is a message or presence on an established
    /// session (or one waiting for `<enabled/>`): counted, and to be
    /// delivered by the caller, who then runs ``Deliverable/answer``.
    /// `nil` when the element must go to ``received(element:bytesFollowing:now:)``
    /// instead; nothing has changed then.
    mutating func receivedDeliverable(_ element: XMLElement, now: MonotonicInstant) -> Deliverable? {
        switch state {
        case .enablingStreamManagement, .established:
            break
        default:
            return nil
        }
        switch element.knownName {
        case .message, .presence:
            break
        default:
            return nil
        }
        advanceClock(to: now)
        return Deliverable(answer: countInbound(element))
    }
}
