public import XMPPCore

/// How to complete a server's ``RegistrationForm``: the values beyond the
/// username and password, or a submitted data form.
///
/// The username (the configuration JID's localpart) and the password (the
/// configuration's) are always filled in by the connection, so the account
/// that is created is the one the configuration logs in to.
///
/// - With ``fields``: every field the form lists gets its value; a listed
///   field without one (say, the server asks for `<email/>` and the answer
///   has none) fails with ``RegistrationError/Code/unfillableForm`` before
///   anything is sent, since XEP-0077 §3.1 requires every listed field.
///   Values for fields the form does not list are not sent.
/// - With ``dataForm``: the form is submitted as it is, instead of the
///   fields (XEP-0077 §4 forbids sending both), so it must carry the
///   username and password itself.
///
/// ```swift
/// let answer = RegistrationAnswer(fields: [.email: "bot-admin@example.org"])
/// ```
///
/// Its description and `dump` show field names only: a submitted data form
/// carries the password.
public struct RegistrationAnswer: Sendable {
    /// Values for the form's fields other than username and password
    /// (which are not allowed here: they come from the configuration).
    public var fields: [RegistrationField: String]
    /// A XEP-0004 data form of type `submit` (`<x xmlns='jabber:x:data'
    /// type='submit'/>`) that answers ``RegistrationForm/dataForm``; when
    /// set, it is sent instead of ``fields``.
    public var dataForm: XMLElement?

    /// Creates an answer.
    /// - Parameters:
    ///   - fields: Values for the form's fields beyond username and password.
    ///   - dataForm: A submitted data form to send instead of fields.
    public init(fields: [RegistrationField: String] = [:], dataForm: XMLElement? = nil) {
        self.fields = fields
        self.dataForm = dataForm
    }
}

extension RegistrationAnswer: CustomStringConvertible, CustomReflectable {
    /// The names of the fields answered, and whether a data form is; never
    /// values.
    public var description: String {
        let names = fields.keys.map(\.localName).sorted().joined(separator: ", ")
        return "RegistrationAnswer(fields: [\(names)]\(dataForm == nil ? "" : ", data form"))"
    }

    /// The same view for `dump` and debuggers.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: ["fields": fields.keys.map(\.localName).sorted(), "hasDataForm": dataForm != nil],
            displayStyle: .struct)
    }
}
