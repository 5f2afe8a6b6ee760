import Testing
import XMPPCore

@testable import XMPP

/// security.md §6 E (H57–H66): what a hostile server may send during SCRAM.
@Suite struct SASLSCRAMHostileTests {
    static let nonce = "fyko+d2lbbFgONRv9qkxdawL"
    static let goodServerFirst = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"
    static let goodServerFinal = "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="

    /// A negotiation that has sent client-first (RFC 5802 credentials).
    static func started(range: ClosedRange<Int> = 4096...1_000_000) -> SASLNegotiation {
        let configuration = SASLTest.configuration(
            password: "pencil", allowedMechanisms: [.scramSHA1], scramIterationRange: range)
        var negotiation = SASLTest.negotiation(configuration, nonce: nonce)
        _ = negotiation.start(offeredMechanisms: ["SCRAM-SHA-1"])
        return negotiation
    }

    /// A negotiation that has sent client-final.
    static func afterClientFinal() -> SASLNegotiation {
        var negotiation = started()
        _ = negotiation.received(SASLTest.challenge(goodServerFirst))
        return negotiation
    }

    static func serverFirstResult(_ message: String, range: ClosedRange<Int> = 4096...1_000_000) -> SASLNegotiation.Action {
        var negotiation = started(range: range)
        return negotiation.received(SASLTest.challenge(message))
    }

    // H57, H58
    @Test(arguments: [
        "r=XXXX+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",  // does not extend ours
        "r=fyko+d2lbbFgONRv9qkxdawL,s=QSXCR+Q6sek8bf92,i=4096",  // equal to ours
        "r=fyko+d2lbbFgONRv9qkxdaw,s=QSXCR+Q6sek8bf92,i=4096",  // a prefix of ours
        "r=3rfcNHYJY1ZVvWVs7jfyko+d2lbbFgONRv9qkxdawL,s=QSXCR+Q6sek8bf92,i=4096",  // ours, but not first
    ])
    func serverNonceMustStrictlyExtendOurs(_ message: String) {
        #expect(Self.serverFirstResult(message) == .failed(.invalidServerNonce))
    }

    // H59
    @Test(arguments: [("1", 1), ("0", 0), ("4095", 4095), ("10000001", 10_000_001), ("99999999999", 99_999_999_999)])
    func iterationCountOutsideRangeIsRefused(count: String, value: Int) {
        let message = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=\(count)"
        #expect(Self.serverFirstResult(message) == .failed(.iterationCountOutOfRange(value)))
    }

    @Test func iterationCountAboveAConfiguredMaximumIsRefused() {
        let message = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=10000001"
        #expect(Self.serverFirstResult(message, range: 4096...10_000_000) == .failed(.iterationCountOutOfRange(10_000_001)))
    }

    @Test func hugeIterationCountDoesNotOverflow() {
        let message = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=" + String(repeating: "9", count: 40)
        #expect(Self.serverFirstResult(message) == .failed(.iterationCountOutOfRange(Int.max)))
    }

    @Test(arguments: ["-1", "abc", "+4096", "04096", "", "4096 ", "0x1000", "4096.0"])
    func malformedIterationCountIsRefused(_ count: String) {
        let message = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=\(count)"
        #expect(Self.serverFirstResult(message) == .failed(.malformedChallenge("i")))
    }

    // H60
    @Test(arguments: ["", "QSXCR+Q6sek8bf9", "QSXC R+Q6sek8bf92", "QSXCR*Q6sek8bf92", "=", "QSXCR+Q6sek8bf92=="])
    func malformedSaltIsRefused(_ salt: String) {
        let message = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=\(salt),i=4096"
        #expect(Self.serverFirstResult(message) == .failed(.malformedChallenge("s")))
    }

    @Test func oversizedSaltIsRefused() {
        let salt = SASLBase64.encode([UInt8](repeating: 7, count: SCRAMMessages.maximumSaltLength + 1))
        let message = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=\(salt),i=4096"
        #expect(Self.serverFirstResult(message) == .failed(.malformedChallenge("s")))
    }

