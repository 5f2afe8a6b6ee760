import XMPP

/// A hash function named in a XEP-0115 `hash` attribute, by its IANA
/// "Hash Function Textual Name" (`sha-1`, `sha-256`, ...).
///
/// Any name can be read; ``isSupported`` says whether this library can
/// compute it (and so verify and cache what it describes).
public struct CapsHashAlgorithm: Hashable, Sendable, CustomStringConvertible {
    /// The textual name, as in the `hash` attribute.
    public let name: String

    /// A hash function by name.
    /// - Parameter name: The IANA textual name, for example `sha-1`.
    public init(name: String) {
        self.name = name
    }

    /// SHA-1, which XEP-0115 makes mandatory to implement and which
    /// deployed clients use.
    public static let sha1 = CapsHashAlgorithm(name: "sha-1")
    /// SHA-256.
    public static let sha256 = CapsHashAlgorithm(name: "sha-256")
    /// SHA-512.
    public static let sha512 = CapsHashAlgorithm(name: "sha-512")

    /// Whether this library computes it: SHA-1, SHA-256 and SHA-512.
    public var isSupported: Bool { digestAlgorithm != nil }

    /// The name.
    public var description: String { name }

    /// The GnuTLS digest behind a supported name.
    private var digestAlgorithm: HMACAlgorithm? {
        switch name {
        case Self.sha1.name: .sha1
        case Self.sha256.name: .sha256
        case Self.sha512.name: .sha512
        default: nil
        }
    }

    /// The digest of `bytes`, or `nil` when the algorithm is not supported
    /// or GnuTLS fails.
    func digest(_ bytes: [UInt8]) -> [UInt8]? {
        guard let digestAlgorithm else { return nil }
        return SASLCrypto.hash(digestAlgorithm, bytes)
    }
}
