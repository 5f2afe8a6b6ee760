/// Why SASL authentication failed.
///
/// Either the server refused us (``serverFailure(condition:text:)``, with an
/// RFC 6120 §6.5 condition such as `not-authorized`), or we refused the
/// server: nothing acceptable was offered, or its SCRAM messages were
/// malformed or could not be verified. After any of these the session ends;
/// no other mechanism is tried (so a typo never walks us down to PLAIN).
///
/// The description never contains the password, derived keys or raw
/// challenge data: only fixed words, field names and the server's condition.
public struct SASLError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Kind: Hashable, Sendable {
        case noAcceptableMechanism
        case plainWithoutTLS
        case serverFailure(condition: String, text: String?)
        case scramServerError(String)
        case invalidServerNonce
        case invalidServerSignature
        case missingServerSignature
        case iterationCountOutOfRange(Int)
        case malformedChallenge(String)
        case invalidBase64
        case unexpectedElement
        case channelBindingUnavailable
        case cryptoFailure
        case invalidCredentials
    }

    private let kind: Kind

    private init(_ kind: Kind) { self.kind = kind }

    /// The server offered no mechanism we are configured and able to use.
    public static let noAcceptableMechanism = SASLError(.noAcceptableMechanism)
    /// PLAIN was the only choice but the stream is not encrypted.
    public static let plainWithoutTLS = SASLError(.plainWithoutTLS)
    /// The SCRAM server nonce does not extend our client nonce.
    public static let invalidServerNonce = SASLError(.invalidServerNonce)
    /// The SCRAM server signature does not prove that the server knows our
    /// credentials: a possible impostor.
    public static let invalidServerSignature = SASLError(.invalidServerSignature)
    /// The server reported success without a SCRAM server signature we
    /// could verify.
    public static let missingServerSignature = SASLError(.missingServerSignature)
    /// A challenge or success payload was not valid base64.
    public static let invalidBase64 = SASLError(.invalidBase64)
    /// The server sent an element that does not fit this point of the exchange.
    public static let unexpectedElement = SASLError(.unexpectedElement)
    /// Channel binding was required but no usable binding data exists.
    public static let channelBindingUnavailable = SASLError(.channelBindingUnavailable)
    /// The cryptographic library failed (random source, hash or KDF).
    public static let cryptoFailure = SASLError(.cryptoFailure)
    /// The configured user name, authorization identity or password cannot
    /// be sent (empty, or containing NUL).
    public static let invalidCredentials = SASLError(.invalidCredentials)

    /// The server answered `<failure/>` with an RFC 6120 §6.5 condition
    /// (such as `not-authorized`) and an optional human-readable text.
    public static func serverFailure(condition: String, text: String?) -> SASLError {
        SASLError(.serverFailure(condition: condition, text: text))
    }

    /// The SCRAM server-final message carried `e=` with this error value
    /// (RFC 5802 §7, such as `invalid-proof`).
    public static func scramServerError(_ value: String) -> SASLError {
        SASLError(.scramServerError(value))
    }

    /// The SCRAM iteration count is outside the configured range.
    public static func iterationCountOutOfRange(_ count: Int) -> SASLError {
        SASLError(.iterationCountOutOfRange(count))
    }

    /// A SCRAM message is malformed; `field` names the part (for example
    /// `"r"` or `"server-first-message"`), never its content.
    public static func malformedChallenge(_ field: String) -> SASLError {
        SASLError(.malformedChallenge(field))
    }

    /// The RFC 6120 §6.5 condition of a server `<failure/>`, such as
    /// `not-authorized`; `nil` for failures we detected ourselves.
    public var serverCondition: String? {
        if case .serverFailure(let condition, _) = kind { return condition }
        return nil
    }

    /// The text of a server `<failure/>`, if it had one.
    public var serverText: String? {
        if case .serverFailure(_, let text) = kind { return text }
        return nil
    }

    /// A short description such as `"SASL failure: not-authorized"`.
    public var description: String {
        switch kind {
        case .noAcceptableMechanism: "SASL: no acceptable mechanism offered"
        case .plainWithoutTLS: "SASL: PLAIN refused on an unencrypted stream"
        case .serverFailure(let condition, let text):
            if let text { "SASL failure: \(condition) (\(Self.printable(text)))" } else { "SASL failure: \(condition)" }
        case .scramServerError(let value): "SASL: SCRAM server error \(value)"
        case .invalidServerNonce: "SASL: SCRAM server nonce does not extend the client nonce"
        case .invalidServerSignature: "SASL: SCRAM server signature is invalid"
        case .missingServerSignature: "SASL: success without a verifiable SCRAM server signature"
        case .iterationCountOutOfRange(let count): "SASL: SCRAM iteration count \(count) out of range"
        case .malformedChallenge(let field): "SASL: malformed SCRAM message (\(field))"
        case .invalidBase64: "SASL: invalid base64 from the server"
        case .unexpectedElement: "SASL: unexpected element"
        case .channelBindingUnavailable: "SASL: channel binding unavailable"
        case .cryptoFailure: "SASL: cryptographic operation failed"
        case .invalidCredentials: "SASL: the configured credentials cannot be encoded"
        }
    }

    /// Server text, shortened and without control characters, so a hostile
    /// server cannot flood or forge log lines through it.
    private static func printable(_ text: String) -> String {
        let cleaned = String(String.UnicodeScalarView(text.unicodeScalars.prefix(200).map {
            $0.properties.generalCategory == .control ? " " : $0
        }))
        return text.unicodeScalars.count > 200 ? cleaned + "…" : cleaned
    }
}
