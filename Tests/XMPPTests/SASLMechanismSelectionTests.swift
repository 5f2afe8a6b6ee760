import Testing

@testable import XMPP

/// P17/P20: which mechanism we pick, by our preference, and the GS2 flag.
@Suite struct SASLMechanismSelectionTests {
    static let tlsUnique = SASLTransportSecurity(isEncrypted: true, channelBindings: [.tlsUnique: [1, 2, 3]])
    static let tls13 = SASLTransportSecurity(
        isEncrypted: true, channelBindings: [.tlsExporter: [4, 5, 6], .tlsServerEndPoint: [7, 8, 9]])
    static let allBindings = SASLTransportSecurity(
        isEncrypted: true, channelBindings: [.tlsExporter: [4], .tlsServerEndPoint: [7], .tlsUnique: [1]])

    static func mechanism(_ result: Result<(mechanism: String, message: String), SASLError>) -> String? {
        try? result.get().mechanism
    }

    static func gs2Flag(_ result: Result<(mechanism: String, message: String), SASLError>) -> String? {
        (try? result.get().message).map { String($0.prefix { $0 != "," }) }
    }

    @Test(arguments: [
        (["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256"], "SCRAM-SHA-256"),
        (["SCRAM-SHA-256", "PLAIN", "SCRAM-SHA-1"], "SCRAM-SHA-256"),
        (["SCRAM-SHA-1", "PLAIN"], "SCRAM-SHA-1"),
        (["PLAIN", "SCRAM-SHA-1"], "SCRAM-SHA-1"),
        (["DIGEST-MD5", "PLAIN", "SCRAM-SHA-512", "SCRAM-SHA-1"], "SCRAM-SHA-512"),
        (["X-OAUTH2", "PLAIN"], "PLAIN"),
        (["scram-sha-1", "PLAIN"], "PLAIN"),  // names are exact
    ])
    func ourPreferenceWinsWhateverTheServerOrder(offered: [String], expected: String) {
        #expect(Self.mechanism(SASLTest.choose(offered)) == expected)
    }

    @Test func everyPermutationOfProsodysOfferPicksTheSameMechanism() {
        let offer = ["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256", "SCRAM-SHA-1-PLUS"]
        for rotation in 0..<offer.count {
            let shuffled = Array(offer[rotation...] + offer[..<rotation])
            #expect(Self.mechanism(SASLTest.choose(shuffled)) == "SCRAM-SHA-256")
            #expect(Self.mechanism(SASLTest.choose(shuffled.reversed())) == "SCRAM-SHA-256")
        }
    }

    @Test func plainIsRefusedWithoutTLS() {
        let result = SASLTest.choose(["PLAIN"], security: .unencrypted)
        #expect(result.map(\.mechanism) == .failure(.plainWithoutTLS))
        #expect(Self.mechanism(SASLTest.choose(["PLAIN", "SCRAM-SHA-1"], security: .unencrypted)) == "SCRAM-SHA-1")
    }

    // H70
    @Test func plainIsRefusedWhenDisabled() {
        let configuration = SASLTest.configuration(allowsPlain: false)
        #expect(SASLTest.choose(["PLAIN"], configuration).map(\.mechanism) == .failure(.noAcceptableMechanism))
    }

    @Test func noAcceptableMechanism() {
        #expect(SASLTest.choose(["DIGEST-MD5", "X-OAUTH2"]).map(\.mechanism) == .failure(.noAcceptableMechanism))
        #expect(SASLTest.choose([]).map(\.mechanism) == .failure(.noAcceptableMechanism))
    }

