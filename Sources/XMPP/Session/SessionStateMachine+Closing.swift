import XMPPCore

/// Closing (RFC 6120 §4.4): ours (send `</stream:stream>`, wait for the
/// server's with a deadline, then close the connection) and the server's.
struct StreamClosing: Hashable, Sendable {
    /// Whether elements that arrive before the server's close still reach
    /// the application: yes when the session was established (the server
    /// may have sent them before it saw our close), no during negotiation.
    var deliversElements: Bool
}

extension SessionStateMachine {
    /// The application (or cancellation) asks to close.
    ///
    /// An open stream is closed cleanly: `</stream:stream>`, then the
    /// connection once the server answers in kind or the close deadline
    /// passes. A close during negotiation also fails the negotiation.
    ///
    /// With stream management on, our final `<a h/>` goes first, so the
    /// server does not resend what we handled (P39), and an `<r/>` when
    /// stanzas still wait for an acknowledgement; acknowledgements that
    /// arrive before the server's close still count. Whatever is not
    /// acknowledged when the connection closes is reported then.
    mutating func closeRequested() -> [Action] {
        switch state {
        case .idle:
            state = .closed
            return [.closeConnection]
        case .closing, .closed:
            return []
        case .established:
            state = .closing(StreamClosing(deliversElements: true))
            return closingStreamManagementWrites()
                + [.writeStreamClose]
                + failPendingRequests(.connectionClosed(detail: "the session was closed"))
                + moveDeadline(to: .closing)
        case .startTLS(let negotiation) where negotiation.phase == .handshaking:
            return fail(.connectionClosed(detail: "closed before the session was established"), closingStream: false)
        default:
            state = .closing(StreamClosing(deliversElements: false))
            return [.writeStreamClose, .fail(.connectionClosed(detail: "closed before the session was established"))]
                + moveDeadline(to: .closing)
        }
    }

    /// The server's `</stream:stream>` arrived.
    mutating func receivedStreamEnd() -> [Action] {
        switch state {
        case .idle, .closed:
            return []
        case .closing:
            return finishClosing()
        default:
            // The server closed on its own: answer in kind and report it.
            return fail(.streamClosedByPeer)
        }
    }

    /// The connection is gone.
    mutating func channelInactive() -> [Action] {
        switch state {
        case .closed:
            return []
        case .closing:
            state = .closed
            return cancelDeadline() + endStreamManagement(Self.closedError)
        case .established:
            let error = XMPPClientError.connectionClosed(detail: "the connection closed")
            let actions = cancelDeadline() + failPendingRequests(error) + endStreamManagement(error, connectionLost: true)
            state = .closed
            return actions + [.fail(error)]
        default:
            let error = XMPPClientError.connectionClosed(detail: "the connection closed during negotiation")
            let actions = cancelDeadline() + endStreamManagement(error, connectionLost: true)
            state = .closed
            return actions + [.fail(error)]
        }
    }

    /// Our close is answered (or moot): cancel its deadline and close.
    mutating func finishClosing() -> [Action] {
        state = .closed
        return cancelDeadline() + endStreamManagement(Self.closedError) + [.closeConnection]
    }

    /// What stanzas still waiting for an acknowledgement fail with after a
    /// clean close.
    static let closedError = XMPPClientError.connectionClosed(detail: "the session was closed")
}
