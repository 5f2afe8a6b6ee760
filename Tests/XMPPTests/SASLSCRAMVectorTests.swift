import Testing
import XMPPCore

@testable import XMPP

@Suite struct SASLSCRAMVectorTests {
    /// RFC 5802 §5: SCRAM-SHA-1, user "user", password "pencil".
    @Test func rfc5802Example() {
        let configuration = SASLTest.configuration(password: "pencil", allowedMechanisms: [.scramSHA1])
        var negotiation = SASLTest.negotiation(configuration, nonce: "fyko+d2lbbFgONRv9qkxdawL")
        let auth = SASLTest.sent(negotiation.start(offeredMechanisms: ["SCRAM-SHA-1", "PLAIN"]))
        #expect(auth?.name == "auth")
        #expect(auth?.mechanism == "SCRAM-SHA-1")
        #expect(auth?.message == "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL")
        #expect(negotiation.mechanism == .scramSHA1)

        let response = SASLTest.sent(negotiation.received(SASLTest.challenge(
            "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")))
        #expect(response?.name == "response")
        #expect(response?.message
            == "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=")

        #expect(negotiation.received(SASLTest.success("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")) == .succeeded)
    }

    /// RFC 7677 §3: SCRAM-SHA-256, same credentials.
    @Test func rfc7677Example() {
        let configuration = SASLTest.configuration(password: "pencil", allowedMechanisms: [.scramSHA256])
        var negotiation = SASLTest.negotiation(configuration, nonce: "rOprNGfwEbeRWgbNEkqO")
        let auth = SASLTest.sent(negotiation.start(offeredMechanisms: ["SCRAM-SHA-256"]))
        #expect(auth?.message == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")

        let response = SASLTest.sent(negotiation.received(SASLTest.challenge(
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")))
        #expect(response?.message == "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")

        #expect(negotiation.received(SASLTest.success("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")) == .succeeded)
    }

    /// The server-final may come in a last challenge; we answer with an
    /// empty response and accept the data-less success that follows.
    @Test func serverFinalInChallengeThenEmptySuccess() {
        let configuration = SASLTest.configuration(password: "pencil", allowedMechanisms: [.scramSHA1])
        var negotiation = SASLTest.negotiation(configuration)
        _ = negotiation.start(offeredMechanisms: ["SCRAM-SHA-1"])
        _ = negotiation.received(SASLTest.challenge(
            "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"))
        let empty = negotiation.received(SASLTest.challenge("v=rmF9pqV8S7suAoZWja4dJRkFsKQ="))
        #expect(empty == .send(XMLElement("response", namespace: XMLNamespace.sasl)))
        #expect(negotiation.received(SASLTest.success()) == .succeeded)
    }

    @Test(arguments: [HMACAlgorithm.sha1, .sha256, .sha512])
    func roundTripsWithIndependentServer(_ algorithm: HMACAlgorithm) {
        let mechanism: SASLMechanismName = switch algorithm {
        case .sha1: .scramSHA1
        case .sha256: .scramSHA256
        case .sha512: .scramSHA512
        }
        var negotiation = SASLTest.negotiation(nonce: "clientNonce0123456789abcdefghij")
        var server = SASLTestSCRAMServer(
            algorithm: algorithm, password: SASLTest.password, expectedChannelBinding: Array("n,,".utf8))
        let auth = SASLTest.sent(negotiation.start(offeredMechanisms: [mechanism.name, "PLAIN"]))
        #expect(auth?.mechanism == mechanism.name)
        let serverFirst = server.serverFirst(for: auth?.message ?? "")
        let response = SASLTest.sent(negotiation.received(SASLTest.challenge(serverFirst)))
        let serverFinal = server.serverFinal(for: response?.message ?? "")
        #expect(serverFinal.hasPrefix("v="))
        #expect(negotiation.received(SASLTest.success(serverFinal)) == .succeeded)
    }

    /// SCRAM-SHA-512-PLUS with tls-exporter (XEP-0440 lists it): `c=` is
    /// the GS2 header followed by the binding data.
    @Test func plusRoundTripBindsChannelData() {
        let binding: [UInt8] = Array(0..<32)
        let security = SASLTransportSecurity(isEncrypted: true, channelBindings: [.tlsExporter: binding])
        var negotiation = SASLTest.negotiation(security: security, xep0440: [.tlsServerEndPoint, .tlsExporter])
        let auth = SASLTest.sent(negotiation.start(offeredMechanisms: ["SCRAM-SHA-1", "SCRAM-SHA-512-PLUS"]))
        #expect(auth?.mechanism == "SCRAM-SHA-512-PLUS")
        #expect(auth?.message.hasPrefix("p=tls-exporter,,n=user,r=") == true)
        var server = SASLTestSCRAMServer(
            algorithm: .sha512, password: SASLTest.password,
            expectedChannelBinding: Array("p=tls-exporter,,".utf8) + binding)
        let response = SASLTest.sent(negotiation.received(SASLTest.challenge(server.serverFirst(for: auth?.message ?? ""))))
        let serverFinal = server.serverFinal(for: response?.message ?? "")
        #expect(serverFinal.hasPrefix("v="))
        #expect(negotiation.received(SASLTest.success(serverFinal)) == .succeeded)
    }

    /// A server binding other data (a man in the middle's connection)
    /// refuses the proof.
    @Test func plusWithDifferentBindingIsRefusedByServer() {
        let security = SASLTransportSecurity(isEncrypted: true, channelBindings: [.tlsUnique: [1, 2, 3]])
        var negotiation = SASLTest.negotiation(security: security)
        let auth = SASLTest.sent(negotiation.start(offeredMechanisms: ["SCRAM-SHA-1-PLUS", "SCRAM-SHA-1"]))
        #expect(auth?.mechanism == "SCRAM-SHA-1-PLUS")
        var server = SASLTestSCRAMServer(
            algorithm: .sha1, password: SASLTest.password, expectedChannelBinding: Array("p=tls-unique,,".utf8) + [9, 9, 9])
        let response = SASLTest.sent(negotiation.received(SASLTest.challenge(server.serverFirst(for: auth?.message ?? ""))))
        let serverFinal = server.serverFinal(for: response?.message ?? "")
        #expect(serverFinal == "e=channel-bindings-dont-match")
        #expect(negotiation.received(SASLTest.success(serverFinal)) == .failed(.scramServerError("channel-bindings-dont-match")))
    }

    @Test func escapesUsernameAndAuthzid() {
        let configuration = SASLTest.configuration(
            username: "a,b=c", authorizationIdentity: "ad=min,x@example.com", allowedMechanisms: [.scramSHA256])
        let chosen = SASLTest.choose(["SCRAM-SHA-256"], configuration)
        #expect((try? chosen.get().message) == "n,a=ad=3Dmin=2Cx@example.com,n=a=2Cb=3Dc,r=fyko+d2lbbFgONRv9qkxdawL")
    }

    @Test func authzidEntersChannelBindingAttribute() {
        let configuration = SASLTest.configuration(
            password: "pencil", authorizationIdentity: "admin", allowedMechanisms: [.scramSHA1])
        var negotiation = SASLTest.negotiation(configuration)
        _ = negotiation.start(offeredMechanisms: ["SCRAM-SHA-1"])
        let response = SASLTest.sent(negotiation.received(SASLTest.challenge(
            "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")))
        // base64("n,a=admin,")
        #expect(response?.message.hasPrefix("c=bixhPWFkbWluLA==,r=") == true)
    }

    @Test func randomNonceIsLongEnoughAndDiffers() throws {
        let first = try #require(SCRAMClient.randomNonce())
        let second = try #require(SCRAMClient.randomNonce())
        #expect(SASLBase64.decode(first)?.count == 24)
        #expect(first != second)
        #expect(!first.contains(","))
    }

    @Test func passwordPreparationMapsSpacesAndNormalises() {
        #expect(SASLPasswordPreparation.prepare("pencil") == "pencil")
        #expect(SASLPasswordPreparation.prepare("a\u{00A0}b") == "a b")
        #expect(SASLPasswordPreparation.prepare("e\u{0301}").unicodeScalars.map(\.value) == [0xE9])
    }
}
