import NIOGnuTLS
import Testing
import XMPPCore

@testable import XMPP

/// Server `<failure/>`, PLAIN/EXTERNAL payloads, no fallback, and the rule
/// that no description ever shows the password.
@Suite struct SASLOutcomeTests {
    @Test func failureBecomesTypedError() {
        var negotiation = SASLTest.negotiation()
        _ = negotiation.start(offeredMechanisms: ["SCRAM-SHA-1"])
        let action = negotiation.received(SASLTest.failure("not-authorized", text: "Invalid username or password"))
        #expect(action == .failed(.serverFailure(condition: "not-authorized", text: "Invalid username or password")))
        if case .failed(let error) = action {
            #expect(error.serverCondition == "not-authorized")
            #expect(error.serverText == "Invalid username or password")
        }
    }

    @Test(arguments: [
        "aborted", "account-disabled", "credentials-expired", "encryption-required", "incorrect-encoding",
        "invalid-authzid", "invalid-mechanism", "malformed-request", "mechanism-too-weak", "temporary-auth-failure",
    ])
    func everyRFC6120ConditionIsKept(_ condition: String) {
        var negotiation = SASLTest.negotiation()
        _ = negotiation.start(offeredMechanisms: ["PLAIN"])
        #expect(negotiation.received(SASLTest.failure(condition)) == .failed(.serverFailure(condition: condition, text: nil)))
    }

    @Test func unknownOrMissingConditionIsNotAuthorized() {
        var unknown = SASLTest.negotiation()
        _ = unknown.start(offeredMechanisms: ["PLAIN"])
        #expect(unknown.received(SASLTest.failure("evil-<condition>")) == .failed(.serverFailure(condition: "not-authorized", text: nil)))
        var empty = SASLTest.negotiation()
        _ = empty.start(offeredMechanisms: ["PLAIN"])
        #expect(empty.received(SASLTest.element("failure")) == .failed(.serverFailure(condition: "not-authorized", text: nil)))
    }

    /// P17: a wrong password with SCRAM offered ends the exchange; PLAIN,
    /// though offered and allowed, is never tried.
    @Test func noFallbackAfterFailure() {
        var negotiation = SASLTest.negotiation()
        let first = SASLTest.sent(negotiation.start(offeredMechanisms: ["PLAIN", "SCRAM-SHA-1"]))
        #expect(first?.mechanism == "SCRAM-SHA-1")
        #expect(negotiation.received(SASLTest.failure("not-authorized")) == .failed(.serverFailure(condition: "not-authorized", text: nil)))
        #expect(negotiation.start(offeredMechanisms: ["PLAIN"]) == .failed(.unexpectedElement))
        #expect(negotiation.received(SASLTest.success()) == .failed(.unexpectedElement))
    }

