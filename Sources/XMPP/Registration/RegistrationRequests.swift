public import XMPPCore

/// Asks for the registration form of the logged-in account (XEP-0077 §3.1),
/// or of a service with `to:`: a registered account's form has
/// ``RegistrationForm/isRegistered`` set and usually the username on file.
///
/// ```swift
/// let form = try await connection.request(RegistrationFormRequest())
/// print(form.isRegistered, form.currentValues[.username] ?? "")
/// ```
public struct RegistrationFormRequest: IQRequest, Hashable {
    /// Creates the request.
    public init() {}

    /// `get`.
    public var type: IQRequestType { .get }

    /// `<query xmlns='jabber:iq:register'/>`.
    public var payload: XMLElement { XMLElement("query", namespace: RegistrationNamespace.query) }

    /// Reads the form.
    /// - Throws: ``StanzaParseError`` when the result has no
    ///   `jabber:iq:register` query (the request then fails with
    ///   ``XMPPClientError/Code/invalidResponse``).
    public func response(from result: IQ) throws -> RegistrationForm {
        guard let payload = result.payload else {
            throw StanzaParseError(.missingChild, subject: "{\(RegistrationNamespace.query)}query")
        }
        return try RegistrationForm(element: payload)
    }
}

/// Changes the logged-in account's password (XEP-0077 §3.3).
///
/// Send it without `to` (to your own account). XEP-0077 asks for the
/// username, which servers such as Prosody check against the session's.
/// The session stays logged in; the next login needs the new password.
///
/// ```swift
/// try await connection.request(ChangePasswordRequest(username: "bot", newPassword: "n3w-s3cret"))
/// ```
///
/// A refusal fails the request with ``XMPPClientError/Code/stanzaError``:
/// `bad-request` (the username does not match), `not-authorized` or
/// `not-allowed` (the server does not allow password changes this way).
/// The request's description and `dump` never show the password, and
/// neither do the session's logs.
public struct ChangePasswordRequest: IQRequest, Hashable {
    /// The account's username (its JID's localpart).
    public var username: String
    /// The new password.
    public var newPassword: String {
        get { secret.value }
        set { secret = RedactedSecret(newValue) }
    }
    private var secret: RedactedSecret

    /// Creates the request.
    /// - Parameters:
    ///   - username: The account's username (its JID's localpart).
    ///   - newPassword: The new password; not empty (XEP-0077 has servers
    ///     keep the old one for an empty one).
    public init(username: String, newPassword: String) {
        self.username = username
        self.secret = RedactedSecret(newPassword)
    }

    /// `set`.
    public var type: IQRequestType { .set }

    /// `<query xmlns='jabber:iq:register'>` with `<username/>` and `<password/>`.
    public var payload: XMLElement {
        let namespace = RegistrationNamespace.query
        return XMLElement(
            "query", namespace: namespace,
            children: [
                .element(XMLElement(RegistrationField.username.localName, namespace: namespace, text: username)),
                .element(XMLElement(RegistrationField.password.localName, namespace: namespace, text: newPassword)),
            ])
    }

    /// Equal when username and new password are.
    public static func == (lhs: ChangePasswordRequest, rhs: ChangePasswordRequest) -> Bool {
        lhs.username == rhs.username && lhs.newPassword == rhs.newPassword
    }

    /// Hashes username and new password.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(username)
        hasher.combine(newPassword)
    }
}

extension ChangePasswordRequest: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The username, with the password redacted.
    public var description: String { "ChangePasswordRequest(username: \(username), newPassword: \(RedactedSecret.placeholder))" }

    /// The same as ``description``.
    public var debugDescription: String { description }

    /// The fields for `dump` and debuggers, with the password redacted.
    public var customMirror: Mirror {
        Mirror(self, children: ["username": username, "newPassword": RedactedSecret.placeholder], displayStyle: .struct)
    }
}

/// Cancels a registration (XEP-0077 §3.2): sent without `to`, it deletes
/// the logged-in account.
///
/// The server answers and then ends every session of the account (Prosody
/// sends the `result`, then the stream error `not-authorized`), so the
/// session ends right after this request: make it the last thing you do.
///
/// ```swift
/// try await connection.request(CancelRegistrationRequest())
/// ```
///
/// A refusal fails the request with ``XMPPClientError/Code/stanzaError``
/// (`not-allowed`, `forbidden`, `registration-required`).
public struct CancelRegistrationRequest: IQRequest, Hashable {
    /// Creates the request.
    public init() {}

    /// `set`.
    public var type: IQRequestType { .set }

    /// `<query xmlns='jabber:iq:register'><remove/></query>`.
    public var payload: XMLElement {
        XMLElement(
            "query", namespace: RegistrationNamespace.query,
            children: [.element(XMLElement("remove", namespace: RegistrationNamespace.query))])
    }
}
