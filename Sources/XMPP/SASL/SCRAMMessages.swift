/// Parsing and encoding of SCRAM messages (RFC 5802 §7), kept strict
/// because every byte of them comes from a possibly hostile server.
enum SCRAMMessages {
    /// The largest salt we accept, decoded. Real servers use 12–32 bytes;
    /// the bound stops a hostile one from making us hash megabytes.
    static let maximumSaltLength = 256

    /// `saslname` encoding (RFC 5802 §5.1): `,` and `=` would end or confuse
    /// an attribute, so they become `=2C` and `=3D`. Returns `nil` for input
    /// SCRAM cannot carry: empty, or containing NUL.
    static func saslName(_ name: String) -> String? {
        guard !name.isEmpty, !name.utf8.contains(0) else { return nil }
        var result = ""
        for character in name.unicodeScalars {
            switch character {
            case ",": result += "=2C"
            case "=": result += "=3D"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    /// The parts of a server-first-message we use.
    struct ServerFirst: Equatable {
        var nonce: String
        var salt: [UInt8]
        var iterations: Int
    }

    /// The outcome a server-final-message reports.
    enum ServerFinal: Equatable {
        /// `v=`: the server signature, decoded.
        case verifier([UInt8])
        /// `e=`: the server's error value, reduced to a safe token.
        case error(String)
    }

    /// Splits a message into its `a=value` attributes, checking only the
    /// shape: one ASCII letter, `=`, then anything but a comma. Returns
    /// `nil` for a message that is not UTF-8 or has a malformed attribute.
    static func attributes(_ bytes: [UInt8]) -> [(name: UInt8, value: Substring)]? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        var result: [(name: UInt8, value: Substring)] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let utf8 = part.utf8
            guard utf8.count >= 2, let name = utf8.first, isASCIILetter(name),
                utf8.dropFirst().first == UInt8(ascii: "=")
            else { return nil }
            result.append((name, part.dropFirst(2)))
        }
        return result
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    /// Parses a server-first-message: `r=`, `s=`, `i=` in this order, then
    /// optional extensions. A mandatory extension `m=` fails the exchange
    /// (RFC 5802 §5.1: the client MUST fail when it is present), and so
    /// does any repetition of a known attribute.
    static func parseServerFirst(_ bytes: [UInt8], iterationRange: ClosedRange<Int>) -> Result<ServerFirst, SASLError> {
        guard let attributes = attributes(bytes), attributes.count >= 1 else {
            return .failure(.malformedChallenge("server-first-message"))
        }
        if attributes.contains(where: { $0.name == UInt8(ascii: "m") }) {
            return .failure(.malformedChallenge("m"))
        }
        if attributes[0].name == UInt8(ascii: "e") {
            return .failure(.scramServerError(errorToken(attributes[0].value)))
        }
        guard attributes.count >= 3 else { return .failure(.malformedChallenge("server-first-message")) }
        let expected: [(UInt8, String)] = [(UInt8(ascii: "r"), "r"), (UInt8(ascii: "s"), "s"), (UInt8(ascii: "i"), "i")]
        for (index, (name, field)) in expected.enumerated() where attributes[index].name != name {
            return .failure(.malformedChallenge(field))
        }
        // Extensions may follow, but never a second r, s or i.
        let known: Set<UInt8> = [UInt8(ascii: "r"), UInt8(ascii: "s"), UInt8(ascii: "i")]
        if attributes.dropFirst(3).contains(where: { known.contains($0.name) }) {
            return .failure(.malformedChallenge("duplicate attribute"))
        }

        let nonce = attributes[0].value
        // nonce = 1*printable, printable = %x21-2B / %x2D-7E; the comma is already gone.
        guard !nonce.isEmpty, nonce.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            return .failure(.malformedChallenge("r"))
        }
        guard let salt = SASLBase64.decode(String(attributes[1].value)), !salt.isEmpty,
            salt.count <= maximumSaltLength
        else {
            return .failure(.malformedChallenge("s"))
        }
        switch parseIterationCount(attributes[2].value) {
        case .failure(let error): return .failure(error)
        case .success(let iterations):
            guard iterationRange.contains(iterations) else {
                return .failure(.iterationCountOutOfRange(iterations))
            }
            return .success(ServerFirst(nonce: String(nonce), salt: salt, iterations: iterations))
        }
    }

    /// A decimal count without sign or leading zero. Counts too large for
    /// `Int` are reported as out of range rather than wrapped (libstrophe
    /// cast a `strtol` result to `uint32`).
    private static func parseIterationCount(_ text: Substring) -> Result<Int, SASLError> {
        let digits = text.utf8
        guard !digits.isEmpty, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return .failure(.malformedChallenge("i"))
        }
        if digits.count > 1, digits.first == UInt8(ascii: "0") { return .failure(.malformedChallenge("i")) }
        guard digits.count <= 18, let value = Int(text) else { return .failure(.iterationCountOutOfRange(Int.max)) }
        return .success(value)
    }

    /// Parses a server-final-message: `e=` or `v=` first, then optional
    /// extensions.
    static func parseServerFinal(_ bytes: [UInt8]) -> Result<ServerFinal, SASLError> {
        guard let attributes = attributes(bytes), let first = attributes.first else {
            return .failure(.malformedChallenge("server-final-message"))
        }
        if attributes.contains(where: { $0.name == UInt8(ascii: "m") }) {
            return .failure(.malformedChallenge("m"))
        }
        let known: Set<UInt8> = [UInt8(ascii: "v"), UInt8(ascii: "e")]
        if attributes.dropFirst().contains(where: { known.contains($0.name) }) {
            return .failure(.malformedChallenge("duplicate attribute"))
        }
        switch first.name {
        case UInt8(ascii: "e"):
            return .success(.error(errorToken(first.value)))
        case UInt8(ascii: "v"):
            guard let signature = SASLBase64.decode(String(first.value)), !signature.isEmpty else {
                return .failure(.malformedChallenge("v"))
            }
            return .success(.verifier(signature))
        default:
            return .failure(.malformedChallenge("server-final-message"))
        }
    }

    /// The RFC 5802 §7 `server-error-value` tokens are lower-case words with
    /// hyphens; anything else from the server becomes `other-error`, so that
    /// no server-chosen text reaches our error descriptions.
    static func errorToken(_ value: Substring) -> String {
        let allowed = value.utf8.count <= 64 && !value.isEmpty
            && value.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || $0 == UInt8(ascii: "-") }
        return allowed ? String(value) : "other-error"
    }
}
