extension XMPPConnection.Configuration {
    /// Which SASL mechanisms a connection may use, strongest first.
    ///
    /// The server's order never matters; the first mechanism in
    /// ``allowedMechanisms`` that the server offers is used, and when it
    /// fails no other is tried (a typo in a password must never walk the
    /// connection down to a weaker mechanism).
    public struct Authentication: Hashable, Sendable, CustomStringConvertible {
        /// The mechanisms that may be used, in order of preference.
        public var allowedMechanisms: [SASLMechanismName]
        /// Whether PLAIN may be used at all; it is never used without TLS.
        public var allowsPlain: Bool
        /// The SCRAM iteration counts accepted from the server.
        public var scramIterationRange: ClosedRange<Int>
        /// The identity to act as, when it differs from the JID; usually `nil`.
        public var authorizationIdentity: String?

        /// Creates the options; the defaults are SCRAM (with channel binding
        /// when possible) before PLAIN.
        /// - Parameters:
        ///   - allowedMechanisms: The mechanisms, in order of preference.
        ///   - allowsPlain: Whether PLAIN may be used (over TLS only).
        ///   - scramIterationRange: The SCRAM iteration counts accepted.
        ///   - authorizationIdentity: The identity to act as.
        public init(
            allowedMechanisms: [SASLMechanismName] = SASLConfiguration.defaultMechanisms,
            allowsPlain: Bool = true,
            scramIterationRange: ClosedRange<Int> = 4096...1_000_000,
            authorizationIdentity: String? = nil
        ) {
            self.allowedMechanisms = allowedMechanisms
            self.allowsPlain = allowsPlain
            self.scramIterationRange = scramIterationRange
            self.authorizationIdentity = authorizationIdentity
        }

        /// The mechanisms and options, for logs.
        public var description: String {
            let names = allowedMechanisms.map(\.name).joined(separator: ",")
            return "Authentication(mechanisms: [\(names)], allowsPlain: \(allowsPlain), "
                + "scramIterationRange: \(scramIterationRange))"
        }
    }
}
