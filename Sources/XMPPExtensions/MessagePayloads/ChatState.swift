public import XMPPCore

/// XEP-0085 chat state notifications: what the peer is doing in a
/// one-to-one conversation (or in a room).
///
/// Send one alone (``Chat/sendChatState(_:to:type:thread:)``) or with a
/// message (``ChatSendOptions/chatState``); a message with a body usually
/// carries ``active``.
public enum ChatState: String, MessagePayload, Hashable, CaseIterable, CustomStringConvertible {
    /// Taking part in the conversation.
    case active
    /// Typing a message.
    case composing
    /// Was typing, and stopped for a while.
    case paused
    /// Not paying attention to the conversation for a while.
    case inactive
    /// Has left the conversation (closed the window).
    case gone

    /// `http://jabber.org/protocol/chatstates`, also the disco#info feature.
    public static let namespace = "http://jabber.org/protocol/chatstates"

    /// The element's local name, for example `composing`.
    public var description: String { rawValue }

    /// Any element in the chat states namespace: an unknown state is a
    /// chat state too, one that does not read.
    public static func matches(_ name: XMLQualifiedName) -> Bool {
        name.namespace == namespace
    }

    /// Reads `<composing xmlns='http://jabber.org/protocol/chatstates'/>`
    /// and the other four.
    /// - Throws: ``StanzaParseError`` `unexpectedElement` for an element
    ///   that is not one of the five states.
    public init(element: XMLElement) throws(StanzaParseError) {
        guard element.name.namespace == Self.namespace, let state = ChatState(rawValue: element.name.localName) else {
            throw .unexpectedElement(element.name)
        }
        self = state
    }

    /// The state's element.
    public var element: XMLElement { XMLElement(rawValue, namespace: Self.namespace) }
}
