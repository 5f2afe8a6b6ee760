import XMPPCore

@testable import XMPP

/// The machine's sends of a built element, as the tests drive them: the
/// write of the element first, then what follows it. The library sends an
/// ``OutboundStanza`` and writes the bytes it serialised itself.
extension SessionStateMachine {
    /// ``send(_:now:)`` for an element, with its write as the first action.
    mutating func send(stanza element: XMLElement, now: MonotonicInstant? = nil) throws(XMPPClientError) -> [Action] {
        try send(.element(element), now: now).actions(writing: element)
    }

    /// ``sendAcknowledged(_:now:)`` for an element, with its write as the
    /// first action.
    mutating func sendAcknowledged(
        stanza element: XMLElement,
        now: MonotonicInstant? = nil
    ) throws(XMPPClientError) -> (token: OutboundStanzaToken, actions: [Action]) {
        let (token, write) = try sendAcknowledged(.element(element), now: now)
        return (token, write.actions(writing: element))
    }
}
