public import NIOGnuTLS
public import XMPPCore
public import XMPPTransport

extension XMPPConnection {
    /// Everything a connection needs: the account, where the server is, how
    /// to secure and authenticate, time limits and reader limits.
    ///
    /// The defaults are the secure ones: TLS always (STARTTLS is required on
    /// a plain connection, and there is no mode without TLS), the system's
    /// certificate authorities, full verification against the JID's
    /// domain, SCRAM preferred over PLAIN and PLAIN only over TLS.
    ///
    /// ```swift
    /// var configuration = XMPPConnection.Configuration(
    ///     jid: try BareJID("alice@example.com"),
    ///     password: "secret"
    /// )
    /// configuration.timeouts.negotiationStep = .seconds(5)
    /// ```
    ///
    /// The password is kept out of ``description``, ``debugDescription`` and
    /// reflection (`dump`), so a configuration can be logged.
    public struct Configuration: Sendable {
        /// The account. A bare JID lets the server assign the resource; a
        /// full JID asks for its resource (when the server reports a
        /// conflict, the connection asks once more for a server-assigned
        /// one). The localpart is the SASL user name.
        public var jid: JID
        /// The account's password.
        public var password: String {
            get { secret.value }
            set { secret = RedactedSecret(newValue) }
        }
        private var secret: RedactedSecret
        /// Where the server is: looked up through DNS SRV by default.
        public var serverLocation: XMPPServerLocation
        /// How TLS is set up. The certificate is always verified against the
        /// JID's domain (also sent as SNI), never against an SRV target or a
        /// `see-other-host` target. On direct-TLS endpoints ALPN
        /// `xmpp-client` is offered when ``GnuTLSConfiguration/applicationProtocols``
        /// is empty (XEP-0368).
        public var tls: GnuTLSConfiguration
        /// Which SASL mechanisms may be used.
        public var authentication: Authentication
        /// The deadline of each step.
        public var timeouts: Timeouts
        /// What the XML reader accepts from the server.
        public var limits: XMLStreamReader.Limits
        /// How many `see-other-host` redirects (RFC 6120 §4.9.3.19) one
        /// connection attempt follows before failing with
        /// ``XMPPClientError/Code/seeOtherHostLimit``. Default 3; 0 follows none.
        public var maximumRedirects: Int
        /// How many inbound elements that no subscription wanted are kept
        /// for subscriptions made later (see
        /// ``XMPPConnection/elements(where:)``); beyond it the oldest is
        /// dropped and logged at `debug`. Default 256; 0 keeps none.
        public var heldInboundElementLimit: Int = 256
        /// XEP-0198 acknowledgements: on by default, used when the server
        /// offers them; see ``StreamManagement`` (acknowledgements only,
        /// no resumption).
        public var streamManagement = StreamManagement()
        /// How an established session notices a dead connection: whitespace
        /// keepalives, a probe after silence, a deadline for every
        /// acknowledgement request; on by default, see ``Liveness``.
        public var liveness = Liveness()
        /// How long Linux's TCP quick-ACK mode stays on: while negotiating
        /// by default; see ``QuickAcknowledgements``.
        public var quickAcknowledgements = QuickAcknowledgements.whileNegotiating

        /// Creates a configuration for an account whose resource the server
        /// assigns.
        /// - Parameters:
        ///   - jid: The account.
        ///   - password: The account's password.
        ///   - serverLocation: Where the server is.
        ///   - tls: How TLS is set up.
        ///   - authentication: Which SASL mechanisms may be used.
        ///   - timeouts: The deadline of each step.
        ///   - limits: What the XML reader accepts.
        ///   - maximumRedirects: How many `see-other-host` redirects to follow.
        public init(
            jid: BareJID,
            password: String,
            serverLocation: XMPPServerLocation = .discover,
            tls: GnuTLSConfiguration = GnuTLSConfiguration(),
            authentication: Authentication = Authentication(),
            timeouts: Timeouts = Timeouts(),
            limits: XMLStreamReader.Limits = XMLStreamReader.Limits(),
            maximumRedirects: Int = 3
        ) {
            self.jid = jid.jid
            self.secret = RedactedSecret(password)
            self.serverLocation = serverLocation
            self.tls = tls
            self.authentication = authentication
            self.timeouts = timeouts
            self.limits = limits
            self.maximumRedirects = maximumRedirects
        }

