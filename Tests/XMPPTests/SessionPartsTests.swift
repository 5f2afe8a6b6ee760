import NIOGnuTLS
import Testing
import XMPPCore

@testable import XMPP

/// The small parts of the session layer: features, redirect targets, the
/// configuration's redaction, errors.
@Suite struct SessionPartsTests {
    typealias T = SessionTest

    @Test("Features are matched by namespace; XEP-0440 and the session flag are read (P12)")
    func features() {
        var xep0440 = XMLElement("sasl-channel-binding", namespace: StreamFeatures.channelBindingNamespace)
        for type in ["tls-server-end-point", "tls-exporter"] {
            xep0440.append(XMLElement("channel-binding", namespace: StreamFeatures.channelBindingNamespace, attributes: ["type": type]))
        }
        let features = StreamFeatures(
            T.features(
                XMLElement("starttls", namespace: "urn:wrong"),
                T.mechanisms(" SCRAM-SHA-1\n", "PLAIN", ""),
                xep0440,
                T.sessionFeature(optional: false)))
        #expect(!features.offersStartTLS)
        #expect(features.saslMechanisms == ["SCRAM-SHA-1", "PLAIN"])
        #expect(features.saslChannelBindings == [.tlsServerEndPoint, .tlsExporter])
        #expect(!features.offersResourceBinding)
        #expect(features.session == .required)

        let plain = StreamFeatures(T.features(T.startTLSFeature))
        #expect(plain.offersStartTLS)
        #expect(plain.saslMechanisms == nil)
        #expect(plain.saslChannelBindings == nil)
        #expect(plain.session == .absent)
    }

    @Test(
        "see-other-host targets",
        arguments: [
            ("example.net", SeeOtherHostTarget(host: "example.net", port: nil)),
            ("example.net:443", SeeOtherHostTarget(host: "example.net", port: 443)),
            ("[::1]", SeeOtherHostTarget(host: "::1", port: nil)),
            ("[::1]:15222", SeeOtherHostTarget(host: "::1", port: 15222)),
            ("fe80::1", SeeOtherHostTarget(host: "fe80::1", port: nil)),
            ("xn--bcher-kva.example", SeeOtherHostTarget(host: "xn--bcher-kva.example", port: nil)),
        ] as [(String, SeeOtherHostTarget?)])
    func seeOtherHostTargets(text: String, expected: SeeOtherHostTarget?) {
        #expect(SeeOtherHostTarget(text) == expected)
    }

    @Test(
        "Unusable see-other-host targets",
        arguments: ["", ":5222", "host:", "host:abc", "host:65536", "[::1]x", "[example.net]:5222", "a b", "a\u{0}b", "bücher.example", "x@y"])
    func badSeeOtherHostTargets(text: String) {
        #expect(SeeOtherHostTarget(text) == nil)
    }

    @Test("The configuration never shows the password: description, debugDescription, dump, interpolation")
    func configurationRedactsPassword() throws {
        let password = "hunter2-very-secret"
        let configuration = XMPPConnection.Configuration(jid: try FullJID("alice@example.com/desk"), password: password)
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in [configuration.description, configuration.debugDescription, dumped, "\(configuration)", String(reflecting: configuration)] {
            #expect(!text.contains(password), "\(text)")
            #expect(text.contains("alice@example.com"))
        }
        #expect(configuration.password == password)
        let sasl = try configuration.saslConfiguration()
        #expect(!sasl.description.contains(password))
    }

    @Test("The configuration builds the SASL and machine configurations from the JID")
    func configurationParts() throws {
        var configuration = XMPPConnection.Configuration(jid: try BareJID("Alice@Example.com"), password: "p")
        configuration.authentication.allowedMechanisms = [.scramSHA256]
        let session = try configuration.sessionConfiguration()
        #expect(session.jid == (try BareJID("alice@example.com")))
        #expect(session.requestedResource == nil)
        #expect(session.sasl.username == "alice")
        #expect(session.sasl.allowedMechanisms == [.scramSHA256])
        #expect(session.maximumRedirects == 3)

        let full = XMPPConnection.Configuration(jid: try FullJID("alice@example.com/desk"), password: "p")
        #expect(try full.sessionConfiguration().requestedResource == "desk")

        let domainOnly = XMPPConnection.Configuration(jid: try BareJID("example.com"), password: "p")
        let error = #expect(throws: XMPPClientError.self) { try domainOnly.sessionConfiguration() }
        #expect(error?.code == .invalidConfiguration)
    }

    @Test("Error descriptions name the failure and never carry secrets")
    func errorDescriptions() {
        let errors: [XMPPClientError] = [
            .tlsRequired, .proceedInjection, .dataBeforeStreamRestart, .streamClosedByPeer,
            .tlsFailed(GnuTLSError(.handshakeFailed, detail: "alert"), detail: "TLS failed"),
            .authenticationFailed(.serverFailure(condition: "not-authorized", text: nil)),
            .bindFailed(StanzaError(.conflict), detail: "x"), .sessionFailed(nil),
            .streamError(StreamError(.conflict, text: "replaced")), .xmlError(XMLStreamError(.comment, byteOffset: 1)),
            .timeout(.resourceBinding), .connectionClosed(detail: "gone"), .seeOtherHostLimit(StreamError(.seeOtherHost)),
            .invalidStreamHeader(.unsupportedVersion, detail: "v"), .unexpectedElement(XMLQualifiedName("x")),
            .invalidConfiguration("no localpart"),
        ]
        #expect(Set(errors.map(\.code)).count == errors.count, "each code once")
        for error in errors {
            #expect(error.description.hasPrefix("XMPP: "))
            #expect(!error.description.contains(T.password))
        }
        #expect(XMPPClientError.timeout(.resourceBinding).description.contains("resource binding"))
        #expect(XMPPClientError.tlsFailed(GnuTLSError(.handshakeFailed), detail: "x").tlsError?.kind == .handshakeFailed)
    }

    @Test("Log redaction hides SASL payloads and nothing else")
    func redaction() {
        let auth = T.plainAuth
        let redacted = XMLLogRedaction.redacted(auth)
        #expect(redacted[attribute: "mechanism"] == "PLAIN")
        #expect(redacted.text == XMLLogRedaction.placeholder)
        #expect(XMLLogRedaction.redacted(T.chat) == T.chat)
        let xml = XMLLogRedaction.xml(auth, writer: XMLWriter())
        #expect(!xml.contains(auth.text))
    }
}
