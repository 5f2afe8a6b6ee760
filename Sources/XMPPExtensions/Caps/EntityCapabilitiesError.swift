/// Why service discovery information could not be matched to a XEP-0115
/// verification string.
public struct EntityCapabilitiesError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kinds of failure; more may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case illFormedDiscoInfo, verificationMismatch, unsupportedHash, hashFailed
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// The disco#info answer breaks XEP-0115 §5.4: a repeated identity,
        /// feature or `FORM_TYPE`, a `FORM_TYPE` with two different values,
        /// or an answer that does not read as disco#info at all.
        public static let illFormedDiscoInfo = Code(.illFormedDiscoInfo)
        /// The answer hashes to another verification string than the one
        /// advertised: it is not cached (the caps poisoning attack).
        public static let verificationMismatch = Code(.verificationMismatch)
        /// The hash function is not one this library computes.
        public static let unsupportedHash = Code(.unsupportedHash)
        /// GnuTLS failed to hash.
        public static let hashFailed = Code(.hashFailed)

        /// A short phrase naming the code.
        public var description: String {
            switch value {
            case .illFormedDiscoInfo: "ill-formed disco#info"
            case .verificationMismatch: "verification string mismatch"
            case .unsupportedHash: "unsupported hash"
            case .hashFailed: "hash failed"
            }
        }
    }

    /// What went wrong.
    public var code: Code
    /// What exactly, for diagnostics (for example the repeated feature).
    public var detail: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - detail: What exactly.
    public init(_ code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    /// The code and the detail, for example
    /// `entity capabilities: ill-formed disco#info: duplicate feature urn:xmpp:ping`.
    public var description: String { "entity capabilities: \(code): \(detail)" }
}
