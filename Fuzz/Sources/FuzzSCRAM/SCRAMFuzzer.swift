// Fuzz target `scram`: the SCRAM client's parsers and its negotiation.
//
// Input: a mode byte. Bit 1 clear: the rest is parsed as a server-first and
// as a server-final message. Bit 1 set: a SCRAM-SHA-1 (bit 0 clear) or
// SCRAM-SHA-256 exchange through SASLNegotiation, with up to four server
// elements, each a kind byte (challenge, success, failure, something else),
// a source byte (raw text, base64 of the run, a valid server-first plus the
// run, the right server-final plus the run) and a length-prefixed run.
//
// Checks: no crash or leak; parsed values respect the bounds (printable
// nonce, 1…256-byte salt, count in range, non-empty signature, error tokens
// of lower-case letters and hyphens); the negotiation succeeds only after a
// server-final whose signature is the one the accepted server-first implies
// (P19), and after succeeding or failing it accepts nothing more.
import FuzzSupport
import XMPPCore
@testable import XMPP

private let clientNonce = "fyko+d2lbbFgONRv9qkxdawL"
/// Kept small so the key derivation stays cheap: the fuzzer may pick any
/// count up to the bound.
private let iterationRange = 1...32
private let goodServerFirst = Array("r=\(clientNonce)3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=16".utf8)

private let configuration = SASLConfiguration(
    username: "user", password: "pencil", allowedMechanisms: [.scramSHA256, .scramSHA1],
    scramIterationRange: iterationRange)
private let security = SASLTransportSecurity(isEncrypted: true)

private func checkParsers(_ bytes: [UInt8]) {
    if case .success(let first) = SCRAMMessages.parseServerFirst(bytes, iterationRange: 1...Int.max) {
        fuzzCheck(!first.nonce.isEmpty && first.nonce.utf8.allSatisfy { (0x21...0x7E).contains($0) && $0 != 0x2C },
                  "nonce \(first.nonce.debugDescription)")
        fuzzCheck((1...SCRAMMessages.maximumSaltLength).contains(first.salt.count), "salt of \(first.salt.count) bytes")
        fuzzCheck(first.iterations >= 1, "iterations \(first.iterations)")
        let restricted = SCRAMMessages.parseServerFirst(bytes, iterationRange: iterationRange)
        if iterationRange.contains(first.iterations) {
            fuzzCheck(restricted == .success(first), "the range changed the parse")
        } else {
            fuzzCheck(restricted == .failure(.iterationCountOutOfRange(first.iterations)), "out of range: \(restricted)")
        }
    }
    if case .failure(let error) = SCRAMMessages.parseServerFirst(bytes, iterationRange: 1...Int.max) {
        checkErrorToken(error)
    }
    switch SCRAMMessages.parseServerFinal(bytes) {
    case .success(.verifier(let signature)):
        fuzzCheck(!signature.isEmpty, "an empty verifier")
    case .success(.error(let token)):
        checkToken(token)
    case .failure(let error):
        checkErrorToken(error)
    }
}

/// A server's `e=` value reaches the error only as a safe token.
private func checkErrorToken(_ error: SASLError) {
    let prefix = "SASL: SCRAM server error "
    let description = error.description
    if description.hasPrefix(prefix) {
        checkToken(String(description.dropFirst(prefix.count)))
    }
}

private func checkToken(_ token: String) {
    fuzzCheck(!token.isEmpty && token.utf8.count <= 64
              && token.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || $0 == UInt8(ascii: "-") },
              "server error token \(token.debugDescription)")
}

/// The signature a server must present after `serverFirst`: what an
/// independent client with the same binding computes.
private func expectedSignature(after serverFirst: [UInt8], algorithm: HMACAlgorithm, binding: GS2ChannelBinding) -> [UInt8]? {
    guard let client = SCRAMClient(
        algorithm: algorithm, configuration: configuration, password: "pencil",
        channelBinding: binding, clientNonce: clientNonce),
        case .success(let (_, next)) = client.respond(toServerFirst: serverFirst)
    else { return nil }
    return next.expectedServerSignature
}