    @Test func anonymousAndExternalOnlyWhenConfigured() {
        #expect(SASLTest.choose(["ANONYMOUS"]).map(\.mechanism) == .failure(.noAcceptableMechanism))
        #expect(SASLTest.choose(["EXTERNAL"]).map(\.mechanism) == .failure(.noAcceptableMechanism))
        let anonymous = SASLTest.configuration(password: nil, allowedMechanisms: [.anonymous])
        #expect(Self.mechanism(SASLTest.choose(["SCRAM-SHA-1", "ANONYMOUS"], anonymous)) == "ANONYMOUS")
        #expect((try? SASLTest.choose(["ANONYMOUS"], anonymous).get().message) == "")
        let external = SASLTest.configuration(password: nil, allowedMechanisms: [.external])
        #expect(Self.mechanism(SASLTest.choose(["EXTERNAL", "PLAIN"], external)) == "EXTERNAL")
        #expect(SASLTest.choose(["EXTERNAL"], external, security: .unencrypted).map(\.mechanism)
            == .failure(.noAcceptableMechanism))
    }

    @Test func withoutPasswordNoPasswordMechanismIsUsed() {
        let configuration = SASLTest.configuration(password: nil)
        #expect(SASLTest.choose(["SCRAM-SHA-1", "PLAIN"], configuration).map(\.mechanism) == .failure(.noAcceptableMechanism))
    }

    // GS2 flag without XEP-0440.
    @Test(arguments: [
        // Prosody on TLS 1.2: -PLUS offered, tls-unique available → bind.
        (["SCRAM-SHA-1", "SCRAM-SHA-1-PLUS", "PLAIN"], 0, "SCRAM-SHA-1-PLUS", "p=tls-unique"),
        // Prosody on TLS 1.3: no -PLUS; we could bind (tls-exporter) → "y".
        (["SCRAM-SHA-1", "PLAIN"], 1, "SCRAM-SHA-1", "y"),
        // -PLUS offered but only tls-exporter/-server-end-point, no XEP-0440:
        // the server would likely refuse them; skip -PLUS, say "n" (it did offer -PLUS).
        (["SCRAM-SHA-1-PLUS", "SCRAM-SHA-1"], 1, "SCRAM-SHA-1", "n"),
        // No binding data at all → "n".
        (["SCRAM-SHA-1-PLUS", "SCRAM-SHA-1"], 2, "SCRAM-SHA-1", "n"),
        (["SCRAM-SHA-1"], 2, "SCRAM-SHA-1", "n"),
        // -PLUS stripped by a man in the middle on TLS 1.2 → "y" lets the server notice (H67).
        (["SCRAM-SHA-256", "SCRAM-SHA-1"], 0, "SCRAM-SHA-256", "y"),
    ])
    func channelBindingWithoutXEP0440(offered: [String], securityIndex: Int, mechanism: String, flag: String) {
        let security = [Self.tlsUnique, Self.tls13, SASLTest.tls][securityIndex]
        let result = SASLTest.choose(offered, security: security)
        #expect(Self.mechanism(result) == mechanism)
        #expect(Self.gs2Flag(result) == flag)
    }

    // GS2 flag and type with XEP-0440.
    @Test(arguments: [
        ([ChannelBindingType.tlsExporter, .tlsServerEndPoint], 1, "SCRAM-SHA-256-PLUS", "p=tls-exporter"),
        ([.tlsServerEndPoint, .tlsUnique], 1, "SCRAM-SHA-256-PLUS", "p=tls-server-end-point"),
        ([.tlsUnique, .tlsServerEndPoint, .tlsExporter], 2, "SCRAM-SHA-256-PLUS", "p=tls-exporter"),
        ([.tlsUnique], 0, "SCRAM-SHA-256-PLUS", "p=tls-unique"),
        ([.tlsServerEndPoint], 2, "SCRAM-SHA-256-PLUS", "p=tls-server-end-point"),
        ([ChannelBindingType(name: "tls-future"), .tlsServerEndPoint], 1, "SCRAM-SHA-256-PLUS", "p=tls-server-end-point"),
    ])
    func channelBindingWithXEP0440(list: [ChannelBindingType], securityIndex: Int, mechanism: String, flag: String) {
        let security = [Self.tlsUnique, Self.tls13, Self.allBindings][securityIndex]
        let offered = ["SCRAM-SHA-1", "SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "PLAIN"]
        let result = SASLTest.choose(offered, security: security, xep0440: list)
        #expect(Self.mechanism(result) == mechanism)
        #expect(Self.gs2Flag(result) == flag)
    }

    // H68: XEP-0440 lists only types we lack (tls-server-end-point missing).
    @Test func xep0440ListWithoutUsableTypeAborts() {
        let result = SASLTest.choose(["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"], security: Self.tls13, xep0440: [.tlsUnique])
        #expect(result.map(\.mechanism) == .failure(.channelBindingUnavailable))
    }

    // H67 with XEP-0440: binding types announced but every -PLUS removed.
    @Test func xep0440WithoutPlusMechanismsAborts() {
        let result = SASLTest.choose(["SCRAM-SHA-256", "PLAIN"], security: Self.tls13, xep0440: [.tlsExporter])
        #expect(result.map(\.mechanism) == .failure(.channelBindingUnavailable))
    }

    @Test func xep0440IsIrrelevantWhenWeCannotBind() {
        let noPlus = SASLTest.configuration(allowedMechanisms: [.scramSHA256, .scramSHA1])
        let result = SASLTest.choose(["SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"], noPlus, security: Self.tls13, xep0440: [.tlsUnique])
        #expect(Self.mechanism(result) == "SCRAM-SHA-256")
        #expect(Self.gs2Flag(result) == "n")
        let noData = SASLTest.choose(["SCRAM-SHA-256"], security: SASLTest.tls, xep0440: [.tlsExporter])
        #expect(Self.gs2Flag(noData) == "n")
    }

    @Test func plusIsNeverUsedWithEmptyBindingData() {
        let empty = SASLTransportSecurity(isEncrypted: true, channelBindings: [.tlsUnique: []])
        let result = SASLTest.choose(["SCRAM-SHA-1-PLUS", "SCRAM-SHA-1"], security: empty)
        #expect(Self.mechanism(result) == "SCRAM-SHA-1")
        #expect(Self.gs2Flag(result) == "n")
    }

    @Test func plusMechanismsAreNotUsedWhenNotConfigured() {
        let configuration = SASLTest.configuration(allowedMechanisms: [.scramSHA1, .plain])
        let result = SASLTest.choose(["SCRAM-SHA-1-PLUS", "SCRAM-SHA-1"], configuration, security: Self.tlsUnique)
        #expect(Self.mechanism(result) == "SCRAM-SHA-1")
        #expect(Self.gs2Flag(result) == "n")
    }

    @Test func mechanismIsRecorded() {
        var negotiation = SASLTest.negotiation()
        #expect(negotiation.mechanism == nil)
        _ = negotiation.start(offeredMechanisms: ["PLAIN", "SCRAM-SHA-1"])
        #expect(negotiation.mechanism == .scramSHA1)
    }
}
