/// One of the fields XEP-0077 defines for `jabber:iq:register` (§14.1), by
/// the local name of its element: `username`, `password`, `email`, …
///
/// A server lists the fields it wants as empty elements in its registration
/// form (``RegistrationForm/fields``); the registration answer fills them
/// (``RegistrationAnswer/fields``). The namespace's field set is closed (a
/// server needing more uses a data form), so the well-known fields are
/// constants here; ``init(_:)`` names any other.
public struct RegistrationField: Hashable, Sendable, CustomStringConvertible {
    /// The element's local name in `jabber:iq:register`, for example
    /// `"email"`.
    public let localName: String

    /// Names a field by its element's local name.
    /// - Parameter localName: For example `"email"`.
    public init(_ localName: String) {
        self.localName = localName
    }

    /// The account name (the JID's localpart); filled from the configuration.
    public static let username = RegistrationField("username")
    /// The password; filled from the configuration.
    public static let password = RegistrationField("password")
    /// A nickname.
    public static let nick = RegistrationField("nick")
    /// The full name.
    public static let name = RegistrationField("name")
    /// The given name.
    public static let first = RegistrationField("first")
    /// The family name.
    public static let last = RegistrationField("last")
    /// An email address.
    public static let email = RegistrationField("email")
    /// The street address.
    public static let address = RegistrationField("address")
    /// The city.
    public static let city = RegistrationField("city")
    /// The state or province.
    public static let state = RegistrationField("state")
    /// The postal code.
    public static let zip = RegistrationField("zip")
    /// A telephone number.
    public static let phone = RegistrationField("phone")
    /// A web page.
    public static let url = RegistrationField("url")
    /// A date, such as a birth date.
    public static let date = RegistrationField("date")
    /// Miscellaneous data (obsolete, still in the schema).
    public static let misc = RegistrationField("misc")
    /// Free text (obsolete, still in the schema).
    public static let text = RegistrationField("text")
    /// The obsolete transaction key (XEP-0077 §7): a server that sends one
    /// with a value gets the same value back, without the answer naming it.
    public static let key = RegistrationField("key")

    /// Every field of the schema, in its order. Other children of a form
    /// (`instructions`, `registered`, `remove`, extensions) are not fields.
    static let schema: [RegistrationField] = [
        .username, .nick, .password, .name, .first, .last, .email, .address, .city, .state, .zip,
        .phone, .url, .date, .misc, .text, .key,
    ]

    /// The local name, for example `email`.
    public var description: String { localName }
}

/// The namespaces of in-band registration (XEP-0077) and of the extensions
/// a registration form may carry.
enum RegistrationNamespace {
    /// The registration query: `<query xmlns='jabber:iq:register'/>`.
    static let query = "jabber:iq:register"
    /// The stream feature: `<register xmlns='http://jabber.org/features/iq-register'/>`.
    static let feature = "http://jabber.org/features/iq-register"
    /// XEP-0004 data forms, which a form may use instead of or beside fields.
    static let dataForms = "jabber:x:data"
    /// XEP-0066 out-of-band data: a web page to register at instead.
    static let outOfBand = "jabber:x:oob"
}