private func exchange(_ input: inout FuzzInput, sha256: Bool) {
    let offered = [sha256 ? "SCRAM-SHA-256" : "SCRAM-SHA-1"]
    guard case .success(let selection) = SASLMechanismSelection.select(
        offered: offered, configuration: configuration, security: security, serverChannelBindings: nil),
        case .scram(let algorithm, let binding) = selection.method
    else {
        fuzzCheck(false, "SCRAM not selected")
        return
    }
    let goodSignature = expectedSignature(after: goodServerFirst, algorithm: algorithm, binding: binding) ?? []
    fuzzCheck(!goodSignature.isEmpty, "no signature for the valid server-first")

    var negotiation = SASLNegotiation(
        configuration: configuration, security: security, serverAdvertisesChannelBindings: nil,
        clientNonce: { clientNonce })
    guard case .send = negotiation.start(offeredMechanisms: offered) else {
        fuzzCheck(false, "start did not send <auth/>")
        return
    }

    var acceptedServerFirst: [UInt8]?
    var verified = false
    var finished = false
    for _ in 0..<4 where !input.isAtEnd {
        let kind = input.choice(4)
        let source = input.choice(4)
        let run = input.run()
        let name = ["challenge", "success", "failure", "response"][kind]
        let message: [UInt8]
        switch source {
        case 0: message = []
        case 1: message = run
        case 2: message = goodServerFirst + run
        default: message = Array("v=\(SASLBase64.encode(goodSignature))".utf8) + run
        }
        let text = source == 0 ? String(decoding: run, as: UTF8.self) : SASLBase64.encode(message)
        var children: [XMLNode] = text.isEmpty ? [] : [.text(text)]
        if kind == 2, !run.isEmpty {
            children = [.element(XMLElement(String(decoding: run, as: UTF8.self), namespace: XMLNamespace.sasl))]
        }
        let element = XMLElement(name: XMLQualifiedName(name, namespace: XMLNamespace.sasl), children: children)
        let payload = SASLBase64.decodePayload(text) ?? []

        let action = negotiation.received(element)
        if finished {
            fuzzCheck(action == .failed(.unexpectedElement), "\(action) after the end")
            continue
        }
        switch action {
        case .send(let response):
            fuzzCheck(response.name == XMLQualifiedName("response", namespace: XMLNamespace.sasl), "sent \(response.name)")
            if acceptedServerFirst == nil {
                acceptedServerFirst = payload
            } else {
                // An empty response after a verified server-final in a challenge.
                fuzzCheck(checkVerifier(payload, after: acceptedServerFirst, algorithm, binding), "answered an unverified challenge")
                verified = true
            }
        case .succeeded:
            fuzzCheck(kind == 1, "succeeded on <\(name)/>")
            fuzzCheck(verified || checkVerifier(payload, after: acceptedServerFirst, algorithm, binding),
                      "succeeded without the server's signature")
            finished = true
        case .failed:
            finished = true
        }
    }
}

/// Whether `payload` is a server-final carrying the right signature.
private func checkVerifier(_ payload: [UInt8], after serverFirst: [UInt8]?, _ algorithm: HMACAlgorithm, _ binding: GS2ChannelBinding) -> Bool {
    guard let serverFirst, let expected = expectedSignature(after: serverFirst, algorithm: algorithm, binding: binding),
        case .success(.verifier(let signature)) = SCRAMMessages.parseServerFinal(payload)
    else { return false }
    return signature == expected
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSCRAM(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzInput(data, size)
    let mode = input.byte()
    if mode & 2 == 0 {
        checkParsers(input.rest())
    } else {
        exchange(&input, sha256: mode & 1 != 0)
    }
    return 0
}
