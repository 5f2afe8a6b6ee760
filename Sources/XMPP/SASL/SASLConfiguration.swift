/// How the client authenticates: the credentials and which SASL mechanisms
/// it may use, part of the connection configuration.
///
/// The password is never part of a description or log message; the
/// `description` of this type redacts it.
public struct SASLConfiguration: Sendable, CustomStringConvertible {
    /// The authentication identity: the localpart of the JID, as RFC 6120
    /// §6.3.7 asks for simple user names. It is sent as-is (JID parsing has
    /// already applied the PRECIS UsernameCaseMapped profile).
    public var username: String
    /// The password; `nil` for ANONYMOUS and EXTERNAL, which need none.
    public var password: String?
    /// The identity to act as, if different from the one authenticated;
    /// `nil` (the usual case) lets the server derive it.
    public var authorizationIdentity: String?
    /// The mechanisms we may use, strongest first. The server's order never
    /// matters: we pick the first entry here that it offers and we can run.
    public var allowedMechanisms: [SASLMechanismName]
    /// Whether PLAIN may be used at all. Even when true, PLAIN is never used
    /// on a stream without TLS.
    public var allowsPlain: Bool
    /// The iteration counts we accept from a SCRAM server. The lower bound
    /// refuses weakly stored verifiers (RFC 7677 asks for at least 4096);
    /// the upper bound stops a hostile server from burning our CPU.
    public var scramIterationRange: ClosedRange<Int>

    /// The default preference: SCRAM with channel binding first, then plain
    /// SCRAM, then PLAIN (over TLS only). ANONYMOUS and EXTERNAL are absent:
    /// they are used only when listed explicitly.
    public static let defaultMechanisms: [SASLMechanismName] = [
        .scramSHA512Plus, .scramSHA256Plus, .scramSHA1Plus,
        .scramSHA512, .scramSHA256, .scramSHA1,
        .plain,
    ]

    /// Creates a configuration.
    /// - Parameters:
    ///   - username: The JID localpart.
    ///   - password: The password, or `nil` for ANONYMOUS and EXTERNAL.
    ///   - authorizationIdentity: The identity to act as; usually `nil`.
    ///   - allowedMechanisms: Mechanisms in order of preference.
    ///   - allowsPlain: Whether PLAIN may be used (over TLS only).
    ///   - scramIterationRange: SCRAM iteration counts we accept.
    public init(
        username: String,
        password: String?,
        authorizationIdentity: String? = nil,
        allowedMechanisms: [SASLMechanismName] = SASLConfiguration.defaultMechanisms,
        allowsPlain: Bool = true,
        scramIterationRange: ClosedRange<Int> = 4096...1_000_000
    ) {
        self.username = username
        self.password = password
        self.authorizationIdentity = authorizationIdentity
        self.allowedMechanisms = allowedMechanisms
        self.allowsPlain = allowsPlain
        self.scramIterationRange = scramIterationRange
    }

    /// The configuration without the password, which shows only as
    /// present or absent.
    public var description: String {
        let mechanisms = allowedMechanisms.map(\.name).joined(separator: ",")
        return "SASLConfiguration(username: \(username), password: \(password == nil ? "none" : "<redacted>"), "
            + "authorizationIdentity: \(authorizationIdentity ?? "none"), mechanisms: [\(mechanisms)], "
            + "allowsPlain: \(allowsPlain), scramIterationRange: \(scramIterationRange))"
    }
}
