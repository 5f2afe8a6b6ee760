import XMPP
import XMPPCore

/// A subscription to inbound ``ChatMessage``s, made by
/// ``Chat/messages(from:)``.
///
/// It ends like ``XMPPInboundStream``: normally after a close the
/// application asked for, or by throwing the ``XMPPClientError`` that
/// ended the session; cancelling the iterating task ends this
/// subscription only. One consumer; unbounded buffering until consumed.
public struct ChatMessageStream: AsyncSequence, Sendable {
    /// A message.
    public typealias Element = ChatMessage
    /// The error that ended the session, an ``XMPPClientError``.
    public typealias Failure = any Error

    private let elements: XMPPInboundStream
    private let chat: Chat

    init(elements: XMPPInboundStream, chat: Chat) {
        self.elements = elements
        self.chat = chat
    }

    /// Makes the iterator; call it once.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(elements: elements.makeAsyncIterator(), chat: chat)
    }

    /// Iterates the messages.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private var elements: XMPPInboundStream.AsyncIterator
        private let chat: Chat

        init(elements: XMPPInboundStream.AsyncIterator, chat: Chat) {
            self.elements = elements
            self.chat = chat
        }

        /// The next message, or `nil` once the session ended normally or
        /// the task was cancelled.
        /// - Throws: The ``XMPPClientError`` that ended the session.
        public mutating func next() async throws -> ChatMessage? {
            while let element = try await elements.next() {
                if let message = await chat.received(element) { return message }
            }
            return nil
        }

        /// The next message, running in the caller's isolation.
        /// - Throws: The ``XMPPClientError`` that ended the session.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(any Error) -> ChatMessage? {
            while let element = try await elements.next(isolation: actor) {
                if let message = await chat.received(element) { return message }
            }
            return nil
        }
    }
}
