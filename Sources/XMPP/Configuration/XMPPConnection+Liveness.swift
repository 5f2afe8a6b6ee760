extension XMPPConnection.Configuration {
    /// How an established session notices that its connection died: a peer
    /// that vanished without closing (a half-open TCP connection), or a
    /// network that silently drops our bytes or the server's.
    ///
    /// On by default. Three rules run while the session is established:
    /// - **Whitespace keepalive.** After ``whitespaceKeepaliveInterval``
    ///   without writing anything, a single space is written between
    ///   stanzas (RFC 6120 §4.6.1), so idle connections are not dropped by
    ///   NATs or firewalls.
    /// - **Silence probe.** After ``probeAfterSilence`` without reading
    ///   anything (whitespace counts), the connection asks the server for a
    ///   sign of life: an `<r/>` when XEP-0198 acknowledgements are on,
    ///   else a XEP-0199 ping to the server, whose answer (a result or an
    ///   error) never reaches your subscriptions. When nothing arrives
    ///   within ``probeTimeout``, the session ends with
    ///   ``XMPPClientError/Code/peerUnresponsive``.
    /// - **Ack deadline.** With acknowledgements on, every `<r/>` the
    ///   connection writes must be answered by an `<a/>` within
    ///   ``probeTimeout``, or the session ends with
    ///   ``XMPPClientError/Code/peerUnresponsive`` too. This catches a
    ///   network that swallows our bytes while the server's still arrive.
    ///
    /// A dead connection is thus noticed within ``probeAfterSilence`` plus
    /// ``probeTimeout`` (two minutes by default). The session ends as on
    /// any other lost connection: it is closed at once (no waiting for the
    /// server's close), IQ requests in flight fail, and, unless the XEP-0198
    /// session is resumed on a new connection, stanzas sent with
    /// ``XMPPConnection/sendAcknowledged(_:)-(XMLElement)`` that were not
    /// acknowledged fail with ``XMPPClientError/Code/notAcknowledged``.
    ///
    /// ```swift
    /// var configuration = XMPPConnection.Configuration(jid: try BareJID("alice@example.com"), password: "secret")
    /// configuration.liveness.whitespaceKeepaliveInterval = .seconds(30)   // a NAT that forgets after a minute
    /// configuration.liveness.probeAfterSilence = .seconds(60)
    /// configuration.liveness.probeTimeout = .seconds(15)
    /// ```
    public struct Liveness: Hashable, Sendable, CustomStringConvertible {
        /// Whether the rules run at all. Default `true`; ``disabled``
        /// switches everything off.
        public var isEnabled: Bool
        /// Write a single space after this long without writing anything.
        /// Default 60 seconds; `nil` writes no keepalives; must be positive.
        public var whitespaceKeepaliveInterval: Duration?
        /// Probe the server after this long without reading anything.
        /// Default 90 seconds; `nil` never probes on silence (the ack
        /// deadline still applies); must be positive.
        public var probeAfterSilence: Duration?
        /// How long a probe, or any `<r/>`, waits for an answer before the
        /// session ends with ``XMPPClientError/Code/peerUnresponsive``.
        /// Default 30 seconds; must be positive.
        public var probeTimeout: Duration

        /// Creates the options; the defaults turn every rule on.
        /// - Parameters:
        ///   - isEnabled: Whether the rules run.
        ///   - whitespaceKeepaliveInterval: Idle time before a keepalive space; `nil` for none.
        ///   - probeAfterSilence: Silence before a probe; `nil` for none.
        ///   - probeTimeout: How long a probe or an `<r/>` waits for its answer.
        public init(
            isEnabled: Bool = true,
            whitespaceKeepaliveInterval: Duration? = .seconds(60),
            probeAfterSilence: Duration? = .seconds(90),
            probeTimeout: Duration = .seconds(30)
        ) {
            self.isEnabled = isEnabled
            self.whitespaceKeepaliveInterval = whitespaceKeepaliveInterval
            self.probeAfterSilence = probeAfterSilence
            self.probeTimeout = probeTimeout
        }

        /// Liveness switched off: no keepalives, no probes, no ack deadline;
        /// a dead connection is noticed only when the operating system
        /// reports it.
        public static var disabled: Liveness { Liveness(isEnabled: false) }

        /// The options, for logs.
        public var description: String {
            guard isEnabled else { return "Liveness(disabled)" }
            return "Liveness(whitespaceKeepaliveInterval: \(whitespaceKeepaliveInterval.map { "\($0)" } ?? "off"), "
                + "probeAfterSilence: \(probeAfterSilence.map { "\($0)" } ?? "off"), probeTimeout: \(probeTimeout))"
        }

        /// The monitor's configuration, or `nil` when switched off.
        /// - Throws: ``XMPPClientError/Code/invalidConfiguration`` for a
        ///   duration that is not positive.
        func monitorConfiguration() throws(XMPPClientError) -> LivenessMonitor.Configuration? {
            guard isEnabled else { return nil }
            if let interval = whitespaceKeepaliveInterval, interval <= .zero {
                throw .invalidConfiguration("liveness.whitespaceKeepaliveInterval is not positive")
            }
            if let silence = probeAfterSilence, silence <= .zero {
                throw .invalidConfiguration("liveness.probeAfterSilence is not positive")
            }
            guard probeTimeout > .zero else {
                throw .invalidConfiguration("liveness.probeTimeout is not positive")
            }
            return LivenessMonitor.Configuration(
                keepaliveInterval: whitespaceKeepaliveInterval,
                probeAfterSilence: probeAfterSilence,
                probeTimeout: probeTimeout)
        }
    }
}
