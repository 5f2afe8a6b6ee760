public import Logging
public import NIOCore
public import NIOPosix

extension XMPPConnection {
    /// Creates the configuration's account on its server with in-band
    /// registration (XEP-0077 §3.1), then closes the connection.
    ///
    /// The connection is made exactly as for a login: TLS is required
    /// (STARTTLS or direct TLS, the certificate verified for the JID's
    /// domain), so the password never travels in the clear. On the secured
    /// stream the server must announce registration
    /// (`<register xmlns='http://jabber.org/features/iq-register'/>`);
    /// an announcement before TLS is never acted on. The connection then
    /// asks for the form, passes it to `answering`, and submits the
    /// username (the JID's localpart), the password, and what the answer
    /// adds. Nobody logs in; see
    /// ``withNewAccount(configuration:eventLoopGroup:logger:isolation:answering:_:)``
    /// to go on with the new account.
    ///
    /// ```swift
    /// let configuration = XMPPConnection.Configuration(jid: try BareJID("bot-7@example.com"), password: "s3cret")
    /// try await XMPPConnection.registerAccount(configuration: configuration)
    /// ```
    ///
    /// The password appears in no log line (the registration query is
    /// redacted like SASL payloads) and in no error.
    /// - Parameters:
    ///   - configuration: The account to create, the server and the options.
    ///   - eventLoopGroup: Where the connection's channel lives.
    ///   - logger: Receives `debug` and `trace` messages, as for a login.
    ///   - isolation: The caller's isolation, in which `answering` runs.
    ///   - answering: Completes the server's form; by default with nothing
    ///     beyond username and password. It may take its time (no deadline
    ///     runs meanwhile); throwing closes the connection and rethrows.
    /// - Returns: The form the server asked with (its instructions, say).
    /// - Throws: ``XMPPClientError``: ``XMPPClientError/Code/registrationFailed``
    ///   with a ``RegistrationError`` (for example ``RegistrationError/Code/conflict``
    ///   when the username is taken, ``RegistrationError/Code/notSupported``),
    ///   ``XMPPClientError/Code/timeout`` (step ``XMPPClientError/Step/registration``),
    ///   or any error of connecting and securing the connection;
    ///   `CancellationError` when cancelled; or what `answering` threw.
    @discardableResult
    public static func registerAccount(
        configuration: Configuration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "xmpp", factory: { _ in SwiftLogNoOpLogHandler() }),
        isolation: isolated (any Actor)? = #isolation,
        answering: (RegistrationForm) async throws -> RegistrationAnswer = { _ in RegistrationAnswer() }
    ) async throws -> RegistrationForm {
        let outcome = try await connect(
            configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger,
            registration: .thenClose, answering: answering)
        switch outcome {
        case .registered(let form):
            return form
        case .established(let connection):
            // The machine closes after registering; should a session ever
            // come back, do not leave it open.
            await connection.close()
            throw XMPPClientError.connectionClosed(detail: "a session was established instead of a registration")
        }
    }

    /// Creates the configuration's account with in-band registration
    /// (XEP-0077 §3.1), logs in to it on the same stream, and runs `body`
    /// with the session, like
    /// ``withConnection(configuration:eventLoopGroup:logger:isolation:_:)``.
    ///
    /// Registration works as in
    /// ``registerAccount(configuration:eventLoopGroup:logger:isolation:answering:)``;
    /// then SASL, binding and `body` follow as for any login.
    ///
    /// ```swift
    /// let configuration = XMPPConnection.Configuration(jid: try BareJID("bot-8@example.com"), password: "s3cret")
    /// try await XMPPConnection.withNewAccount(configuration: configuration) { connection in
    ///     try await connection.send(Presence())
    /// }
    /// ```
    ///
    /// When logging in fails after the account was created, the error is
    /// the login's (say, ``XMPPClientError/Code/authenticationFailed``):
    /// the account exists. A `see-other-host` redirect once the server's
    /// form arrived is not followed (the other server would be asked to
    /// register the account again); it fails with
    /// ``XMPPClientError/Code/streamError``.
    /// - Parameters:
    ///   - configuration: The account to create and log in to.
    ///   - eventLoopGroup: Where the connection's channel lives.
    ///   - logger: Receives `debug` and `trace` messages.
    ///   - isolation: The caller's isolation, in which `answering` and
    ///     `body` run.
    ///   - answering: Completes the server's form; by default with nothing
    ///     beyond username and password.
    ///   - body: Uses the new account's session; its result is returned.
    /// - Returns: What `body` returned.
    /// - Throws: What ``registerAccount(configuration:eventLoopGroup:logger:isolation:answering:)``
    ///   and ``withConnection(configuration:eventLoopGroup:logger:isolation:_:)``
    ///   throw.
    public static func withNewAccount<Result>(
        configuration: Configuration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "xmpp", factory: { _ in SwiftLogNoOpLogHandler() }),
        isolation: isolated (any Actor)? = #isolation,
        answering: (RegistrationForm) async throws -> RegistrationAnswer = { _ in RegistrationAnswer() },
        _ body: (XMPPConnection) async throws -> Result
    ) async throws -> Result {
        let outcome = try await connect(
            configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger,
            registration: .thenLogIn, answering: answering)
        guard case .established(let connection) = outcome else {
            throw XMPPClientError.connectionClosed(detail: "the stream closed after registration without a session")
        }
        return try await run(connection, isolation: isolation, body)
    }
}
