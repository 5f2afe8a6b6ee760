public import XMPPCore

extension XMPPClient {
    /// What an ``XMPPClient`` connects to and how it behaves around
    /// reconnections.
    ///
    /// ```swift
    /// var configuration = XMPPClient.Configuration(
    ///     connection: XMPPConnection.Configuration(jid: try BareJID("bot@example.com"), password: "secret"))
    /// configuration.reconnect.maximumDelay = .seconds(30)
    /// configuration.initialPresence = Presence(show: .chat, status: "Ready")
    /// ```
    public struct Configuration: Sendable, CustomStringConvertible {
        /// The account, the server, TLS, timeouts and XEP-0198 options of
        /// every connection. Stream management should stay on: without it
        /// no session can be resumed, and stanzas in flight when a
        /// connection drops are not known to be delivered.
        public var connection: XMPPConnection.Configuration
        /// When to try again after a failure.
        public var reconnect: ReconnectPolicy
        /// Sent at the start of every new session (not after a resumption,
        /// which keeps the presence the server had); `nil` sends none.
        /// Default: available, without show or status.
        public var initialPresence: Presence?
        /// The most stanzas kept while no session is up (sent once one
        /// is); one more send fails with
        /// ``XMPPClientError/Code/unacknowledgedLimitReached``. Default
        /// 1,000; at least 1.
        public var maximumQueuedStanzas: Int

        /// Creates a configuration.
        /// - Parameters:
        ///   - connection: The account and connection options.
        ///   - reconnect: When to try again after a failure.
        ///   - initialPresence: Sent at the start of every new session.
        ///   - maximumQueuedStanzas: The most stanzas kept while disconnected.
        public init(
            connection: XMPPConnection.Configuration,
            reconnect: ReconnectPolicy = ReconnectPolicy(),
            initialPresence: Presence? = Presence(),
            maximumQueuedStanzas: Int = 1_000
        ) {
            self.connection = connection
            self.reconnect = reconnect
            self.initialPresence = initialPresence
            self.maximumQueuedStanzas = maximumQueuedStanzas
        }

        /// The configuration, with the password redacted.
        public var description: String {
            let presence: String
            if let initialPresence {
                presence = "\(initialPresence.type)"
            } else {
                presence = "none"
            }
            return "XMPPClient.Configuration(connection: \(connection), reconnect: \(reconnect), "
                + "initialPresence: \(presence), maximumQueuedStanzas: \(maximumQueuedStanzas))"
        }

        /// Throws ``XMPPClientError/Code/invalidConfiguration`` for values
        /// out of range.
        func validate() throws(XMPPClientError) {
            try reconnect.validate()
            guard maximumQueuedStanzas >= 1 else { throw .invalidConfiguration("maximumQueuedStanzas is below 1") }
            _ = try connection.sessionConfiguration()
        }
    }
}
