internal import CGnuTLS

extension GnuTLSError {
    /// The reasons a peer certificate was refused, as a set: one certificate
    /// can be expired, for the wrong name and from an unknown issuer at once.
    ///
    /// The bits are this library's own, not GnuTLS's status flags, so they
    /// stay stable whatever GnuTLS adds.
    public struct CertificateProblems: OptionSet, Hashable, Sendable, CustomStringConvertible {
        /// The raw bits.
        public var rawValue: UInt32

        /// Creates a set from raw bits.
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// No trusted authority vouches for the chain (issuer unknown).
        public static let untrusted = CertificateProblems(rawValue: 1 << 0)
        /// The leaf signed itself (reported together with ``untrusted``).
        public static let selfSigned = CertificateProblems(rawValue: 1 << 1)
        /// An issuer in the chain is not a certificate authority.
        public static let signerNotCA = CertificateProblems(rawValue: 1 << 2)
        /// A certificate in the chain is past its validity period.
        public static let expired = CertificateProblems(rawValue: 1 << 3)
        /// A certificate in the chain is not valid yet.
        public static let notActivated = CertificateProblems(rawValue: 1 << 4)
        /// The leaf is not for the name being verified (RFC 6125 mismatch).
        public static let wrongName = CertificateProblems(rawValue: 1 << 5)
        /// The leaf (or an issuer) is not for TLS server use (extended key usage).
        public static let wrongPurpose = CertificateProblems(rawValue: 1 << 6)
        /// A certificate in the chain was revoked.
        public static let revoked = CertificateProblems(rawValue: 1 << 7)
        /// The chain uses an algorithm GnuTLS considers insecure (SHA-1, MD5, short keys).
        public static let insecureAlgorithm = CertificateProblems(rawValue: 1 << 8)
        /// A signature in the chain does not verify.
        public static let badSignature = CertificateProblems(rawValue: 1 << 9)
        /// An issuer's constraints (path length, name constraints) were violated.
        public static let constraintsViolated = CertificateProblems(rawValue: 1 << 10)
        /// The certificate has a critical extension GnuTLS does not understand.
        public static let unknownCriticalExtension = CertificateProblems(rawValue: 1 << 11)
        /// The leaf's public key matches none of the configured pins.
        public static let pinMismatch = CertificateProblems(rawValue: 1 << 12)
        /// The peer sent no certificate, or one GnuTLS could not parse.
        public static let noCertificate = CertificateProblems(rawValue: 1 << 13)
        /// A status bit without a name here (revocation data, OCSP); the raw
        /// status is in ``GnuTLSError/detail``.
        public static let other = CertificateProblems(rawValue: 1 << 31)

        private static let names: [(CertificateProblems, String)] = [
            (.untrusted, "untrusted"), (.selfSigned, "self-signed"), (.signerNotCA, "signer not a CA"),
            (.expired, "expired"), (.notActivated, "not yet valid"), (.wrongName, "wrong name"),
            (.wrongPurpose, "wrong purpose"), (.revoked, "revoked"), (.insecureAlgorithm, "insecure algorithm"),
            (.badSignature, "bad signature"), (.constraintsViolated, "constraints violated"),
            (.unknownCriticalExtension, "unknown critical extension"), (.pinMismatch, "pin mismatch"),
            (.noCertificate, "no certificate"), (.other, "other"),
        ]

        /// The names of the members, comma-separated.
        public var description: String {
            Self.names.filter { contains($0.0) }.map(\.1).joined(separator: ", ")
        }
    }
}

extension GnuTLSError.CertificateProblems {
    /// Translates a GnuTLS verification status (`gnutls_certificate_status_t`
    /// bits) into problems. `GNUTLS_CERT_INVALID` alone says only "not
    /// trusted"; the specific bits beside it say why.
    package init(status: UInt32) {
        let table: [(gnutls_certificate_status_t, GnuTLSError.CertificateProblems)] = [
            (GNUTLS_CERT_SIGNER_NOT_FOUND, .untrusted), (GNUTLS_CERT_SIGNER_NOT_CA, .signerNotCA),
            (GNUTLS_CERT_EXPIRED, .expired), (GNUTLS_CERT_NOT_ACTIVATED, .notActivated),
            (GNUTLS_CERT_UNEXPECTED_OWNER, .wrongName), (GNUTLS_CERT_PURPOSE_MISMATCH, .wrongPurpose),
            (GNUTLS_CERT_REVOKED, .revoked), (GNUTLS_CERT_INSECURE_ALGORITHM, .insecureAlgorithm),
            (GNUTLS_CERT_SIGNATURE_FAILURE, .badSignature),
            (GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE, .constraintsViolated),
            (GNUTLS_CERT_UNKNOWN_CRIT_EXTENSIONS, .unknownCriticalExtension),
        ]
        var problems: GnuTLSError.CertificateProblems = []
        var unexplained = status & ~GNUTLS_CERT_INVALID.rawValue
        for (flag, problem) in table where status & flag.rawValue != 0 {
            problems.insert(problem)
            unexplained &= ~flag.rawValue
        }
        if unexplained != 0 || (problems.isEmpty && status != 0) { problems.insert(.other) }
        self = problems
    }
}

extension GnuTLSError {
    /// An error of `kind` caused by the GnuTLS return code `code`, with
    /// GnuTLS's text for it after our own `detail`.
    init(gnutls code: Int32, as kind: Kind, detail: String = "") {
        let text = String(cString: gnutls_strerror(code))
        self.init(kind, code: code, detail: detail.isEmpty ? text : "\(detail): \(text)")
    }
}
