extension XMPPConnection.Configuration {
    /// The deadlines of connecting, negotiating, closing and IQ requests.
    /// Each step has its own, so a slow step fails with the step's name
    /// (``XMPPClientError/step``) instead of hanging.
    public struct Timeouts: Hashable, Sendable, CustomStringConvertible {
        /// Resolving and connecting to one endpoint (TCP).
        public var connect: Duration
        /// A TLS handshake: on a direct-TLS endpoint, and after `<proceed/>`.
        public var tlsHandshake: Duration
        /// Each negotiation step that waits for one answer: the stream header
        /// and features (after connecting, after TLS, after authentication),
        /// the answer to `<starttls/>`, resource binding and the RFC 3921
        /// session.
        public var negotiationStep: Duration
        /// The whole SASL exchange, from `<auth/>` to `<success/>`.
        public var authentication: Duration
        /// How long a clean close waits for the server's `</stream:stream>`
        /// before closing the connection anyway.
        public var close: Duration
        /// How long an IQ request (``XMPPConnection/request(_:to:timeout:)``)
        /// waits for its answer unless the call says otherwise; then it fails
        /// with ``XMPPClientError/Code/timeout`` and step
        /// ``XMPPClientError/Step/iqRequest``, and the session goes on.
        public var iq: Duration

        /// Creates deadlines; by default 10 seconds per step, 5 seconds for
        /// closing and 30 seconds for an IQ request.
        /// - Parameters:
        ///   - connect: Connecting to one endpoint.
        ///   - tlsHandshake: One TLS handshake.
        ///   - negotiationStep: Each negotiation step.
        ///   - authentication: The SASL exchange.
        ///   - close: Waiting for the server's stream close.
        ///   - iq: Waiting for the answer to an IQ request.
        public init(
            connect: Duration = .seconds(10),
            tlsHandshake: Duration = .seconds(10),
            negotiationStep: Duration = .seconds(10),
            authentication: Duration = .seconds(10),
            close: Duration = .seconds(5),
            iq: Duration = .seconds(30)
        ) {
            self.connect = connect
            self.tlsHandshake = tlsHandshake
            self.negotiationStep = negotiationStep
            self.authentication = authentication
            self.close = close
            self.iq = iq
        }

        /// The deadline of `step`.
        func duration(of step: XMPPClientError.Step) -> Duration {
            switch step {
            case .tlsHandshake: tlsHandshake
            case .authentication: authentication
            case .closing: close
            case .iqRequest: iq
            default: negotiationStep
            }
        }

        /// The deadlines, for logs.
        public var description: String {
            "Timeouts(connect: \(connect), tlsHandshake: \(tlsHandshake), negotiationStep: \(negotiationStep), "
                + "authentication: \(authentication), close: \(close), iq: \(iq))"
        }
    }
}
