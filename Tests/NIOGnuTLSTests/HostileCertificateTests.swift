import NIOCore
import NIOGnuTLS
import NIOPosix
import NIOTLS
import Testing
import XMPPTestSupport

extension NIOGnuTLSTests {
    /// security.md §6 group D over loopback TCP with the test CA: each
    /// hostile certificate is refused for the reason §6 names.
    @Suite("Hostile certificates (security.md §6 D)")
    struct HostileCertificateTests {
        private func expect(_ identity: TestCertificates.Name, name: String, _ problems: GnuTLSError.CertificateProblems?) async throws {
            let outcome = try await LoopbackProbe.connect(
                client: try TestContexts.client(), server: try TestContexts.makeServer(identity), name: name)
            try outcome.expect(problems)
        }

        @Test("H45: a valid CA-signed certificate for another host fails as wrongName")
        func H45_otherHost() async throws { try await expect(.wrongName, name: "xmpp.test", .wrongName) }

        @Test("H46: an expired certificate fails as expired")
        func H46_expired() async throws { try await expect(.expired, name: "xmpp.test", .expired) }

        @Test("H47: a self-signed certificate fails as untrusted and self-signed")
        func H47_selfSigned() async throws { try await expect(.selfSigned, name: "xmpp.test", [.untrusted, .selfSigned]) }

        @Test("H47: a certificate from an unknown CA fails as untrusted")
        func H47_unknownCA() async throws { try await expect(.untrusted, name: "xmpp.test", .untrusted) }

        @Test("H48: *.example.com fails for example.com and a.b.example.com, passes for a.example.com",
              arguments: [("example.com", false), ("a.b.example.com", false), ("a.example.com", true)])
        func H48_wildcard(name: String, passes: Bool) async throws {
            try await expect(.wildcard, name: name, passes ? nil : .wrongName)
        }

        @Test("H51: a leaf with clientAuth only fails as wrongPurpose")
        func H51_clientAuthOnly() async throws { try await expect(.clientAuthOnly, name: "xmpp.test", .wrongPurpose) }
    }
}
