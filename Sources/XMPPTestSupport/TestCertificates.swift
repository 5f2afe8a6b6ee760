internal import Dispatch
internal import Foundation

/// The throwaway test PKI that `Scripts/generate-test-certs.sh` makes: a test
/// CA, an untrusted CA, and leaf certificates for the good and the bad
/// cases (all ECDSA P-256, PEM).
///
/// ``load()`` finds the repository from this file's path, runs the script
/// once if `.test-env/certs/.complete` or a leaf of ``Name`` is missing
/// (bounded by a timeout; the script then adds the missing leaves without
/// touching the others), and reads the files. The result is cached for the process, so parallel
/// tests share one load.
public struct TestCertificates: Sendable {
    /// The directory holding the PEM files.
    public let directory: String
    /// The test CA's certificate: the trust root for every good case.
    public let caPEM: String
    /// A second CA that no test trusts (it signed ``Name/untrusted``).
    public let otherCAPEM: String

    /// A certificate with its key, as PEM text and as file paths.
    public struct Identity: Hashable, Sendable {
        /// Which leaf this is.
        public let name: Name
        /// The certificate, PEM.
        public let certificatePEM: String
        /// The unencrypted private key, PEM.
        public let privateKeyPEM: String
        /// Where the certificate file is.
        public let certificatePath: String
        /// Where the key file is.
        public let privateKeyPath: String
    }

    /// The leaves the script issues; the raw value is the file name stem.
    public enum Name: String, CaseIterable, Hashable, Sendable {
        /// xmpp.test, conference.xmpp.test, upload.xmpp.test; serverAuth.
        case server
        /// other.test.
        case wrongName = "wrong-name"
        /// xmpp.test, validity wholly in the past.
        case expired
        /// xmpp.test, signed by itself.
        case selfSigned = "self-signed"
        /// xmpp.test, extended key usage clientAuth only.
        case clientAuthOnly = "client-auth-only"
        /// *.example.com.
        case wildcard
        /// xmpp.test, signed by the untrusted CA.
        case untrusted
        /// xmppAddr alice@xmpp.test; clientAuth (for SASL EXTERNAL).
        case client
        /// xmpp.test, validity starting in the future.
        case notYetValid = "not-yet-valid"
        /// CN xmpp.test and no subjectAltName (a CN-ID only).
        case cnOnly = "cn-only"
        /// subjectAltName DNS other.test, CN xmpp.test.
        case sanOtherCNOurs = "san-other-cn-ours"
        /// xmpp.test, signed by an intermediate without CA:TRUE; the PEM is
        /// the chain (leaf, then that intermediate).
        case signedByNonCA = "signed-by-non-ca"
        /// xmpp.test, signed by an intermediate CA whose name constraints
        /// exclude xmpp.test; the PEM is the chain.
        case nameExcluded = "name-excluded"
        /// allowed.test, signed by the same constrained intermediate (the
        /// control: a chain through it verifies); the PEM is the chain.
        case namePermitted = "name-permitted"
        /// localhost and IP 127.0.0.1: an endpoint host, not an XMPP domain.
        case localhost
        /// xn--bcher-kva.test, the A-label form of "bücher.test".
        case idn
        /// subjectAltName DNS "bücher.test" as raw UTF-8 (the U-label, which
        /// a dNSName may not hold), CN xn--bcher-kva.test.
        case idnULabel = "idn-u-label"
        /// subjectAltName DNS "xmpp.test\u{0}.evil" (an embedded NUL), CN xmpp.test.
        case nulSAN = "nul-san"
    }

    private let identities: [Name: Identity]

    /// The leaf called `name`.
    public func identity(_ name: Name) -> Identity {
        // Every name was loaded in `read(from:)`, or loading threw.
        identities[name]
            ?? Identity(name: name, certificatePEM: "", privateKeyPEM: "", certificatePath: "", privateKeyPath: "")
    }

    /// Why the certificates could not be had.
    public struct LoadError: Error, CustomStringConvertible {
        /// What went wrong, with paths.
        public let description: String
    }

