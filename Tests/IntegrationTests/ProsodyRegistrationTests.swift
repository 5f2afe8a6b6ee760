import Testing
import XMPP
import XMPPCore

/// In-band registration (XEP-0077) against the real Prosody of
/// `Scripts/prosody.sh` (`allow_registration = true`, loopback never
/// throttled): creating accounts before authentication, then changing the
/// password of and deleting accounts that are logged in.
///
/// Every test creates its own accounts with random localparts
/// (`reg-<hex>`), so runs never collide and tests may run side by side;
/// each deletes what it created. The pool accounts user19 and user20 are
/// only read. Every wait is bounded by the configuration's deadlines.
@Suite("Prosody: in-band registration", .enabled(if: ProsodyServer.isConfigured), .timeLimit(.minutes(1)))
struct ProsodyRegistrationTests {
    let server: ProsodyServer

    init() throws {
        server = try ProsodyServer.fromEnvironment()
    }

    /// A configuration for a new account with a random localpart.
    private func freshAccount(
        port: ProsodyServer.Port,
        password: String = "reg-\(UInt64.random(in: 0...UInt64.max))"
    ) throws -> XMPPConnection.Configuration {
        let localpart = "reg-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return try server.sessionConfiguration(jid: JID("\(localpart)@\(server.domain)"), password: password, port: port)
    }

    /// Logs in and deletes the account (the session ends with it).
    private func delete(_ configuration: XMPPConnection.Configuration) async throws {
        try await XMPPConnection.withConnection(configuration: configuration) { connection in
            try await connection.request(CancelRegistrationRequest(), timeout: .seconds(5))
        }
    }

    /// The error a login with `configuration` fails with.
    private func loginFailure(_ configuration: XMPPConnection.Configuration) async -> XMPPClientError? {
        await #expect(throws: XMPPClientError.self) {
            try await XMPPConnection.withConnection(configuration: configuration) { _ in }
        }
    }

    @Test("A fresh account is registered over STARTTLS and then logs in; the password is in no log line")
    func registerThenLogIn() async throws {
        let configuration = try freshAccount(port: .startTLS)
        let logs = IntegrationLogs()
        let form = try await XMPPConnection.registerAccount(configuration: configuration, logger: logs.logger)
        #expect(form.fields.contains(.username) && form.fields.contains(.password), "\(form)")
        #expect(form.dataForm != nil, "Prosody offers a data form beside the fields")

        let submissions = logs.sentElements(named: "{jabber:client}iq").filter { $0.contains("type='set'") }
        #expect(submissions.count == 1)
        #expect(submissions.first?.contains("<password>[redacted]</password>") == true, "\(submissions)")
        #expect(!logs.all.contains { $0.contains(configuration.password) })

        var loginConfiguration = configuration
        loginConfiguration.serverLocation = server.location(.directTLS)
        let bound = try await XMPPConnection.withConnection(configuration: loginConfiguration) { connection in
            connection.boundJID
        }
        #expect(bound.bare == configuration.jid.bare)
        try await delete(loginConfiguration)
    }

    @Test("Registering a name that is taken fails with conflict, and nothing else changes")
    func conflict() async throws {
        let configuration = try freshAccount(port: .directTLS)
        try await XMPPConnection.registerAccount(configuration: configuration)
        let again = await #expect(throws: XMPPClientError.self) {
            try await XMPPConnection.registerAccount(configuration: configuration)
        }
        #expect(again?.code == .registrationFailed)
        #expect(again?.registrationError?.code == .conflict)
        #expect(again?.stanzaError?.condition == .conflict)

        // A pool account, with another password: conflict too, and its own password still works.
        var pool = try server.sessionConfiguration(user: "user19", port: .startTLS)
        pool.password = "not-user19-password"
        let taken = await #expect(throws: XMPPClientError.self) { try await XMPPConnection.registerAccount(configuration: pool) }
        #expect(taken?.registrationError?.code == .conflict)
        try await XMPPConnection.withConnection(configuration: try server.sessionConfiguration(user: "user19", port: .directTLS)) { _ in }

        try await delete(configuration)
    }

    @Test("withNewAccount registers and logs in on the same stream; the server then says the account is registered")
    func registerAndLogInOnOneStream() async throws {
        let configuration = try freshAccount(port: .directTLS)
        let form = try await XMPPConnection.withNewAccount(configuration: configuration) { connection in
            #expect(connection.boundJID.bare == configuration.jid.bare)
            let form = try await connection.request(RegistrationFormRequest(), timeout: .seconds(5))
            try await connection.request(CancelRegistrationRequest(), timeout: .seconds(5))
            return form
        }
        #expect(form.isRegistered)
        #expect(form.currentValues[.username] == configuration.jid.localpart)
        #expect(await loginFailure(configuration)?.code == .authenticationFailed, "deleted at the end")
    }

    @Test("Changing the password: the new one logs in, the old one fails with not-authorized")
    func changePassword() async throws {
        let configuration = try freshAccount(port: .directTLS)
        try await XMPPConnection.registerAccount(configuration: configuration)
        let newPassword = "changed-\(UInt64.random(in: 0...UInt64.max))"
        let username = try #require(configuration.jid.localpart)
        try await XMPPConnection.withConnection(configuration: configuration) { connection in
            try await connection.request(ChangePasswordRequest(username: username, newPassword: newPassword), timeout: .seconds(5))
        }

        var changed = configuration
        changed.password = newPassword
        try await XMPPConnection.withConnection(configuration: changed) { _ in }
        let old = await loginFailure(configuration)
        #expect(old?.code == .authenticationFailed)
        #expect(old?.saslError?.serverCondition == "not-authorized")

        try await delete(changed)
    }

    @Test("Cancelling a fresh account ends its session, and a later login fails")
    func cancel() async throws {
        let configuration = try freshAccount(port: .startTLS)
        try await XMPPConnection.registerAccount(configuration: configuration)
        try await XMPPConnection.withConnection(configuration: configuration) { connection in
            try await connection.request(CancelRegistrationRequest(), timeout: .seconds(5))
            // Prosody ends every session of a deleted account: the stream ends.
            let ended = await #expect(throws: XMPPClientError.self) {
                for try await _ in connection.elements() {}
            }
            #expect(ended?.streamError?.condition == .notAuthorized)
        }
        let failure = await loginFailure(configuration)
        #expect(failure?.code == .authenticationFailed)
        #expect(failure?.saslError?.serverCondition == "not-authorized")
    }

    @Test("A logged-in pool account's form says it is registered, with its username")
    func formOfRegisteredAccount() async throws {
        let configuration = try server.sessionConfiguration(user: "user20", port: .directTLS)
        let form = try await XMPPConnection.withConnection(configuration: configuration) { connection in
            try await connection.request(RegistrationFormRequest(), timeout: .seconds(5))
        }
        #expect(form.isRegistered)
        #expect(form.currentValues[.username] == "user20")
        #expect(form.currentValues[.password] == nil)
    }
}
