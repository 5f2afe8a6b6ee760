/// How the GS2 header of a SCRAM exchange speaks about channel binding
/// (RFC 5802 §5.1, §6).
enum GS2ChannelBinding: Equatable, Sendable {
    /// `n`: we do not bind (we cannot, or may not, with this server).
    case notSupported
    /// `y`: we could bind but the server offered no `-PLUS` mechanism. An
    /// honest server that does support binding refuses this, which is how a
    /// man in the middle who stripped the `-PLUS` names is caught.
    case supportedButNotOffered
    /// `p=<type>`: we bind to `data` of `type` (a `-PLUS` mechanism).
    case bound(ChannelBindingType, data: [UInt8])

    /// The gs2-cbind-flag text.
    var flag: String {
        switch self {
        case .notSupported: "n"
        case .supportedButNotOffered: "y"
        case .bound(let type, _): "p=\(type.name)"
        }
    }
}

/// The client side of one SCRAM exchange (RFC 5802, RFC 7677), from
/// client-first to the verified server signature.
struct SCRAMClient: Sendable {
    /// What is left after client-final was sent: the signature the server
    /// must present. Only this survives; the salted password and the keys
    /// derived from it are wiped once the proof is computed.
    struct AwaitingServerFinal: Sendable {
        var algorithm: HMACAlgorithm
        var expectedServerSignature: [UInt8]

        /// Checks a server-final-message: `nil` when its `v=` matches,
        /// compared in constant time, else the error to fail with.
        func verify(_ serverFinal: [UInt8]) -> SASLError? {
            switch SCRAMMessages.parseServerFinal(serverFinal) {
            case .failure(let error): return error
            case .success(.error(let value)): return .scramServerError(value)
            case .success(.verifier(let signature)):
                return SASLCrypto.constantTimeEqual(signature, expectedServerSignature) ? nil : .invalidServerSignature
            }
        }
    }

    let algorithm: HMACAlgorithm
    let channelBinding: GS2ChannelBinding
    let clientNonce: String
    /// `gs2-cbind-flag "," [authzid] ","`.
    let gs2Header: String
    /// `n=<user>,r=<nonce>`: the part of client-first that enters the AuthMessage.
    let clientFirstBare: String
    private let iterationRange: ClosedRange<Int>
    /// The normalised password in UTF-8. Not wiped: value semantics leave
    /// copies we cannot reach, and the configuration holds it anyway.
    private let password: [UInt8]

    /// Prepares an exchange, or returns `nil` when the credentials cannot be
    /// written in SCRAM syntax (empty user name, NUL characters).
    init?(
        algorithm: HMACAlgorithm,
        configuration: SASLConfiguration,
        password: String,
        channelBinding: GS2ChannelBinding,
        clientNonce: String
    ) {
        guard let user = SCRAMMessages.saslName(configuration.username) else { return nil }
        var authzid = ""
        if let identity = configuration.authorizationIdentity {
            guard let encoded = SCRAMMessages.saslName(identity) else { return nil }
            authzid = "a=" + encoded
        }
        guard !password.utf8.contains(0) else { return nil }
        self.algorithm = algorithm
        self.channelBinding = channelBinding
        self.clientNonce = clientNonce
        self.gs2Header = channelBinding.flag + "," + authzid + ","
        self.clientFirstBare = "n=" + user + ",r=" + clientNonce
        self.iterationRange = configuration.scramIterationRange
        self.password = Array(SASLPasswordPreparation.prepare(password).utf8)
    }

    /// The client-first-message, sent in `<auth/>`.
    var clientFirstMessage: String { gs2Header + clientFirstBare }