    /// The repository root, found from this source file's path.
    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // TestCertificates.swift, XMPPTestSupport, Sources
        return url.path
    }()

    /// The default directory, `<repo>/.test-env/certs`.
    public static var defaultDirectory: String { repositoryRoot + "/.test-env/certs" }

    /// How long the generator may run before it is stopped.
    public static let generatorTimeoutSeconds = 120

    private static let cached: Result<TestCertificates, LoadError> = {
        do throws(LoadError) {
            return .success(try load(directory: defaultDirectory))
        } catch {
            return .failure(error)
        }
    }()

    /// The certificates in ``defaultDirectory``, generated first if needed;
    /// loaded once per process.
    public static func load() throws(LoadError) -> TestCertificates {
        try cached.get()
    }

    /// The certificates in `directory`, generated there first if its
    /// `.complete` marker is missing; not cached.
    public static func load(directory: String) throws(LoadError) -> TestCertificates {
        try generateIfNeeded(in: directory)
        return try read(from: directory)
    }

    /// Reads the PEM files in `directory` without generating anything.
    public static func read(from directory: String) throws(LoadError) -> TestCertificates {
        func text(_ file: String) throws(LoadError) -> String {
            let path = directory + "/" + file
            guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else {
                throw LoadError(description: "missing or empty test certificate file \(path)")
            }
            return String(decoding: data, as: UTF8.self)
        }
        var identities: [Name: Identity] = [:]
        for name in Name.allCases {
            identities[name] = Identity(
                name: name,
                certificatePEM: try text("\(name.rawValue).pem"),
                privateKeyPEM: try text("\(name.rawValue)-key.pem"),
                certificatePath: directory + "/\(name.rawValue).pem",
                privateKeyPath: directory + "/\(name.rawValue)-key.pem")
        }
        return TestCertificates(
            directory: directory, caPEM: try text("ca.pem"), otherCAPEM: try text("other-ca.pem"), identities: identities)
    }

    /// Runs the generator unless `directory/.complete` and every leaf's
    /// files exist: a set made before a leaf was added to ``Name`` gets the
    /// new leaf. The script locks the directory itself, so concurrent test
    /// processes are safe.
    private static func generateIfNeeded(in directory: String) throws(LoadError) {
        let files = FileManager.default
        let complete = files.fileExists(atPath: directory + "/.complete")
            && Name.allCases.allSatisfy { name in
                files.fileExists(atPath: directory + "/\(name.rawValue).pem")
                    && files.fileExists(atPath: directory + "/\(name.rawValue)-key.pem")
            }
        guard !complete else { return }
        let script = repositoryRoot + "/Scripts/generate-test-certs.sh"
        _ = try BoundedProcess.run(
            "/bin/bash", [script, directory], timeoutSeconds: generatorTimeoutSeconds, what: script)
    }

    /// The SHA-256 of `identity`'s public key (DER SubjectPublicKeyInfo),
    /// computed by the openssl command line: an opinion independent of
    /// GnuTLS, for pinning tests.
    public func publicKeySHA256(of identity: Identity) throws(LoadError) -> [UInt8] {
        let pipeline = "openssl x509 -in \"$1\" -pubkey -noout"
            + " | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary"
        let digest = try BoundedProcess.run(
            "/bin/sh", ["-c", pipeline, "sh", identity.certificatePath], timeoutSeconds: 30, what: "openssl")
        guard digest.count == 32 else {
            throw LoadError(description: "openssl produced \(digest.count) bytes, not a SHA-256 digest")
        }
        return digest
    }
}

/// Runs a program to completion within a time limit, capturing its output.
enum BoundedProcess {
    static func run(
        _ executable: String, _ arguments: [String], timeoutSeconds: Int, what: String
    ) throws(TestCertificates.LoadError) -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do {
            try process.run()
        } catch {
            throw TestCertificates.LoadError(description: "could not run \(what): \(error)")
        }
        // Small outputs only (a digest, a status line): reading after exit
        // cannot deadlock on a full pipe.
        guard finished.wait(timeout: .now() + .seconds(timeoutSeconds)) == .success else {
            process.terminate()
            throw TestCertificates.LoadError(description: "\(what) ran longer than \(timeoutSeconds) s and was stopped")
        }
        // Returns at once (the process has exited). On Linux it is also what
        // releases Foundation's run-loop source, which retains the Process:
        // without it every run leaked the Process and its pipe.
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestCertificates.LoadError(description: "\(what) failed with status \(process.terminationStatus)")
        }
        return Array(output.fileHandleForReading.readDataToEndOfFile())
    }
}
