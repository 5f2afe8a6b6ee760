import Logging
import NIOCore
import NIOGnuTLS
import Synchronization
import XMPP
import XMPPCore

extension ProsodyServer {
    /// The second VirtualHost `Scripts/prosody.sh` runs, with passwords
    /// stored in plain text (so SCRAM-SHA-256 is offered) and the same accounts.
    var plainDomain: String { "plain." + domain }

    /// A session configuration for a test account (`user`/`user-password`).
    /// - Parameters:
    ///   - user: The account's localpart.
    ///   - domain: The VirtualHost; `domain` by default.
    ///   - port: STARTTLS or direct TLS.
    ///   - trustRoots: The anchors; only the test CA by default.
    func sessionConfiguration(
        user: String,
        domain: String? = nil,
        port: Port,
        trustRoots: GnuTLSConfiguration.TrustRoots? = nil
    ) throws -> XMPPConnection.Configuration {
        try sessionConfiguration(
            jid: JID("\(user)@\(domain ?? self.domain)"), password: "\(user)-password", port: port, trustRoots: trustRoots)
    }

    /// A session configuration for `jid`, verifying TLS against the test CA.
    func sessionConfiguration(
        jid: JID,
        password: String,
        port: Port,
        trustRoots: GnuTLSConfiguration.TrustRoots? = nil
    ) throws -> XMPPConnection.Configuration {
        var tls = GnuTLSConfiguration()
        tls.trustRoots = trustRoots ?? .files([caPath])
        tls.certificateVerification = .full
        tls.shutdownTimeout = .seconds(2)
        let timeouts = XMPPConnection.Configuration.Timeouts(
            connect: .seconds(5), tlsHandshake: .seconds(5), negotiationStep: .seconds(5),
            authentication: .seconds(5), close: .seconds(2))
        if let full = jid.full {
            return XMPPConnection.Configuration(
                jid: full, password: password, serverLocation: location(port), tls: tls, timeouts: timeouts)
        }
        return XMPPConnection.Configuration(
            jid: jid.bare, password: password, serverLocation: location(port), tls: tls, timeouts: timeouts)
    }
}

/// Captures a session's log lines (at `trace`) so tests can see what was
/// sent: the session logs every element it writes, with its name and its
/// XML (SASL payloads redacted).
final class IntegrationLogs: Sendable {
    private struct Record: Sendable {
        var message: String
        var metadata: [String: String]
    }

    private let records = Mutex<[Record]>([])

    /// A logger at `trace` that records here.
    var logger: Logger {
        var logger = Logger(label: "xmpp.integration", factory: { [self] _ in Handler(logs: self) })
        logger.logLevel = .trace
        return logger
    }

    /// The XML of every element sent with this qualified name (Clark notation).
    func sentElements(named name: String) -> [String] {
        records.withLock { records in
            records.filter { $0.message == "Sending XMPP element" && $0.metadata["xmpp.element"] == name }
                .map { $0.metadata["xmpp.xml"] ?? "" }
        }
    }

    /// How many records have exactly this message.
    func count(of message: String) -> Int {
        records.withLock { records in records.filter { $0.message == message }.count }
    }

    /// Every record as one line of text.
    var all: [String] {
        records.withLock { records in
            records.map { $0.message + " " + $0.metadata.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
        }
    }

    fileprivate func append(message: String, metadata: [String: String]) {
        records.withLock { $0.append(Record(message: message, metadata: metadata)) }
    }

    private struct Handler: LogHandler {
        let logs: IntegrationLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged = metadata
            for (key, value) in event.metadata ?? [:] { merged[key] = value }
            logs.append(message: "\(event.message)", metadata: merged.mapValues { "\($0)" })
        }
    }
}
