import Foundation
import NIOGnuTLS
import Testing
import XMPPTestSupport

extension NIOGnuTLSTests {
    /// Contexts built from equal settings share one loaded trust store and
    /// one compiled priority cache (GnuTLSSharedMaterial), so that a client
    /// that builds a context per connection does not hold a copy per
    /// connection; files changed on disk are still read anew.
    @Suite("Shared credentials and priorities")
    struct SharedMaterialTests {
        @Test("equal settings share the credentials and the priorities; other versions share only the credentials")
        func equalSettingsShare() throws {
            var configuration = GnuTLSConfiguration()
            configuration.trustRoots = .pem(try TestContexts.certificates().caPEM)
            let first = try GnuTLSContext(configuration: configuration)
            let second = try GnuTLSContext(configuration: configuration)
            #expect(first.sharesCredentials(with: second))
            #expect(first.sharesPriority(with: second))
            #expect(second.trustAnchorCount == first.trustAnchorCount)

            configuration.minimumVersion = .tls13
            let newer = try GnuTLSContext(configuration: configuration)
            #expect(newer.sharesCredentials(with: first))
            #expect(!newer.sharesPriority(with: first))

            configuration.trustRoots = .pem(try TestContexts.certificates().otherCAPEM)
            #expect(!(try GnuTLSContext(configuration: configuration)).sharesCredentials(with: first))
        }

        @Test("a trust file changed on disk is loaded anew while a context with the old one lives")
        func changedFileIsReloaded() throws {
            let certificates = try TestContexts.certificates()
            let path = FileManager.default.temporaryDirectory
                .appendingPathComponent("shared-material-\(UUID().uuidString).pem").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try certificates.caPEM.write(toFile: path, atomically: false, encoding: .utf8)
            var configuration = GnuTLSConfiguration()
            configuration.trustRoots = .files([path])
            let old = try GnuTLSContext(configuration: configuration)
            #expect(old.trustAnchorCount == 1)
            #expect(try GnuTLSContext(configuration: configuration).sharesCredentials(with: old))

            // Rewritten in place with a second authority: another size (and
            // modification time), so another version of the file.
            try (certificates.caPEM + "\n" + certificates.otherCAPEM).write(toFile: path, atomically: false, encoding: .utf8)
            let new = try GnuTLSContext(configuration: configuration)
            #expect(new.trustAnchorCount == 2)
            #expect(!new.sharesCredentials(with: old))
            #expect(old.trustAnchorCount == 1)
        }

        @Test("contexts made one after another, none alive in between, share the credentials")
        func sequentialContextsShare() throws {
            // A trust store of its own, so that no other test's contexts
            // touch these credentials.
            var configuration = GnuTLSConfiguration()
            let certificates = try TestContexts.certificates()
            configuration.trustRoots = .pem(certificates.otherCAPEM + "\n" + certificates.caPEM)
            weak var loaded: AnyObject?
            do {
                let first = try GnuTLSContext(configuration: configuration)
                loaded = first.credentialsObject
                #expect(first.trustAnchorCount == 2)
            }
            // Read into plain values first: a weak local inside #expect's
            // autoclosure crashes the 6.3 compiler.
            let kept = loaded != nil
            #expect(kept, "kept after the last context using them went away")
            let second = try GnuTLSContext(configuration: configuration)
            let same = second.credentialsObject === loaded
            #expect(same, "not loaded anew")
        }

        @Test("a failed load is not remembered: the next context with a fixed file loads")
        func failureIsNotCached() throws {
            let path = FileManager.default.temporaryDirectory
                .appendingPathComponent("shared-material-\(UUID().uuidString).pem").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try "no certificate here".write(toFile: path, atomically: false, encoding: .utf8)
            var configuration = GnuTLSConfiguration()
            configuration.trustRoots = .files([path])
            #expect(throws: GnuTLSError.self) { try GnuTLSContext(configuration: configuration) }
            try TestContexts.certificates().caPEM.write(toFile: path, atomically: false, encoding: .utf8)
            #expect(try GnuTLSContext(configuration: configuration).trustAnchorCount == 1)
        }
    }
}
