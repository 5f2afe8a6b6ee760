import NIOCore
import NIOGnuTLS
import Testing
import XMPPCore

@testable import XMPP

/// SCRAM-SHA-1-PLUS with `tls-unique` channel binding against the real
/// Prosody 0.12 of `Scripts/prosody.sh`, which offers `-PLUS` only when TLS
/// 1.2 was negotiated (and then accepts only `tls-unique`; it announces no
/// XEP-0440 list).
///
/// TLS 1.2 comes from either side:
/// - the server: `tls12.<domain>` speaks only TLS 1.2 on the STARTTLS port
///   (Prosody 0.12 picks the host's TLS context by the stream's `to`), and
///   the client keeps its defaults;
/// - the client: ``GnuTLSConfiguration/maximumVersion`` at TLS 1.2, on either
///   port. This is the only way on the direct TLS port, where SNI switches
///   Prosody's certificate but not the version (OpenSSL has settled it on
///   TLS 1.3 before the SNI callback runs).
///
/// The negotiated version is read from the connection's channel (an
/// internal property, hence `@testable`), as the public API does not expose
/// it. The GS2 header itself is redacted from the session's log, so the
/// binding type is shown by what decides it: the features the server sent
/// on this connection (`-PLUS` offered, no XEP-0440 list) and the binding
/// data this connection has, run through the client's own selection; that
/// the server then accepted the binding proves the `tls-unique` data matched
/// its own.
///
/// Runs only when `XMPP_TEST_HOST` is set (`Scripts/test.sh` starts Prosody
/// and sets it). Serialized, and every wait is bounded.
@Suite("Prosody: SCRAM-SHA-1-PLUS with tls-unique on TLS 1.2", .serialized, .enabled(if: ProsodyServer.isConfigured))
struct ProsodyChannelBindingTests {
    let server: ProsodyServer

    init() throws {
        server = try ProsodyServer.fromEnvironment()
    }

    /// How a connection ends up on TLS 1.2.
    enum Route: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// STARTTLS to `tls12.<domain>`, which allows only TLS 1.2; the
        /// client keeps its default versions.
        case serverLimitedStartTLS
        /// STARTTLS to `<domain>`, the client capped at TLS 1.2.
        case clientCappedStartTLS
        /// Direct TLS to `<domain>`, the client capped at TLS 1.2.
        case clientCappedDirectTLS

