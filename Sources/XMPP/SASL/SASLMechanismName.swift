/// The name of a SASL mechanism, as registered with IANA and listed in the
/// server's `<mechanisms/>` feature.
public struct SASLMechanismName: Hashable, Sendable, CustomStringConvertible {
    /// The registered name, such as `SCRAM-SHA-256`.
    public let name: String

    /// A mechanism by name. Names are compared exactly: RFC 4422 §3.1 makes
    /// them upper case, and a server offering `scram-sha-1` offers nothing we
    /// implement.
    public init(_ name: String) { self.name = name }

    /// SCRAM-SHA-512 with channel binding (draft-melnikov-scram-sha-512).
    public static let scramSHA512Plus = SASLMechanismName("SCRAM-SHA-512-PLUS")
    /// SCRAM-SHA-256 with channel binding (RFC 7677).
    public static let scramSHA256Plus = SASLMechanismName("SCRAM-SHA-256-PLUS")
    /// SCRAM-SHA-1 with channel binding (RFC 5802).
    public static let scramSHA1Plus = SASLMechanismName("SCRAM-SHA-1-PLUS")
    /// SCRAM-SHA-512 (draft-melnikov-scram-sha-512).
    public static let scramSHA512 = SASLMechanismName("SCRAM-SHA-512")
    /// SCRAM-SHA-256 (RFC 7677).
    public static let scramSHA256 = SASLMechanismName("SCRAM-SHA-256")
    /// SCRAM-SHA-1 (RFC 5802).
    public static let scramSHA1 = SASLMechanismName("SCRAM-SHA-1")
    /// PLAIN (RFC 4616): the password in the clear, so only ever over TLS.
    public static let plain = SASLMechanismName("PLAIN")
    /// ANONYMOUS (RFC 4505): no credentials; used only when configured.
    public static let anonymous = SASLMechanismName("ANONYMOUS")
    /// EXTERNAL (RFC 4422 Appendix A): a TLS client certificate; used only
    /// when configured.
    public static let external = SASLMechanismName("EXTERNAL")

    /// The registered name.
    public var description: String { name }
}