    // H61
    @Test(arguments: [
        ("m=ext,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096", "m"),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096,m=x", "m"),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096,r=again", "duplicate attribute"),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,i=4096", "server-first-message"),  // missing s
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92", "server-first-message"),  // missing i
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j", "server-first-message"),
        ("s=QSXCR+Q6sek8bf92,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,i=4096", "r"),  // order
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,i=4096,s=QSXCR+Q6sek8bf92", "s"),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,,i=4096", "server-first-message"),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096,", "server-first-message"),
        ("garbage", "server-first-message"),
    ])
    func malformedServerFirstIsRefused(message: String, field: String) {
        #expect(Self.serverFirstResult(message) == .failed(.malformedChallenge(field)))
    }

    @Test func unknownTrailingExtensionIsIgnored() {
        let message = Self.goodServerFirst + ",x=future"
        guard case .send = Self.serverFirstResult(message) else {
            Issue.record("an RFC 5802 extension attribute after i= must be accepted")
            return
        }
    }

    @Test func nonPrintableNonceIsRefused() {
        let message = "r=fyko+d2lbbFgONRv9qkxdawL3rfc\u{00E9},s=QSXCR+Q6sek8bf92,i=4096"
        #expect(Self.serverFirstResult(message) == .failed(.malformedChallenge("r")))
    }

    @Test func invalidUTF8IsRefused() {
        var negotiation = Self.started()
        let bytes: [UInt8] = Array("r=fyko+d2lbbFgONRv9qkxdawLx".utf8) + [0xFF, 0xFE] + Array(",s=QSXCR+Q6sek8bf92,i=4096".utf8)
        let action = negotiation.received(SASLTest.element("challenge", SASLBase64.encode(bytes)))
        #expect(action == .failed(.malformedChallenge("server-first-message")))
    }

    @Test func errorInServerFirstIsMapped() {
        #expect(Self.serverFirstResult("e=unknown-user") == .failed(.scramServerError("unknown-user")))
    }

    // H62, H63
    @Test func wrongServerSignatureIsRefused() {
        var negotiation = Self.afterClientFinal()
        #expect(negotiation.received(SASLTest.success("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=")) == .failed(.invalidServerSignature))
    }

    @Test func truncatedServerSignatureIsRefused() {
        var negotiation = Self.afterClientFinal()
        #expect(negotiation.received(SASLTest.success("v=rmF9pqV8S7suAoZWja4dJRkF")) == .failed(.invalidServerSignature))
    }

    @Test func wrongServerSignatureInChallengeIsRefused() {
        var negotiation = Self.afterClientFinal()
        #expect(negotiation.received(SASLTest.challenge("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=")) == .failed(.invalidServerSignature))
    }

    @Test(arguments: ["", "="])
    func successWithoutServerSignatureIsRefused(_ text: String) {
        var negotiation = Self.afterClientFinal()
        #expect(negotiation.received(SASLTest.element("success", text)) == .failed(.missingServerSignature))
    }

    @Test func successBeforeServerFirstIsRefused() {
        var negotiation = Self.started()
        #expect(negotiation.received(SASLTest.success()) == .failed(.missingServerSignature))
    }

    @Test(arguments: [
        ("r=abc", "server-final-message"),
        ("v=", "v"),
        ("v=!!!!", "v"),
        ("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=,v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", "duplicate attribute"),
        ("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=,m=x", "m"),
    ])
    func malformedServerFinalIsRefused(message: String, field: String) {
        var negotiation = Self.afterClientFinal()
        #expect(negotiation.received(SASLTest.success(message)) == .failed(.malformedChallenge(field)))
    }

    // H66
    @Test(arguments: [
        ("e=invalid-proof", "invalid-proof"), ("e=other-error", "other-error"),
        ("e=Something <b>odd</b>", "other-error"),
    ])
    func serverErrorIsMapped(message: String, value: String) {
        var inSuccess = Self.afterClientFinal()
        #expect(inSuccess.received(SASLTest.success(message)) == .failed(.scramServerError(value)))
        var inChallenge = Self.afterClientFinal()
        #expect(inChallenge.received(SASLTest.challenge(message)) == .failed(.scramServerError(value)))
    }

    // H64, H65
    @Test(arguments: ["cj1meWtv K2Qy", "cj1meWtv\nK2Qy", "cj1m=WtvK2Qy", "cj1meWtvK2Q", "cj1meWtv*2Qy"])
    func badBase64InChallengeIsRefused(_ text: String) {
        var negotiation = Self.started()
        #expect(negotiation.received(SASLTest.element("challenge", text)) == .failed(.invalidBase64))
    }

    @Test func badBase64InSuccessIsRefused() {
        var negotiation = Self.afterClientFinal()
        #expect(negotiation.received(SASLTest.element("success", "dj1y bUY5")) == .failed(.invalidBase64))
    }

    @Test(arguments: ["", "="])
    func emptyChallengeIsAMalformedServerFirst(_ text: String) {
        var negotiation = Self.started()
        #expect(negotiation.received(SASLTest.element("challenge", text)) == .failed(.malformedChallenge("server-first-message")))
    }

    @Test func challengeAfterSuccessIsRefused() {
        var negotiation = Self.afterClientFinal()
        #expect(negotiation.received(SASLTest.success(Self.goodServerFinal)) == .succeeded)
        #expect(negotiation.received(SASLTest.challenge(Self.goodServerFirst)) == .failed(.unexpectedElement))
        #expect(negotiation.received(SASLTest.success(Self.goodServerFinal)) == .failed(.unexpectedElement))
    }

    @Test func challengeAfterVerifiedServerFinalIsRefused() {
        var negotiation = Self.afterClientFinal()
        guard case .send = negotiation.received(SASLTest.challenge(Self.goodServerFinal)) else {
            Issue.record("expected the empty response")
            return
        }
        #expect(negotiation.received(SASLTest.challenge(Self.goodServerFinal)) == .failed(.unexpectedElement))
    }

    @Test func wrongSignatureInSuccessAfterVerifiedChallengeIsRefused() {
        var negotiation = Self.afterClientFinal()
        _ = negotiation.received(SASLTest.challenge(Self.goodServerFinal))
        #expect(negotiation.received(SASLTest.success("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=")) == .failed(.invalidServerSignature))
    }

    @Test func elementOutsideTheSASLNamespaceIsRefused() {
        var negotiation = Self.started()
        let foreign = XMLElement("challenge", namespace: "jabber:client", text: "")
        #expect(negotiation.received(foreign) == .failed(.unexpectedElement))
    }

    @Test func nothingIsAcceptedAfterAFailure() {
        var negotiation = Self.started()
        #expect(negotiation.received(SASLTest.challenge("r=bad,s=QSXCR+Q6sek8bf92,i=4096")) == .failed(.invalidServerNonce))
        #expect(negotiation.received(SASLTest.challenge(Self.goodServerFirst)) == .failed(.unexpectedElement))
        #expect(negotiation.start(offeredMechanisms: ["PLAIN"]) == .failed(.unexpectedElement))
    }
}