        var testDescription: String {
            switch self {
            case .serverLimitedStartTLS: "STARTTLS, server limited to TLS 1.2"
            case .clientCappedStartTLS: "STARTTLS, client capped at TLS 1.2"
            case .clientCappedDirectTLS: "direct TLS, client capped at TLS 1.2"
            }
        }
    }

    /// A configuration for `user` along `route`.
    private func configuration(user: String, route: Route) throws -> XMPPConnection.Configuration {
        switch route {
        case .serverLimitedStartTLS:
            return try server.sessionConfiguration(user: user, domain: server.tls12Domain, port: .startTLS)
        case .clientCappedStartTLS, .clientCappedDirectTLS:
            var configuration = try server.sessionConfiguration(
                user: user, port: route == .clientCappedStartTLS ? .startTLS : .directTLS)
            configuration.tls.maximumVersion = .tls12
            return configuration
        }
    }

    /// The domain `route` logs in to.
    private func domain(of route: Route) -> String {
        route == .serverLimitedStartTLS ? server.tls12Domain : server.domain
    }

    @Test("Login with SCRAM-SHA-1-PLUS bound to tls-unique", arguments: Route.allCases)
    func scramSHA1Plus(route: Route) async throws {
        let configuration = try configuration(user: "alice", route: route)
        let logs = IntegrationLogs()
        let (jid, mechanism, info) = try await XMPPConnection.withConnection(
            configuration: configuration, logger: logs.logger
        ) { connection in
            (connection.boundJID, connection.authenticationMechanism, try await connection.tlsConnectionInfo())
        }
        #expect(jid.localpart == "alice")
        #expect(jid.domainpart == domain(of: route))
        #expect(mechanism == .scramSHA1Plus)

        let tls = try #require(info, "the session ran over TLS")
        #expect(tls.protocolVersion == .tls12)
        let unique = try #require(tls.channelBinding(.tlsUnique), "tls-unique exists on TLS 1.2")

        let features = try #require(logs.saslFeatures(), "the server's SASL features were logged")
        #expect(features.mechanisms.contains("SCRAM-SHA-1-PLUS"), "Prosody offers -PLUS on TLS 1.2")
        #expect(!features.announcesChannelBindings, "Prosody 0.12 announces no XEP-0440 list")

        // What the client chose from exactly that offer and this connection's
        // binding data: SCRAM-SHA-1-PLUS with p=tls-unique.
        let selection = SASLMechanismSelection.select(
            offered: features.mechanisms,
            configuration: SASLConfiguration(username: "alice", password: "alice-password"),
            security: SASLTransportSecurity(connectionInfo: tls),
            serverChannelBindings: nil)
        #expect(selection == .success(SASLMechanismSelection(
            mechanism: .scramSHA1Plus, method: .scram(.sha1, .bound(.tlsUnique, data: unique)))))

        let auths = logs.sentElements(named: "{urn:ietf:params:xml:ns:xmpp-sasl}auth")
        #expect(auths.count == 1)
        #expect(auths.first?.contains("mechanism='SCRAM-SHA-1-PLUS'") == true)
    }

    @Test("Without -PLUS allowed: the same route logs in with SCRAM-SHA-1", arguments: Route.allCases)
    func scramSHA1WithoutPlus(route: Route) async throws {
        var configuration = try configuration(user: "bob", route: route)
        let allowed = SASLConfiguration.defaultMechanisms.filter { !$0.name.hasSuffix("-PLUS") }
        configuration.authentication.allowedMechanisms = allowed
        let logs = IntegrationLogs()
        let (jid, mechanism, info) = try await XMPPConnection.withConnection(
            configuration: configuration, logger: logs.logger
        ) { connection in
            (connection.boundJID, connection.authenticationMechanism, try await connection.tlsConnectionInfo())
        }
        #expect(jid.localpart == "bob")
        #expect(jid.domainpart == domain(of: route))
        #expect(mechanism == .scramSHA1)
        #expect(info?.protocolVersion == .tls12)

        let features = try #require(logs.saslFeatures(), "the server's SASL features were logged")
        #expect(features.mechanisms.contains("SCRAM-SHA-1-PLUS"), "offered, and declined by our configuration")
        // RFC 5802: we do not bind, and we do not claim support either ('n').
        let selection = SASLMechanismSelection.select(
            offered: features.mechanisms,
            configuration: SASLConfiguration(username: "bob", password: "bob-password", allowedMechanisms: allowed),
            security: SASLTransportSecurity(connectionInfo: info),
            serverChannelBindings: nil)
        #expect(selection == .success(SASLMechanismSelection(
            mechanism: .scramSHA1, method: .scram(.sha1, .notSupported))))

        let auths = logs.sentElements(named: "{urn:ietf:params:xml:ns:xmpp-sasl}auth")
        #expect(auths.count == 1)
        #expect(auths.first?.contains("mechanism='SCRAM-SHA-1'") == true)
    }
}

extension ProsodyServer {
    /// The third VirtualHost `Scripts/prosody.sh` runs, limited to TLS 1.2
    /// on the STARTTLS port, with the same accounts (hashed passwords).
    fileprivate var tls12Domain: String { "tls12." + domain }
}

extension XMPPConnection {
    /// What the TLS handshake of this session negotiated, read on the
    /// channel's event loop; `nil` without TLS.
    fileprivate nonisolated func tlsConnectionInfo() async throws -> GnuTLSConnectionInfo? {
        try await channel.eventLoop.submit { [channel] in
            try channel.pipeline.syncOperations.gnuTLSConnectionInfo()
        }.get()
    }
}

extension IntegrationLogs {
    /// The SASL mechanisms in the last `<stream:features/>` the session
    /// received that offered any, and whether those features announced
    /// XEP-0440 channel-binding types; `nil` when none was logged.
    fileprivate func saslFeatures() -> (mechanisms: [String], announcesChannelBindings: Bool)? {
        let received = all.filter {
            $0.hasPrefix("Received XMPP element ") && $0.contains("{http://etherx.jabber.org/streams}features")
                && $0.contains("urn:ietf:params:xml:ns:xmpp-sasl")
        }
        guard let line = received.last else { return nil }
        let mechanisms = line.matches(of: /<(?:\w+:)?mechanism(?:\s[^>]*)?>([^<]*)<\/(?:\w+:)?mechanism>/)
            .map { String($0.output.1) }
        return (mechanisms, line.contains("urn:xmpp:sasl-cb:0"))
    }
}
