// Shared by the example executables: account and server settings from
// command-line flags (`--jid`, `--password`, `--host`, `--port`,
// `--direct-tls`, `--ca`) or the environment (XMPP_JID, XMPP_PASSWORD,
// XMPP_HOST, XMPP_PORT, XMPP_DIRECT_TLS=1, XMPP_CA), flags first.
#if canImport(Glibc)
import Glibc
#endif
public import XMPP
import XMPPCore
import XMPPTransport
import NIOGnuTLS

/// A failure to read the settings, printed as a usage hint.
public struct SettingsError: Error, CustomStringConvertible {
    /// What is missing or wrong.
    public let description: String

    /// Creates an error with a usage hint.
    public init(description: String) { self.description = description }
}

/// The connection configuration the flags and environment describe.
public func exampleConfiguration(arguments: [String] = CommandLine.arguments) throws -> XMPPConnection.Configuration {
    func value(_ flag: String, _ variable: String) -> String? {
        if let index = arguments.firstIndex(of: "--\(flag)"), index + 1 < arguments.count { return arguments[index + 1] }
        return getenv(variable).map { String(cString: $0) }
    }
    guard let jidText = value("jid", "XMPP_JID"), let password = value("password", "XMPP_PASSWORD") else {
        throw SettingsError(description: "set --jid and --password (or XMPP_JID and XMPP_PASSWORD)")
    }
    let jid = try BareJID(jidText)
    var configuration = XMPPConnection.Configuration(jid: jid, password: password)
    if let host = value("host", "XMPP_HOST") {
        let directTLS = arguments.contains("--direct-tls") || value("direct-tls", "XMPP_DIRECT_TLS") == "1"
        guard let port = Int(value("port", "XMPP_PORT") ?? (directTLS ? "5223" : "5222")) else {
            throw SettingsError(description: "--port must be a number")
        }
        configuration.serverLocation = .host(host, port: port, security: directTLS ? .directTLS : .startTLS)
    }
    if let ca = value("ca", "XMPP_CA") {
        // Trust this CA (a private server's) instead of the system store.
        configuration.tls.trustRoots = .files([ca])
    }
    return configuration
}

/// Prints a line and flushes it at once, so a log file or pipe sees it
/// while the program runs (standard output is block-buffered there).
public func say(_ line: String) {
    print(line)
    fflush(nil)
}
