public import XMPPCore

/// The top-level elements the server sends on an established session
/// (stanzas, and any other element such as Stream Management's), in
/// arrival order.
///
/// IQs are the exception, since each must be answered exactly once:
/// - requests (`get`, `set`) never appear here. A handler registered with
///   ``XMPPConnection/handleIQ(namespace:localName:_:)`` answers them, or
///   the connection answers `service-unavailable`;
/// - responses (`result`, `error`) to ``XMPPConnection/request(_:to:timeout:)``
///   complete that call and do not appear here, nor do spoofed or late
///   ones; responses to IQs sent with ``XMPPConnection/send(_:)-(IQ)`` do;
/// - an IQ that does not parse is dropped (a request is answered with an
///   error).
///
/// The sequence finishes when the connection ends: normally after a close
/// the application asked for, or by throwing the ``XMPPClientError`` that
/// ended it (a stream error, the server closing the stream, a dropped
/// connection). It has one consumer: iterate it from one task at a time.
/// Cancelling the task that iterates ends the sequence for good (that is
/// how `AsyncThrowingStream` behaves); the session itself stays up until
/// the `withConnection` body returns.
///
/// Elements are buffered without bound until they are consumed, so a
/// session whose application never reads them grows; read them, or end the
/// session.
public struct XMPPInboundStream: AsyncSequence, Sendable {
    /// A top-level element of the stream.
    public typealias Element = XMLElement
    /// The error that ended the session, an ``XMPPClientError``.
    public typealias Failure = any Error

    private let base: AsyncThrowingStream<XMLElement, any Error>

    init(_ base: AsyncThrowingStream<XMLElement, any Error>) {
        self.base = base
    }

    /// Makes the iterator; call it once.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator())
    }

    /// Iterates the inbound elements.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private var base: AsyncThrowingStream<XMLElement, any Error>.AsyncIterator

        init(base: AsyncThrowingStream<XMLElement, any Error>.AsyncIterator) {
            self.base = base
        }

        /// The next element, or `nil` once the session ended normally or
        /// the task was cancelled.
        /// - Throws: The ``XMPPClientError`` that ended the session.
        public mutating func next() async throws -> XMLElement? {
            try await base.next()
        }

        /// The next element, running in the caller's isolation.
        /// - Throws: The ``XMPPClientError`` that ended the session.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(any Error) -> XMLElement? {
            try await base.next(isolation: actor)
        }
    }
}
