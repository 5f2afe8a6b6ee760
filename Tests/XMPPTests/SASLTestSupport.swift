import XMPPCore

@testable import XMPP

/// Builders and a reference SCRAM server for the SASL tests.
enum SASLTest {
    static let password = "pencil-S3cret!"

    static func configuration(
        username: String = "user",
        password: String? = SASLTest.password,
        authorizationIdentity: String? = nil,
        allowedMechanisms: [SASLMechanismName] = SASLConfiguration.defaultMechanisms,
        allowsPlain: Bool = true,
        scramIterationRange: ClosedRange<Int> = 4096...1_000_000
    ) -> SASLConfiguration {
        SASLConfiguration(
            username: username, password: password, authorizationIdentity: authorizationIdentity,
            allowedMechanisms: allowedMechanisms, allowsPlain: allowsPlain, scramIterationRange: scramIterationRange)
    }

    static let tls = SASLTransportSecurity(isEncrypted: true)

    static func negotiation(
        _ configuration: SASLConfiguration = configuration(),
        security: SASLTransportSecurity = tls,
        xep0440: [ChannelBindingType]? = nil,
        nonce: String = "fyko+d2lbbFgONRv9qkxdawL"
    ) -> SASLNegotiation {
        SASLNegotiation(
            configuration: configuration, security: security,
            serverAdvertisesChannelBindings: xep0440, clientNonce: { nonce })
    }

    static func element(_ name: String, _ text: String = "") -> XMLElement {
        XMLElement(name, namespace: XMLNamespace.sasl, text: text)
    }

    static func challenge(_ message: String) -> XMLElement {
        element("challenge", SASLBase64.encode(Array(message.utf8)))
    }

    static func success(_ message: String? = nil) -> XMLElement {
        element("success", message.map { SASLBase64.encode(Array($0.utf8)) } ?? "")
    }

    static func failure(_ condition: String, text: String? = nil) -> XMLElement {
        var failure = XMLElement("failure", namespace: XMLNamespace.sasl)
        failure.append(XMLElement(condition, namespace: XMLNamespace.sasl))
        if let text { failure.append(XMLElement("text", namespace: XMLNamespace.sasl, text: text)) }
        return failure
    }

    /// The decoded text of a sent `<auth/>` or `<response/>`, with its mechanism.
    static func sent(_ action: SASLNegotiation.Action) -> (name: String, mechanism: String?, message: String)? {
        guard case .send(let element) = action, element.name.namespace == XMLNamespace.sasl,
            let bytes = SASLBase64.decodePayload(element.text)
        else { return nil }
        return (element.name.localName, element[attribute: "mechanism"], String(decoding: bytes, as: UTF8.self))
    }

    /// `start` with these mechanisms, returning the chosen name or the error.
    static func choose(
        _ offered: [String], _ configuration: SASLConfiguration = configuration(),
        security: SASLTransportSecurity = tls, xep0440: [ChannelBindingType]? = nil
    ) -> Result<(mechanism: String, message: String), SASLError> {
        var negotiation = negotiation(configuration, security: security, xep0440: xep0440)
        let action = negotiation.start(offeredMechanisms: offered)
        if case .failed(let error) = action { return .failure(error) }
        guard let sent = sent(action), let mechanism = sent.mechanism else { return .failure(.unexpectedElement) }
        return .success((mechanism, sent.message))
    }
}

/// An independent server side of SCRAM (RFC 5802 §3), to check the client
/// against a second implementation rather than only against itself.
struct SASLTestSCRAMServer {
    var algorithm: HMACAlgorithm
    var password: String
    var salt: [UInt8] = Array("saltsaltsalt".utf8)
    var iterations = 4096
    var serverNonceSuffix = "3rfcNHYJY1ZVvWVs7j"
    /// What `c=` must decode to: the GS2 header plus any binding data.
    var expectedChannelBinding: [UInt8]

    private(set) var clientFirstBare = ""
    private(set) var serverFirst = ""

    mutating func serverFirst(for clientFirst: String) -> String {
        let bare = clientFirst.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)[2]
        clientFirstBare = String(bare)
        let nonce = bare.split(separator: ",").first { $0.hasPrefix("r=") }!.dropFirst(2)
        serverFirst = "r=\(nonce)\(serverNonceSuffix),s=\(SASLBase64.encode(salt)),i=\(iterations)"
        return serverFirst
    }

    /// Checks the client-final and returns the server-final, or `e=…`.
    func serverFinal(for clientFinal: String) -> String {
        let parts = clientFinal.split(separator: ",")
        guard parts.count == 3, parts[0].hasPrefix("c="), parts[2].hasPrefix("p=") else { return "e=invalid-encoding" }
        guard SASLBase64.decode(String(parts[0].dropFirst(2))) == expectedChannelBinding else {
            return "e=channel-bindings-dont-match"
        }
        let withoutProof = parts[0] + "," + parts[1]
        let authMessage = Array("\(clientFirstBare),\(serverFirst),\(withoutProof)".utf8)
        let salted = SASLCrypto.pbkdf2(algorithm, password: Array(password.utf8), salt: salt, iterations: iterations)!
        let clientKey = SASLCrypto.hmac(algorithm, key: salted, data: Array("Client Key".utf8))!
        let storedKey = SASLCrypto.hash(algorithm, clientKey)!
        let clientSignature = SASLCrypto.hmac(algorithm, key: storedKey, data: authMessage)!
        let proof = SASLBase64.decode(String(parts[2].dropFirst(2)))!
        let recoveredKey = zip(proof, clientSignature).map { $0 ^ $1 }
        guard SASLCrypto.hash(algorithm, recoveredKey) == storedKey else { return "e=invalid-proof" }
        let serverKey = SASLCrypto.hmac(algorithm, key: salted, data: Array("Server Key".utf8))!
        return "v=" + SASLBase64.encode(SASLCrypto.hmac(algorithm, key: serverKey, data: authMessage)!)
    }
}
