import Foundation
import NIOGnuTLS
import Testing
import XMPPTestSupport

extension NIOGnuTLSTests {
    @Suite("Test certificates from Scripts/generate-test-certs.sh")
    struct TestCertificatesTests {
        @Test("a missing set is generated, then loaded: every leaf with its key, and a CA GnuTLS accepts")
        func generatesMissingSet() throws {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("xmpp-test-certs-\(UInt64.random(in: 0...UInt64.max))").path
            defer { try? FileManager.default.removeItem(atPath: directory) }

            let certificates = try TestCertificates.load(directory: directory)
            #expect(FileManager.default.fileExists(atPath: directory + "/.complete"))
            for name in TestCertificates.Name.allCases {
                let identity = certificates.identity(name)
                #expect(identity.certificatePEM.contains("BEGIN CERTIFICATE"), "\(name)")
                #expect(identity.privateKeyPEM.contains("PRIVATE KEY"), "\(name)")
            }
            var configuration = GnuTLSConfiguration()
            configuration.trustRoots = .pem(certificates.caPEM)
            #expect(try GnuTLSContext(configuration: configuration).trustAnchorCount == 1)
            #expect(try derOfPEM(certificates.identity(.server).certificatePEM).count > 100)
        }
    }
}
