import XMPPCore

/// The inbound case of nearly every element on an established session: a
/// message or presence to deliver, counted for stream management.
///
/// ``received(element:bytesFollowing:now:)`` makes this decision by calling
/// here, and returns it as a new array, `[.deliver(element)]` (with the
/// `<a h/>` answer, when one is due); the channel handler calls here first,
/// for every element, and so builds no array per stanza. Everything else is
/// declined, and goes through the general entry. Tests run both entries
/// side by side.
extension SessionStateMachine {
    /// The outcome of ``receivedDeliverable(_:now:)``.
    struct Deliverable {
        /// What to run after delivering: the `<a h/>` answer when one is
        /// due, and the ack-request timer moved or cancelled with it (see
        /// ``SessionStateMachine/reaimAckRequestTimerAfterAnswer()``);
        /// empty for nearly every stanza.
        var actions: [Action]
    }

    /// The element, when it is a message or presence on an established
    /// session (or one waiting for `<enabled/>`): counted, and to be
    /// delivered by the caller, who then runs ``Deliverable/actions``.
    /// `nil` when the element must go to ``received(element:bytesFollowing:now:)``
    /// instead; nothing has changed then.
    /// - Parameter now: The current instant; `nil` keeps the latest one known.
    mutating func receivedDeliverable(_ element: XMLElement, now: MonotonicInstant? = nil) -> Deliverable? {
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
        if let now { advanceClock(to: now) }
        return Deliverable(actions: countInbound(element))
    }
}
