public import Logging
public import XMPPCore

/// A subscription to inbound stanzas of one kind (``Message`` or
/// ``Presence``), parsed; made by ``XMPPConnection/messages(from:)`` and
/// ``XMPPConnection/presences(from:)``.
///
/// It ends like ``XMPPInboundStream``: normally after a close the
/// application asked for, or by throwing the ``XMPPClientError`` that ended
/// the session. Stanzas that do not parse are skipped and logged at
/// `debug`. One consumer; unbounded buffering until consumed.
public struct XMPPStanzaStream<Kind: Stanza>: AsyncSequence, Sendable {
    /// A parsed stanza.
    public typealias Element = Kind
    /// The error that ended the session, an ``XMPPClientError``.
    public typealias Failure = any Error

    private let base: InboundElements
    private let logger: Logger

    init(_ base: InboundElements, logger: Logger) {
        self.base = base
        self.logger = logger
    }

    /// Makes the iterator; call it once.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), logger: logger)
    }

    /// Iterates the stanzas.
    public struct AsyncIterator: AsyncIteratorProtocol {
        @usableFromInline
        var base: InboundElements.Iterator
        @usableFromInline
        let logger: Logger

        init(base: InboundElements.Iterator, logger: Logger) {
            self.base = base
            self.logger = logger
        }

        /// The next stanza, or `nil` once the session ended normally or the
        /// task was cancelled.
        /// - Throws: The ``XMPPClientError`` that ended the session.
        @inlinable
        public mutating func next() async throws -> Kind? {
            try await next(isolation: nil)
        }

        /// The next stanza, running in the caller's isolation.
        ///
        /// Inlinable, so that the caller's module specialises it for the
        /// stanza kind: generic, each stanza was parsed through the protocol
        /// and copied and destroyed through its value witnesses, a tenth of
        /// the library's cost per received message.
        /// - Throws: The ``XMPPClientError`` that ended the session.
        @inlinable
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(any Error) -> Kind? {
            while true {
                // What is queued is taken without awaiting the queue: an
                // await per stanza costs an executor check.
                let next: XMLElement?
                if let ready = base.nextReady() {
                    next = try ready.get()
                } else {
                    next = try await base.next(isolation: actor)
                }
                guard let element = next else { return nil }
                do throws(StanzaParseError) {
                    return try Kind(element: element, namespace: XMLNamespace.client)
                } catch {
                    skipped(element, error)
                }
            }
        }

        /// Logs a stanza that does not parse, which the stream skips.
        @usableFromInline
        func skipped(_ element: XMLElement, _ error: StanzaParseError) {
            logger.debug(
                "XMPP inbound stanza skipped: it does not parse",
                metadata: [XMPPLoggingKey.element: "\(element.name)", XMPPLoggingKey.error: "\(error)"])
        }
    }
}
