internal import CExpat
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Access to `XML_SetReparseDeferralEnabled`, looked up at run time.
///
/// Expat 2.6.0 added "reparse deferral" (the CVE-2023-52425 fix): a token
/// split across small reads is not reported until enough data follows it. On
/// a live XMPP stream that means a stanza whose start tag straddles two TCP
/// reads may never be delivered. Debian backports the function into its
/// 2.5.0 packages while the header still says 2.5.0, so the version number
/// cannot tell whether it exists: only the loaded library can.
enum ExpatReparseDeferral {
    private typealias SetEnabled = @convention(c) (XML_Parser?, XML_Bool) -> XML_Bool

    /// A Sendable box for the looked-up C function pointer.
    private struct Symbol: @unchecked Sendable {
        let function: SetEnabled?
    }

    private static let symbol: Symbol = {
        // A null handle is RTLD_DEFAULT: search every loaded object.
        guard let address = dlsym(nil, "XML_SetReparseDeferralEnabled") else {
            return Symbol(function: nil)
        }
        return Symbol(function: unsafeBitCast(address, to: SetEnabled.self))
    }()

    /// Whether the loaded Expat has reparse deferral (and so the switch).
    static var isAvailable: Bool { symbol.function != nil }

    /// Switches deferral off for `parser` where the library has it.
    static func disable(for parser: XML_Parser) {
        _ = symbol.function?(parser, 0)
    }
}
