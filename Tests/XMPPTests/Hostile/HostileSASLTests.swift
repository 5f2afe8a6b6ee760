import NIOCore
import NIOEmbedded
import Testing

@testable import XMPP

/// security.md §6 group E: SASL / SCRAM. Short focused cases on top of the
/// SCRAM negotiation helpers of `SASLSCRAMHostileTests` (which holds the
/// broader argument matrices); one test per case id, plus an end-to-end
/// check that a SASL failure ends the channel with no other mechanism tried.
@Suite struct HostileSASLTests {
    typealias Scram = SASLSCRAMHostileTests
    static let tail = ",s=QSXCR+Q6sek8bf92,i=4096"

    @Test("H57: a server nonce that does not start with ours aborts (invalidServerNonce)")
    func H57_nonceNotExtended() {
        #expect(Scram.serverFirstResult("r=XXXX+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j" + Self.tail) == .failed(.invalidServerNonce))
    }

    @Test("H58: a server nonce equal to ours (no server part) aborts")
    func H58_nonceEqual() {
        #expect(Scram.serverFirstResult("r=\(Scram.nonce)" + Self.tail) == .failed(.invalidServerNonce))
    }

    @Test("H59: i=0, -1, 4095, abc, 99999999999 abort; none overflows", arguments: ["0", "-1", "4095", "abc", "99999999999"])
    func H59_iterationCount(count: String) {
        let result = Scram.serverFirstResult("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=\(count)")
        guard case .failed = result else {
            Issue.record("accepted i=\(count): \(result)")
            return
        }
    }

    @Test("H60: an empty, non-base64 or oversized salt aborts", arguments: ["", "QSXC R+Q6sek8bf92", "QSXCR*Q6sek8bf92", "huge"])
    func H60_badSalt(salt: String) {
        let value = salt == "huge" ? SASLBase64.encode([UInt8](repeating: 7, count: SCRAMMessages.maximumSaltLength + 1)) : salt
        let result = Scram.serverFirstResult("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=\(value),i=4096")
        guard case .failed = result else {
            Issue.record("accepted salt \(salt): \(result)")
            return
        }
    }

    @Test("H61: m= aborts, a duplicated r= aborts, an unknown trailing extension is ignored")
    func H61_mandatoryExtensionAndDuplicates() {
        let good = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"
        #expect(Scram.serverFirstResult("m=ext," + good) == .failed(.malformedChallenge("m")))
        #expect(Scram.serverFirstResult(good + ",r=again") == .failed(.malformedChallenge("duplicate attribute")))
        guard case .failed = Scram.serverFirstResult(good + ",x=future") else { return }
        Issue.record("an unknown extension attribute was refused")
    }

    @Test("H62: a wrong server signature in server-final aborts (before any stream restart)")
    func H62_wrongServerSignature() {
        var negotiation = Scram.afterClientFinal()
        #expect(negotiation.received(SASLTest.success("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=")) == .failed(.invalidServerSignature))
    }

    @Test("H63: <success/> without additional data and no prior v= aborts (server not verified)")
    func H63_successWithoutSignature() {
        var negotiation = Scram.afterClientFinal()
        #expect(negotiation.received(SASLTest.element("success", "")) == .failed(.missingServerSignature))
    }

    @Test("H64: a challenge with whitespace, '=' in the middle or illegal characters aborts (strict base64)",
          arguments: ["cj1meWtv K2Qy", "cj1m=WtvK2Qy", "cj1meWtv*2Qy"])
    func H64_strictBase64(text: String) {
        var negotiation = Scram.started()
        #expect(negotiation.received(SASLTest.element("challenge", text)) == .failed(.invalidBase64))
    }

    @Test("H65: an empty <challenge/> and <challenge>=</challenge> are both an empty server-first: typed abort, no crash",
          arguments: ["", "="])
    func H65_emptyChallenge(text: String) {
        var negotiation = Scram.started()
        #expect(negotiation.received(SASLTest.element("challenge", text)) == .failed(.malformedChallenge("server-first-message")))
    }

    @Test("H66: e=invalid-proof and e=other-error map to a typed auth error", arguments: ["invalid-proof", "other-error"])
    func H66_serverError(value: String) {
        var negotiation = Scram.afterClientFinal()
        #expect(negotiation.received(SASLTest.success("e=\(value)")) == .failed(.scramServerError(value)))
    }

    @Test("H66: a SASL failure ends the channel with authenticationFailed; no other mechanism is tried")
    func H66_noFallback() async throws {
        let harness = try SessionHandlerHarness(
            transport: .tls(SessionTest.encrypted), configuration: SessionTest.configuration(mechanisms: [.scramSHA1, .plain]))
        _ = try harness.clientWrote()
        try harness.serverSends(
            ScriptedServer.header + "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                + "<mechanism>SCRAM-SHA-1</mechanism><mechanism>PLAIN</mechanism></mechanisms></stream:features>")
        #expect(try harness.clientWrote().contains("mechanism='SCRAM-SHA-1'"))
        try harness.serverSends("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/></failure>")
        #expect(harness.failure?.code == .authenticationFailed)
        #expect(!(try harness.clientWrote()).contains("<auth"))
        #expect(!harness.channel.isActive)
    }

    @Test("H67: -PLUS stripped while we could bind: the y GS2 flag lets the server notice")
    func H67_plusStripped() {
        let result = SASLTest.choose(["SCRAM-SHA-256", "SCRAM-SHA-1"], security: SASLMechanismSelectionTests.tlsUnique)
        #expect(SASLMechanismSelectionTests.gs2Flag(result) == "y")
    }

    @Test("H68: an XEP-0440 list naming only binding types we lack aborts")
    func H68_xep0440Tampered() {
        let result = SASLTest.choose(
            ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"], security: SASLMechanismSelectionTests.tls13, xep0440: [.tlsUnique])
        #expect(result.map(\.mechanism) == .failure(.channelBindingUnavailable))
    }

    @Test("H69: no channel-binding data available: never an empty binding, the n flag and plain SCRAM")
    func H69_noBindingData() throws {
        let result = SASLTest.choose(["SCRAM-SHA-1-PLUS", "SCRAM-SHA-1"], security: SASLTest.tls)
        #expect(SASLMechanismSelectionTests.mechanism(result) == "SCRAM-SHA-1")
        #expect(SASLMechanismSelectionTests.gs2Flag(result) == "n")
    }

    @Test("H70: only PLAIN offered while PLAIN is disabled: noAcceptableMechanism")
    func H70_plainDisabled() {
        let configuration = SASLTest.configuration(allowsPlain: false)
        #expect(SASLTest.choose(["PLAIN"], configuration).map(\.mechanism) == .failure(.noAcceptableMechanism))
    }
}
