import XMPPCore

/// The library's SASL client, reached from the benchmark: one complete
/// SCRAM exchange through `SASLNegotiation` (the type the session machine
/// drives), from `<auth/>` to the verified server signature.
///
/// The elements from the server are made once, up front; in a session they
/// come from the reader, which the reader benchmark measures.
public struct LibrarySCRAMExchange: Sendable {
    /// The outcome of one exchange.
    public enum Outcome: Sendable, Equatable {
        /// The server signature checked out.
        case succeeded
        /// The client-final-message the client sent before the exchange
        /// stopped (when no server-final was supplied): what the
        /// benchmark needs to compute the AuthMessage and server signature.
        case sentClientFinal(String)
        /// Anything else, described.
        case failed(String)
    }

    private let configuration: SASLConfiguration
    private let mechanism: String
    private let clientNonce: String
    private let challenge: XMLElement
    private let success: XMLElement?

    /// - Parameters:
    ///   - sha256: SCRAM-SHA-256 rather than SCRAM-SHA-1.
    ///   - username: The authentication identity.
    ///   - password: The password.
    ///   - clientNonce: The client nonce (fixed, so that the server's
    ///     messages can be made in advance).
    ///   - serverFirst: The server-first-message.
    ///   - serverFinal: The server-final-message, or `nil` to stop after
    ///     client-final.
    public init(
        sha256: Bool, username: String, password: String, clientNonce: String, serverFirst: [UInt8],
        serverFinal: [UInt8]?
    ) {
        let name: SASLMechanismName = sha256 ? .scramSHA256 : .scramSHA1
        configuration = SASLConfiguration(username: username, password: password, allowedMechanisms: [name])
        mechanism = name.name
        self.clientNonce = clientNonce
        challenge = XMLElement("challenge", namespace: XMLNamespace.sasl, text: SASLBase64.encode(serverFirst))
        success = serverFinal.map {
            XMLElement("success", namespace: XMLNamespace.sasl, text: SASLBase64.encode($0))
        }
    }

    /// Runs one exchange: start, challenge, success.
    public func run() -> Outcome {
        let nonce = clientNonce
        var negotiation = SASLNegotiation(
            configuration: configuration, security: SASLTransportSecurity(isEncrypted: true),
            serverAdvertisesChannelBindings: nil, clientNonce: { nonce })
        guard case .send = negotiation.start(offeredMechanisms: [mechanism]) else {
            return .failed("no <auth/> for \(mechanism)")
        }
        guard case .send(let response) = negotiation.received(challenge) else {
            return .failed("no <response/> to the challenge")
        }
        guard let success else {
            guard let bytes = SASLBase64.decode(response.text) else { return .failed("response not base64") }
            return .sentClientFinal(String(decoding: bytes, as: UTF8.self))
        }
        switch negotiation.received(success) {
        case .succeeded: return .succeeded
        case .failed(let error): return .failed("\(error)")
        case .send: return .failed("unexpected element after success")
        }
    }
}
