import CGnuTLSPeer
import XMPPUnderTest

/// One SCRAM mechanism's fixed exchange: credentials, salt, nonces and the
/// server's messages, made so that the library's client succeeds, and the
/// C side computes the very same proof.
struct SCRAMSetup {
    let sha256: Bool
    let iterations: UInt32
    let mechanism: String
    let library: LibrarySCRAMExchange
    let expectedProof: [UInt8]

    static let username = "juliet"
    static let password = Array("r0m30myr0m30".utf8)
    static let salt: [UInt8] = [0x41, 0x25, 0xC2, 0x47, 0xE4, 0x3A, 0xB1, 0xE9, 0x3C, 0x6D, 0xFF, 0x76, 0x82, 0x1C, 0x9D, 0x04]
    static let clientNonce = "rOprNGfwEbeRWgbNEkqO"
    static let serverNonceSuffix = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"

    private let authMessage: [UInt8]

    init(sha256: Bool, iterations: UInt32) {
        self.sha256 = sha256
        self.iterations = iterations
        mechanism = sha256 ? "SCRAM-SHA-256" : "SCRAM-SHA-1"
        let serverFirst = Array(
            "r=\(Self.clientNonce)\(Self.serverNonceSuffix),s=\(Base64.encode(Self.salt)),i=\(iterations)".utf8)
        let password = String(decoding: Self.password, as: UTF8.self)
        // First run: stop after client-final to learn what the client sent.
        let probe = LibrarySCRAMExchange(
            sha256: sha256, username: Self.username, password: password, clientNonce: Self.clientNonce,
            serverFirst: serverFirst, serverFinal: nil)
        guard case .sentClientFinal(let clientFinal) = probe.run() else { fail("\(mechanism): no client-final") }
        guard let proofRange = clientFinal.firstRange(of: ",p=") else { fail("\(mechanism): client-final without proof") }
        let withoutProof = String(clientFinal[..<proofRange.lowerBound])
        let libraryProof = String(clientFinal[proofRange.upperBound...])
        // RFC 5802 §3: client-first-bare "," server-first "," client-final-without-proof.
        authMessage = Array("n=\(Self.username),r=\(Self.clientNonce),".utf8) + serverFirst
            + Array(",\(withoutProof)".utf8)
        var proof = [UInt8](repeating: 0, count: sha256 ? 32 : 20)
        var signature = proof
        let rc = Self.keySchedule(sha256, iterations, authMessage, &proof, &signature)
        guard rc == 0 else { fail("\(mechanism): C key schedule failed: \(String(cString: tlspeer_error_string(rc)))") }
        guard Base64.encode(proof) == libraryProof else { fail("\(mechanism): the C proof differs from the library's") }
        expectedProof = proof
        library = LibrarySCRAMExchange(
            sha256: sha256, username: Self.username, password: password, clientNonce: Self.clientNonce,
            serverFirst: serverFirst, serverFinal: Array("v=\(Base64.encode(signature))".utf8))
        guard library.run() == .succeeded else { fail("\(mechanism): the library's exchange does not succeed") }
    }

    /// The whole client key schedule in C; returns the proof.
    func cKeySchedule() -> [UInt8] {
        var proof = [UInt8](repeating: 0, count: sha256 ? 32 : 20)
        var signature = proof
        guard Self.keySchedule(sha256, iterations, authMessage, &proof, &signature) == 0 else { return [] }
        return proof
    }

    /// gnutls_pbkdf2 alone.
    func cSaltedPassword() -> Bool {
        var salted = [UInt8](repeating: 0, count: sha256 ? 32 : 20)
        return scram_salted_password(
            sha256 ? 1 : 0, Self.password, Self.password.count, Self.salt, Self.salt.count, iterations, &salted) == 0
    }

    private static func keySchedule(
        _ sha256: Bool, _ iterations: UInt32, _ authMessage: [UInt8], _ proof: inout [UInt8], _ signature: inout [UInt8]
    ) -> Int32 {
        scram_client_keys(
            sha256 ? 1 : 0, password, password.count, salt, salt.count, iterations, authMessage, authMessage.count,
            &proof, &signature)
    }
}