        /// Creates a configuration for an account that asks for a resource.
        /// - Parameters:
        ///   - jid: The account and the resource to ask for.
        ///   - password: The account's password.
        ///   - serverLocation: Where the server is.
        ///   - tls: How TLS is set up.
        ///   - authentication: Which SASL mechanisms may be used.
        ///   - timeouts: The deadline of each step.
        ///   - limits: What the XML reader accepts.
        ///   - maximumRedirects: How many `see-other-host` redirects to follow.
        public init(
            jid: FullJID,
            password: String,
            serverLocation: XMPPServerLocation = .discover,
            tls: GnuTLSConfiguration = GnuTLSConfiguration(),
            authentication: Authentication = Authentication(),
            timeouts: Timeouts = Timeouts(),
            limits: XMLStreamReader.Limits = XMLStreamReader.Limits(),
            maximumRedirects: Int = 3
        ) {
            self.init(
                jid: jid.bare, password: password, serverLocation: serverLocation, tls: tls,
                authentication: authentication, timeouts: timeouts, limits: limits, maximumRedirects: maximumRedirects)
            self.jid = jid.jid
        }
    }
}

extension XMPPConnection.Configuration {
    /// The SASL configuration: the JID's localpart and the password, with
    /// the mechanisms of ``authentication``.
    /// - Throws: ``XMPPClientError/Code/invalidConfiguration`` when the JID
    ///   has no localpart.
    func saslConfiguration() throws(XMPPClientError) -> SASLConfiguration {
        guard let username = jid.localpart else {
            throw .invalidConfiguration("the JID has no localpart to authenticate with")
        }
        return SASLConfiguration(
            username: username,
            password: password,
            authorizationIdentity: authentication.authorizationIdentity,
            allowedMechanisms: authentication.allowedMechanisms,
            allowsPlain: authentication.allowsPlain,
            scramIterationRange: authentication.scramIterationRange)
    }

    /// What the session state machine needs of this configuration.
    func sessionConfiguration() throws(XMPPClientError) -> SessionStateMachine.Configuration {
        guard maximumRedirects >= 0 else {
            throw .invalidConfiguration("maximumRedirects is negative")
        }
        guard timeouts.iq > .zero else {
            throw .invalidConfiguration("timeouts.iq is not positive")
        }
        return SessionStateMachine.Configuration(
            jid: jid.bare,
            requestedResource: jid.resourcepart,
            sasl: try saslConfiguration(),
            timeouts: timeouts,
            maximumRedirects: maximumRedirects,
            streamManagement: try streamManagement.ledgerConfiguration(),
            liveness: try liveness.monitorConfiguration())
    }
}

extension XMPPConnection.Configuration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The configuration with the password redacted.
    public var description: String {
        "XMPPConnection.Configuration(jid: \(jid), password: <redacted>, serverLocation: \(serverLocation), "
            + "authentication: \(authentication), timeouts: \(timeouts), maximumRedirects: \(maximumRedirects), "
            + "streamManagement: \(streamManagement), liveness: \(liveness))"
    }

    /// The same as ``description``: the password redacted.
    public var debugDescription: String { description }

    /// The fields for `dump` and debuggers, with the password redacted.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "jid": jid, "password": RedactedSecret.placeholder, "serverLocation": serverLocation,
                "tls": tls, "authentication": authentication, "timeouts": timeouts, "limits": limits,
                "maximumRedirects": maximumRedirects, "streamManagement": streamManagement,
                "liveness": liveness,
            ],
            displayStyle: .struct)
    }
}

/// A string that never shows itself: not in `description`, not in
/// `debugDescription`, not through reflection.
struct RedactedSecret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// What is shown instead.
    static let placeholder = "<redacted>"

    /// The secret.
    let value: String

    init(_ value: String) { self.value = value }

    var description: String { Self.placeholder }
    var debugDescription: String { Self.placeholder }
    var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
