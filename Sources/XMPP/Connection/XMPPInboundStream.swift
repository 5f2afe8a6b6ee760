public import XMPPCore

/// A subscription to top-level elements the server sends on an established
/// session (stanzas, and any other element such as Stream Management's), in
/// arrival order; made by ``XMPPConnection/elements(where:)``.
///
/// The sequence finishes when the connection ends: normally after a close
/// the application asked for, or by throwing the ``XMPPClientError`` that
/// ended it (a stream error, the server closing the stream, a dropped
/// connection). It has one consumer: iterate it from one task at a time.
/// Cancelling the task that iterates ends the subscription for good (what
/// was buffered for it is dropped); the session itself stays up until the
/// `withConnection` body returns.
///
/// Elements are buffered without bound until they are consumed, so a
/// subscription whose consumer stops reading grows; read it, or let it go
/// (dropping the sequence and its iterator ends the subscription).
public struct XMPPInboundStream: AsyncSequence, Sendable {
    /// A top-level element of the stream.
    public typealias Element = XMLElement
    /// The error that ended the session, an ``XMPPClientError``.
    public typealias Failure = any Error

    private let base: InboundElements

    init(_ base: InboundElements) {
        self.base = base
    }

    /// Makes the iterator; call it once.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator())
    }

    /// Iterates the inbound elements.
    public struct AsyncIterator: AsyncIteratorProtocol {
        @usableFromInline
        var base: InboundElements.Iterator

        init(base: InboundElements.Iterator) {
            self.base = base
        }

        /// The next element, or `nil` once the session ended normally or
        /// the task was cancelled.
        /// - Throws: The ``XMPPClientError`` that ended the session.
        @inlinable
        public mutating func next() async throws -> XMLElement? {
            try await next(isolation: nil)
        }

        /// The next element, running in the caller's isolation;
        /// inlinable, like ``XMPPStanzaStream/AsyncIterator/next(isolation:)``.
        /// - Throws: The ``XMPPClientError`` that ended the session.
        @inlinable
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(any Error) -> XMLElement? {
            // What is queued is taken without awaiting the queue.
            if let ready = base.nextReady() { return try ready.get() }
            return try await base.next(isolation: actor)
        }
    }
}