    /// Checks the server-first-message and computes the client-final-message
    /// with its proof, or the error to fail with.
    func respond(
        toServerFirst serverFirst: [UInt8]
    ) -> Result<(clientFinal: String, next: AwaitingServerFinal), SASLError> {
        let parsed: SCRAMMessages.ServerFirst
        switch SCRAMMessages.parseServerFirst(serverFirst, iterationRange: iterationRange) {
        case .failure(let error): return .failure(error)
        case .success(let value): parsed = value
        }
        // The server must extend our nonce, not replace or merely echo it:
        // otherwise it (or a replayer) controls the whole nonce.
        guard parsed.nonce.utf8.count > clientNonce.utf8.count, parsed.nonce.utf8.starts(with: clientNonce.utf8) else {
            return .failure(.invalidServerNonce)
        }
        var bindingInput = Array(gs2Header.utf8)
        if case .bound(_, let data) = channelBinding { bindingInput += data }
        let clientFinalWithoutProof = "c=" + SASLBase64.encode(bindingInput) + ",r=" + parsed.nonce
        // AuthMessage uses the server-first bytes exactly as received.
        let authMessage = Array((clientFirstBare + ",").utf8) + serverFirst
            + Array(("," + clientFinalWithoutProof).utf8)

        guard var keys = deriveKeys(salt: parsed.salt, iterations: parsed.iterations, authMessage: authMessage) else {
            return .failure(.cryptoFailure)
        }
        defer { keys.wipe() }
        var proof = zip(keys.clientKey, keys.clientSignature).map { $0 ^ $1 }
        defer { SASLCrypto.wipe(&proof) }
        let clientFinal = clientFinalWithoutProof + ",p=" + SASLBase64.encode(proof)
        let next = AwaitingServerFinal(algorithm: algorithm, expectedServerSignature: keys.serverSignature)
        return .success((clientFinal, next))
    }

    /// The RFC 5802 §3 key schedule for this exchange.
    private struct Keys {
        var saltedPassword: [UInt8]
        var clientKey: [UInt8]
        var clientSignature: [UInt8]
        var serverSignature: [UInt8]

        mutating func wipe() {
            SASLCrypto.wipe(&saltedPassword)
            SASLCrypto.wipe(&clientKey)
            SASLCrypto.wipe(&clientSignature)
        }
    }

    private func deriveKeys(salt: [UInt8], iterations: Int, authMessage: [UInt8]) -> Keys? {
        guard var saltedPassword = SASLCrypto.pbkdf2(algorithm, password: password, salt: salt, iterations: iterations)
        else { return nil }
        guard let clientKey = SASLCrypto.hmac(algorithm, key: saltedPassword, data: Array("Client Key".utf8)),
            var storedKey = SASLCrypto.hash(algorithm, clientKey),
            let clientSignature = SASLCrypto.hmac(algorithm, key: storedKey, data: authMessage),
            var serverKey = SASLCrypto.hmac(algorithm, key: saltedPassword, data: Array("Server Key".utf8)),
            let serverSignature = SASLCrypto.hmac(algorithm, key: serverKey, data: authMessage)
        else {
            SASLCrypto.wipe(&saltedPassword)
            return nil
        }
        SASLCrypto.wipe(&storedKey)
        SASLCrypto.wipe(&serverKey)
        return Keys(
            saltedPassword: saltedPassword, clientKey: clientKey,
            clientSignature: clientSignature, serverSignature: serverSignature)
    }

    /// A fresh client nonce: 24 random bytes in base64 (32 characters of
    /// the printable set SCRAM allows; base64 never produces a comma).
    static func randomNonce() -> String? {
        SASLCrypto.randomBytes(24).map { SASLBase64.encode($0) }
    }
}

/// Password normalisation before SCRAM hashing.
///
/// RFC 5802 asks for SASLprep (RFC 4013); its successor for XMPP is the
/// PRECIS OpaqueString profile (RFC 8265 §4.2), which servers that store
/// PRECIS-prepared verifiers expect. Both leave ASCII untouched (nearly all
/// passwords). We apply OpaqueString's mapping: non-ASCII spaces become
/// U+0020, then NFC. Unlike SASLprep there is no NFKC and no prohibition
/// table; a password the server's preparation rejects simply fails to
/// authenticate.
enum SASLPasswordPreparation {
    /// The password as OpaqueString maps it.
    static func prepare(_ password: String) -> String {
        guard !password.utf8.allSatisfy({ $0 < 0x80 }) else { return password }
        let mapped = String(String.UnicodeScalarView(password.unicodeScalars.map {
            $0.properties.generalCategory == .spaceSeparator ? " " : $0
        }))
        return String(decoding: mapped._nfcCodeUnits, as: UTF8.self)
    }
}
