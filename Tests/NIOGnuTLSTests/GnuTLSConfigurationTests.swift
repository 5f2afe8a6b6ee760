import CGnuTLS
import NIOCore
import NIOGnuTLS
import Testing
import XMPPTestSupport

extension NIOGnuTLSTests {
    @Suite("Configuration, context and errors")
    struct ConfigurationTests {
        @Test("the defaults are the secure ones, and no-verification is not among them")
        func secureDefaults() {
            let configuration = GnuTLSConfiguration()
            #expect(configuration.certificateVerification == .full)
            #expect(configuration.certificateVerification != .insecureNoVerification)
            #expect(configuration.trustRoots == .system)
            #expect(configuration.minimumVersion == .tls12)
            #expect(configuration.publicKeyPins.isEmpty)
            #expect(configuration.clientCertificate == nil)
            #expect(configuration.applicationProtocols.isEmpty)
            #expect(configuration.shutdownTimeout == .seconds(5))
        }

        @Test("trust sources add up without duplicates; .pem alone replaces the system store")
        func trustRootsCombine() {
            let added = GnuTLSConfiguration.TrustRoots.system.adding(.pem("A")).adding(.system).adding(.files(["/a", "/b"]))
            #expect(added.includesSystemStore)
            #expect(added == GnuTLSConfiguration.TrustRoots.system.adding(.pem("A")).adding(.files(["/a", "/b"])))
            #expect(!GnuTLSConfiguration.TrustRoots.pem("A").includesSystemStore)
        }

        @Test("the system store loads, and the test CA adds exactly one anchor to it")
        func systemTrustLoads() throws {
            var configuration = GnuTLSConfiguration()
            let system = try GnuTLSContext(configuration: configuration)
            #expect(system.trustAnchorCount > 0)

            configuration.trustRoots = .system.adding(.pem(try TestContexts.certificates().caPEM))
            #expect(try GnuTLSContext(configuration: configuration).trustAnchorCount == system.trustAnchorCount + 1)

            configuration.trustRoots = .files([try TestContexts.certificates().directory + "/ca.pem"])
            #expect(try GnuTLSContext(configuration: configuration).trustAnchorCount == 1)
        }

        @Test("trust sources without a certificate fail loudly")
        func emptyTrustFails() throws {
            var configuration = GnuTLSConfiguration()
            configuration.trustRoots = .pem("no certificate here")
            let error = try #require(throws: GnuTLSError.self) { try GnuTLSContext(configuration: configuration) }
            #expect(error.kind == .noTrustAnchors)

            configuration.trustRoots = .files(["/nonexistent/ca.pem"])
            #expect(throws: GnuTLSError.self) { try GnuTLSContext(configuration: configuration) }
        }

        @Test("inconsistent configurations are refused", arguments: [
            { (configuration: inout GnuTLSConfiguration) in configuration.certificateVerification = .pinnedOnly },
            { (configuration: inout GnuTLSConfiguration) in configuration.minimumVersion = .tls11 },
            { (configuration: inout GnuTLSConfiguration) in configuration.applicationProtocols = [""] },
            { (configuration: inout GnuTLSConfiguration) in
                configuration.applicationProtocols = [String(repeating: "x", count: 32)]
            },
            { (configuration: inout GnuTLSConfiguration) in
                configuration.applicationProtocols = (0..<9).map { "p\($0)" }
            },
            { (configuration: inout GnuTLSConfiguration) in configuration.shutdownTimeout = .seconds(-1) },
            { (configuration: inout GnuTLSConfiguration) in
                configuration.clientCertificate = .pem(certificateChain: "junk", privateKey: "junk")
            },
        ] as [@Sendable (inout GnuTLSConfiguration) -> Void])
        func invalidConfigurations(change: @Sendable (inout GnuTLSConfiguration) -> Void) throws {
            var configuration = GnuTLSConfiguration()
            configuration.trustRoots = .pem(try TestContexts.certificates().caPEM)
            change(&configuration)
            let error = try #require(throws: GnuTLSError.self) { try GnuTLSContext(configuration: configuration) }
            #expect(error.kind == .invalidConfiguration)
        }

        @Test("a handler needs a server name")
        func emptyServerName() throws {
            let error = try #require(throws: GnuTLSError.self) {
                try GnuTLSClientHandler(context: try TestContexts.client(), serverName: "")
            }
            #expect(error.kind == .invalidConfiguration)
        }

        @Test("pins: base64 round trip; wrong length or bad base64 refused")
        func pins() throws {
            let bytes = (0..<32).map { UInt8($0) }
            let pin = try PublicKeyPin(sha256: bytes)
            #expect(try PublicKeyPin(base64: pin.base64) == pin)
            #expect(pin.base64 == "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
            #expect(throws: GnuTLSError.self) { try PublicKeyPin(sha256: [1, 2, 3]) }
            #expect(throws: GnuTLSError.self) { try PublicKeyPin(base64: "not base64 at all!") }
            #expect(throws: GnuTLSError.self) { try PublicKeyPin(base64: "") }
        }

        private static let invalid = GNUTLS_CERT_INVALID.rawValue
        private static let statusCases: [(UInt32, GnuTLSError.CertificateProblems)] = [
            (invalid | GNUTLS_CERT_SIGNER_NOT_FOUND.rawValue, .untrusted),
            (invalid | GNUTLS_CERT_EXPIRED.rawValue, .expired),
            (invalid | GNUTLS_CERT_NOT_ACTIVATED.rawValue, .notActivated),
            (invalid | GNUTLS_CERT_UNEXPECTED_OWNER.rawValue, .wrongName),
            (invalid | GNUTLS_CERT_PURPOSE_MISMATCH.rawValue, .wrongPurpose),
            (GNUTLS_CERT_REVOKED.rawValue | GNUTLS_CERT_INSECURE_ALGORITHM.rawValue, [.revoked, .insecureAlgorithm]),
            (invalid, .other),
            (invalid | GNUTLS_CERT_MISSING_OCSP_STATUS.rawValue, .other),
        ]

        @Test("verification status bits become readable problems", arguments: statusCases)
        func statusClassification(status: UInt32, expected: GnuTLSError.CertificateProblems) {
            #expect(GnuTLSError.CertificateProblems(status: status) == expected)
        }

        @Test("errors describe themselves without secrets")
        func errorDescription() {
            let error = GnuTLSError(.certificateVerificationFailed, code: -348, detail: "x", certificateProblems: [.expired, .wrongName])
            #expect(error.description == "GnuTLS: certificate verification failed (expired, wrong name) [-348]: x")
        }

        @Test("IP address literals are recognised (SNI must not carry them)", arguments: [
            ("192.0.2.1", true), ("2001:db8::1", true), ("xmpp.test", false), ("1.2.3", false),
        ])
        func ipLiterals(name: String, isIP: Bool) {
            #expect(GnuTLSSession.isIPAddressLiteral(name) == isIP)
        }
    }
}
