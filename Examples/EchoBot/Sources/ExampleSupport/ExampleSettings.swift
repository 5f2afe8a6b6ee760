// Shared by the example executables: account and server settings from
// command-line flags (`--jid`, `--password`, `--host`, `--port`,
// `--direct-tls`, `--ca`) or the environment (XMPP_JID, XMPP_PASSWORD,
// XMPP_HOST, XMPP_PORT, XMPP_DIRECT_TLS=1, XMPP_CA), flags first.
#if canImport(Glibc)
import Glibc
#endif
public import XMPP
import XMPPCore

/// A missing or malformed setting, printed as a usage hint.
public struct SettingsError: Error, CustomStringConvertible {
    /// What is missing or wrong.
    public let description: String
    /// Creates an error with a usage hint.
    public init(_ description: String) { self.description = description }
}

/// The value of `--flag`, else of the environment variable.
public func setting(_ flag: String, _ variable: String, arguments: [String] = CommandLine.arguments) -> String? {
    if let index = arguments.firstIndex(of: "--\(flag)"), index + 1 < arguments.count { return arguments[index + 1] }
    return getenv(variable).map { String(cString: $0) }
}

/// The connection configuration the flags and environment describe.
public func exampleConfiguration() throws -> XMPPConnection.Configuration {
    guard let jid = setting("jid", "XMPP_JID"), let password = setting("password", "XMPP_PASSWORD") else {
        throw SettingsError("set --jid and --password (or XMPP_JID and XMPP_PASSWORD)")
    }
    var configuration = XMPPConnection.Configuration(jid: try BareJID(jid), password: password)
    if let host = setting("host", "XMPP_HOST") {
        let directTLS = CommandLine.arguments.contains("--direct-tls") || setting("direct-tls", "XMPP_DIRECT_TLS") == "1"
        guard let port = Int(setting("port", "XMPP_PORT") ?? (directTLS ? "5223" : "5222")) else {
            throw SettingsError("--port must be a number")
        }
        configuration.serverLocation = .host(host, port: port, security: directTLS ? .directTLS : .startTLS)
    }
    // A private server's CA, trusted instead of the system store.
    if let ca = setting("ca", "XMPP_CA") { configuration.tls.trustRoots = .files([ca]) }
    return configuration
}

/// Prints a line and flushes it at once, so a log file or pipe sees it
/// while the program runs (standard output is block-buffered there).
public func say(_ line: String) {
    print(line)
    fflush(nil)
}
