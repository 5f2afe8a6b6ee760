/// Where a `see-other-host` stream error (RFC 6120 §4.9.3.19) points: a
/// host and an optional port, parsed from the error's text content.
///
/// The forms are `host`, `host:port`, `[IPv6]`, `[IPv6]:port` and a bare
/// IPv6 address. Anything else (spaces, slashes, user info, empty parts, a
/// port outside 1…65535) is refused: the value comes from the network and
/// ends up in a connect call. The target decides only where to connect;
/// the certificate is still verified against the JID's domain.
struct SeeOtherHostTarget: Hashable, Sendable {
    /// A host name or IP address, without brackets.
    var host: String
    /// The port, or `nil` when the redirect named none.
    var port: Int?

    /// Parses the text of a `<see-other-host/>` element.
    /// - Returns: `nil` when the text is not a usable host.
    init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= 1024 else { return nil }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let address = String(text[text.index(after: text.startIndex)..<close])
            guard address.contains(":"), Self.isHostText(address) else { return nil }
            let rest = text[text.index(after: close)...]
            if rest.isEmpty {
                self.init(host: address, port: nil)
            } else {
                guard rest.hasPrefix(":"), let port = Self.port(rest.dropFirst()) else { return nil }
                self.init(host: address, port: port)
            }
            return
        }
        let colons = text.filter { $0 == ":" }.count
        if colons > 1 {
            // An IPv6 address without brackets cannot carry a port.
            guard Self.isHostText(text) else { return nil }
            self.init(host: text, port: nil)
        } else if colons == 1, let colon = text.firstIndex(of: ":") {
            let host = String(text[..<colon])
            guard !host.isEmpty, Self.isHostText(host), !host.contains(":"),
                let port = Self.port(text[text.index(after: colon)...])
            else { return nil }
            self.init(host: host, port: port)
        } else {
            guard Self.isHostText(text) else { return nil }
            self.init(host: text, port: nil)
        }
    }

    /// Creates a target from parts.
    init(host: String, port: Int?) {
        self.host = host
        self.port = port
    }

    /// ASCII letters, digits, `-`, `.`, `:` and `_` only (IDNs arrive as
    /// A-labels in practice; anything stranger is refused).
    private static func isHostText(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: ":"), UInt8(ascii: "_"):
                true
            default:
                false
            }
        }
    }

    private static func port(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 5, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let value = Int(text), (1...65535).contains(value)
        else { return nil }
        return value
    }
}