    @Test func plainPayload() {
        let configuration = SASLTest.configuration(username: "juliet", password: "r0m30myr0m30", allowedMechanisms: [.plain])
        var negotiation = SASLTest.negotiation(configuration)
        let action = negotiation.start(offeredMechanisms: ["PLAIN"])
        // RFC 6120 §6.4.x example: base64("\0juliet\0r0m30myr0m30")
        #expect(action == .send(XMLElement(
            "auth", namespace: XMLNamespace.sasl, attributes: ["mechanism": "PLAIN"],
            children: [.text("AGp1bGlldAByMG0zMG15cjBtMzA=")])))
        #expect(negotiation.received(SASLTest.success()) == .succeeded)
    }

    @Test func plainWithAuthzidAndChallengeIsRefused() {
        let configuration = SASLTest.configuration(
            username: "juliet", password: "pw", authorizationIdentity: "romeo@example.net", allowedMechanisms: [.plain])
        var negotiation = SASLTest.negotiation(configuration)
        let sent = SASLTest.sent(negotiation.start(offeredMechanisms: ["PLAIN"]))
        #expect(sent?.message == "romeo@example.net\0juliet\0pw")
        #expect(negotiation.received(SASLTest.challenge("x")) == .failed(.unexpectedElement))
    }

    @Test func credentialsWithNULAreRefused() {
        let plain = SASLTest.configuration(password: "a\0b", allowedMechanisms: [.plain])
        #expect(SASLTest.choose(["PLAIN"], plain).map(\.mechanism) == .failure(.invalidCredentials))
        let scram = SASLTest.configuration(username: "us\0er", allowedMechanisms: [.scramSHA1])
        #expect(SASLTest.choose(["SCRAM-SHA-1"], scram).map(\.mechanism) == .failure(.invalidCredentials))
        let emptyUser = SASLTest.configuration(username: "", allowedMechanisms: [.scramSHA1])
        #expect(SASLTest.choose(["SCRAM-SHA-1"], emptyUser).map(\.mechanism) == .failure(.invalidCredentials))
    }

    @Test func externalSendsAuthzidOrEquals() {
        let bare = SASLTest.configuration(password: nil, allowedMechanisms: [.external])
        var negotiation = SASLTest.negotiation(bare)
        guard case .send(let auth) = negotiation.start(offeredMechanisms: ["EXTERNAL"]) else {
            Issue.record("expected <auth/>")
            return
        }
        #expect(auth.text == "=")
        let withAuthzid = SASLTest.configuration(password: nil, authorizationIdentity: "juliet@example.com", allowedMechanisms: [.external])
        #expect((try? SASLTest.choose(["EXTERNAL"], withAuthzid).get().message) == "juliet@example.com")
    }

    @Test func failingNonceSourceIsACryptoFailure() {
        var negotiation = SASLNegotiation(
            configuration: SASLTest.configuration(), security: SASLTest.tls,
            serverAdvertisesChannelBindings: nil, clientNonce: { nil })
        #expect(negotiation.start(offeredMechanisms: ["SCRAM-SHA-1"]) == .failed(.cryptoFailure))
    }

    @Test func abortSendsAbortAndEndsOnFailure() {
        var negotiation = SASLTest.negotiation()
        _ = negotiation.start(offeredMechanisms: ["SCRAM-SHA-1"])
        #expect(negotiation.abort() == .send(XMLElement("abort", namespace: XMLNamespace.sasl)))
        #expect(negotiation.received(SASLTest.failure("aborted")) == .failed(.serverFailure(condition: "aborted", text: nil)))
    }

    @Test func descriptionsNeverContainThePassword() {
        let password = SASLTest.password
        let configuration = SASLTest.configuration()
        #expect(!configuration.description.contains(password))
        #expect(!String(reflecting: configuration).contains(password))
        #expect(!"\(configuration)".contains(password))

        var errors: [SASLError] = [
            .noAcceptableMechanism, .plainWithoutTLS, .invalidServerNonce, .invalidServerSignature,
            .missingServerSignature, .invalidBase64, .unexpectedElement, .channelBindingUnavailable, .cryptoFailure,
            .invalidCredentials, .iterationCountOutOfRange(1), .malformedChallenge("r"), .scramServerError("invalid-proof"),
            .serverFailure(condition: "not-authorized", text: "bad\u{7}\nline"),
        ]
        // Errors produced by real exchanges with this password.
        for message in ["r=x,s=QSXCR+Q6sek8bf92,i=4096", "e=\(password)", "m=\(password)", "r=\(password)"] {
            var negotiation = SASLTest.negotiation()
            _ = negotiation.start(offeredMechanisms: ["SCRAM-SHA-1"])
            if case .failed(let error) = negotiation.received(SASLTest.challenge(message)) { errors.append(error) }
        }
        #expect(errors.count == 18)
        for error in errors {
            #expect(!error.description.contains(password))
            #expect(!String(reflecting: error).contains(password))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func serverTextIsShortenedInDescriptions() {
        let error = SASLError.serverFailure(condition: "not-authorized", text: String(repeating: "A", count: 10_000))
        #expect(error.description.count < 300)
    }

    @Test func transportSecurityFromConnectionInfo() {
        #expect(SASLTransportSecurity(connectionInfo: nil).isEncrypted == false)
        let info = GnuTLSConnectionInfo(
            protocolVersion: .tls12, cipherSuite: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            channelBindings: [.tlsUnique: [1, 2, 3], .tlsServerEndPoint: [4], .tlsExporter: []])
        let security = SASLTransportSecurity(connectionInfo: info)
        #expect(security.isEncrypted)
        #expect(security.channelBindings == [.tlsUnique: [1, 2, 3], .tlsServerEndPoint: [4]])
    }
}

/// Logging or dumping the negotiation, its actions or the configuration
/// never shows the password, not even base64-encoded.
@Suite struct SASLRedactionTests {
    static func leaks(_ text: String) -> Bool {
        let password = SASLTest.password
        let plainPayload = SASLBase64.encode(Array("\0user\0\(password)".utf8))
        return text.contains(password) || text.contains(plainPayload) || text.contains(SASLBase64.encode(Array(password.utf8)))
    }

    static func dumped(_ value: some Any) -> String {
        var text = ""
        dump(value, to: &text)
        return text
    }

    @Test func plainAuthActionIsRedacted() {
        var negotiation = SASLTest.negotiation(SASLTest.configuration(allowedMechanisms: [.plain]))
        let action = negotiation.start(offeredMechanisms: ["PLAIN"])
        #expect(String(describing: action) == "send(<auth mechanism=PLAIN> [payload redacted])")
        #expect(!Self.leaks("\(action)"))
        #expect(!Self.leaks(String(reflecting: action)))
        #expect(!Self.leaks(Self.dumped(action)))
    }

    @Test func scramNegotiationIsRedacted() {
        var negotiation = SASLTest.negotiation()
        _ = negotiation.start(offeredMechanisms: ["SCRAM-SHA-1"])
        #expect(!Self.leaks("\(negotiation)"))
        #expect(!Self.leaks(String(reflecting: negotiation)))
        #expect(!Self.leaks(Self.dumped(negotiation)))
        #expect(!Self.dumped(negotiation).contains("pencil"))
    }

    @Test func configurationIsRedacted() {
        let configuration = SASLTest.configuration()
        #expect(!Self.leaks(Self.dumped(configuration)))
        #expect(Self.dumped(configuration).contains("<redacted>"))
    }
}
