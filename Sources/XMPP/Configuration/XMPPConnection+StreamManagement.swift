extension XMPPConnection.Configuration {
    /// XEP-0198 stream management: acknowledgements of the stanzas each
    /// side sent, so that the client learns which of its stanzas reached
    /// the server (``XMPPConnection/sendAcknowledged(_:)-(XMLElement)``) and
    /// the server learns which of its stanzas the client handled.
    ///
    /// On by default. When the server offers `<sm xmlns='urn:xmpp:sm:3'/>`,
    /// the connection writes `<enable/>` after resource binding and waits
    /// for the answer before your code runs, so
    /// ``XMPPConnection/isStreamManagementEnabled`` is settled from the
    /// start. Off (``isEnabled`` `false`), nothing about stream management
    /// is written, and its elements, should a server send any, reach the
    /// subscriptions like any other element, exactly as before.
    ///
    /// **Acknowledgements only, no resumption.** The `<enable/>` does not ask
    /// for `resume='true'`: a scoped connection
    /// (``XMPPConnection/withConnection(configuration:eventLoopGroup:logger:isolation:_:)``)
    /// ends with its connection and never reconnects, so a resumable session
    /// would only make the server keep an orphaned session (and queue
    /// messages for it) for its resumption window after every disconnect.
    /// Stanzas that were not acknowledged when the session ends are
    /// reported (``XMPPClientError/Code/notAcknowledged``), never silently
    /// forgotten.
    ///
    /// ```swift
    /// var configuration = XMPPConnection.Configuration(jid: try BareJID("alice@example.com"), password: "secret")
    /// configuration.streamManagement.ackRequestThreshold = 10
    /// configuration.streamManagement.ackRequestDelay = .seconds(2)
    /// ```
    public struct StreamManagement: Hashable, Sendable, CustomStringConvertible {
        /// Whether to enable stream management when the server offers it.
        /// Default `true`.
        public var isEnabled: Bool
        /// Ask the server for an acknowledgement (`<r/>`) once this many
        /// stanzas were sent since the last request. Default 100; at least 1.
        /// A stanza sent with ``XMPPConnection/sendAcknowledged(_:)-(XMLElement)``
        /// is always followed by a request at once, since someone waits for it.
        ///
        /// Each request costs both ends a record and the server an answer:
        /// asking every 5th stanza took two thirds of a bulk sender's CPU
        /// (Benchmarks/README.md). Lower it only to trim the queue sooner;
        /// the delay rule still covers a few stanzas sent now and then.
        public var ackRequestThreshold: Int
        /// Ask the server for an acknowledgement once the oldest stanza that
        /// no request covers has waited this long, however few were sent.
        /// Default 5 seconds; must be positive.
        public var ackRequestDelay: Duration
        /// How long the answer to the server's `<r/>` may wait: it goes
        /// out once this passed or ``ackAnswerThreshold`` more stanzas
        /// arrived, whichever is first, and counts all handled by then.
        /// Default 100 ms; `.zero` answers every request at once.
        ///
        /// A server that asks again as soon as it reads an answer (Prosody)
        /// otherwise exchanges an `<r/>` and an `<a h/>` per read on a busy
        /// stream. The cost of waiting: if the connection is lost before
        /// the answer and the session is not resumed, the server may
        /// deliver those stanzas again elsewhere (offline storage, another
        /// resource), as it does with any it had no answer for.
        public var ackAnswerDelay: Duration
        /// How many stanzas arriving after the server's `<r/>` make the
        /// answer go out before ``ackAnswerDelay`` passed, so that the
        /// server's queue of unacknowledged stanzas stays short. Default
        /// 100; at least 1.
        public var ackAnswerThreshold: Int
        /// The most stanzas that may wait for an acknowledgement. Beyond it,
        /// ``XMPPConnection/send(_:)-(XMLElement)`` and
        /// ``XMPPConnection/sendAcknowledged(_:)-(XMLElement)`` wait for the
        /// server's next `<a/>` (back-pressure), while other writes (IQ
        /// requests) fail with ``XMPPClientError/Code/unacknowledgedLimitReached``
        /// and are not written; nothing is ever dropped to make room.
        /// Default 1,000; at least 1.
        public var maximumUnacknowledged: Int

        /// Creates the options; the defaults enable acknowledgements.
        /// - Parameters:
        ///   - isEnabled: Whether to enable stream management when offered.
        ///   - ackRequestThreshold: Stanzas sent between ack requests.
        ///   - ackRequestDelay: The longest a stanza waits before an ack request.
        ///   - ackAnswerDelay: The longest the answer to the server's `<r/>` waits.
        ///   - ackAnswerThreshold: Stanzas arriving after `<r/>` that send the answer at once.
        ///   - maximumUnacknowledged: The most stanzas waiting for an acknowledgement.
        public init(
            isEnabled: Bool = true,
            ackRequestThreshold: Int = 100,
            ackRequestDelay: Duration = .seconds(5),
            ackAnswerDelay: Duration = .milliseconds(100),
            ackAnswerThreshold: Int = 100,
            maximumUnacknowledged: Int = 1_000
        ) {
            self.isEnabled = isEnabled
            self.ackRequestThreshold = ackRequestThreshold
            self.ackRequestDelay = ackRequestDelay
            self.ackAnswerDelay = ackAnswerDelay
            self.ackAnswerThreshold = ackAnswerThreshold
            self.maximumUnacknowledged = maximumUnacknowledged
        }

        /// Stream management switched off: nothing changes on the wire.
        public static var disabled: StreamManagement { StreamManagement(isEnabled: false) }

        /// The options, for logs.
        public var description: String {
            guard isEnabled else { return "StreamManagement(disabled)" }
            return "StreamManagement(ackRequestThreshold: \(ackRequestThreshold), ackRequestDelay: \(ackRequestDelay), "
                + "ackAnswerDelay: \(ackAnswerDelay), ackAnswerThreshold: \(ackAnswerThreshold), "
                + "maximumUnacknowledged: \(maximumUnacknowledged))"
        }

        /// The ledger's configuration, or `nil` when switched off.
        /// - Throws: ``XMPPClientError/Code/invalidConfiguration`` for a
        ///   threshold or a limit below 1, a request delay that is not
        ///   positive or a negative answer delay.
        /// - Parameter requestsResumption: Whether `<enable/>` asks for
        ///   resumption (only a reconnecting ``XMPPClient`` does).
        func ledgerConfiguration(requestsResumption: Bool = false) throws(XMPPClientError) -> StreamManagementConfiguration? {
            guard isEnabled else { return nil }
            guard ackRequestThreshold >= 1 else {
                throw .invalidConfiguration("streamManagement.ackRequestThreshold is below 1")
            }
            guard ackRequestDelay > .zero else {
                throw .invalidConfiguration("streamManagement.ackRequestDelay is not positive")
            }
            guard ackAnswerDelay >= .zero else {
                throw .invalidConfiguration("streamManagement.ackAnswerDelay is negative")
            }
            guard ackAnswerThreshold >= 1 else {
                throw .invalidConfiguration("streamManagement.ackAnswerThreshold is below 1")
            }
            guard (1...(1 << 30)).contains(maximumUnacknowledged) else {
                throw .invalidConfiguration("streamManagement.maximumUnacknowledged is not between 1 and 2^30")
            }
            // No resumption for scoped connections: see the type's documentation.
            return StreamManagementConfiguration(
                maximumUnacknowledged: maximumUnacknowledged,
                ackRequestThreshold: ackRequestThreshold,
                ackRequestDelay: ackRequestDelay,
                ackAnswerDelay: ackAnswerDelay,
                ackAnswerThreshold: ackAnswerThreshold,
                requestsResumption: requestsResumption)
        }
    }
}
