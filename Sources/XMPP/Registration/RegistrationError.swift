public import XMPPCore

/// Why in-band registration (XEP-0077) failed. It reaches you as the
/// ``XMPPClientError/registrationError`` of an ``XMPPClientError`` whose
/// code is ``XMPPClientError/Code/registrationFailed``.
///
/// Match on ``code``. A refusal by the server keeps its ``stanzaError``
/// (condition and text); a form that cannot be completed keeps the
/// ``form``. The ``description`` names conditions and fields only, never
/// values.
public struct RegistrationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kinds of failure. A struct rather than an enum so kinds can be
    /// added without breaking code that switches over them.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case notSupported, conflict, notAcceptable, notAllowed, refused
            case unfillableForm, alreadyRegistered, invalidForm
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The server does not offer in-band registration: no
        /// `<register xmlns='http://jabber.org/features/iq-register'/>` in
        /// the features of the secured stream (no request was sent), or it
        /// answered `service-unavailable` or `feature-not-implemented`.
        public static let notSupported = Code(.notSupported)
        /// The username is taken (`conflict`).
        public static let conflict = Code(.conflict)
        /// The server refused the data: a required value is missing or a
        /// value (such as the username) is invalid (`not-acceptable`).
        public static let notAcceptable = Code(.notAcceptable)
        /// The server does not allow this registration: registration is
        /// closed, throttled or blocked for this client (`not-allowed`,
        /// `forbidden`, `policy-violation`).
        public static let notAllowed = Code(.notAllowed)
        /// The server refused with another condition (see
        /// ``RegistrationError/stanzaError``).
        public static let refused = Code(.refused)
        /// The form asks for something the answer does not give: fields
        /// without values (``RegistrationError/missingFields``), or only a
        /// data form (a CAPTCHA, say) or a web page
        /// (``RegistrationForm/redirectURL``). Nothing was submitted; see
        /// ``RegistrationError/form``.
        public static let unfillableForm = Code(.unfillableForm)
        /// The server's form says the requester is registered already
        /// (`<registered/>`), which before authentication it cannot know;
        /// nothing was submitted.
        public static let alreadyRegistered = Code(.alreadyRegistered)
        /// The server's answer to the form request is not a
        /// `jabber:iq:register` form.
        public static let invalidForm = Code(.invalidForm)

        /// A short name, for example `"conflict"`.
        public var description: String {
            switch base {
            case .notSupported: "not supported"
            case .conflict: "conflict"
            case .notAcceptable: "not acceptable"
            case .notAllowed: "not allowed"
            case .refused: "refused"
            case .unfillableForm: "unfillable form"
            case .alreadyRegistered: "already registered"
            case .invalidForm: "invalid form"
            }
        }
    }

    /// What kind of failure this is.
    public let code: Code
    /// The server's refusal, when it sent one.
    public let stanzaError: StanzaError?
    /// The server's form, for ``Code/unfillableForm`` and
    /// ``Code/alreadyRegistered``.
    public let form: RegistrationForm?
    /// The fields the form lists that the answer left without a value, for
    /// ``Code/unfillableForm``.
    public let missingFields: [RegistrationField]

    /// Creates an error.
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - stanzaError: The server's refusal, if any.
    ///   - form: The server's form, if it matters.
    ///   - missingFields: Fields left without a value.
    public init(
        _ code: Code,
        stanzaError: StanzaError? = nil,
        form: RegistrationForm? = nil,
        missingFields: [RegistrationField] = []
    ) {
        self.code = code
        self.stanzaError = stanzaError
        self.form = form
        self.missingFields = missingFields
    }

    /// The error for a server's refusal, classified by its condition, or by
    /// the legacy `code` attribute (XEP-0086) when a server sent only that,
    /// as XEP-0077 §9 asks clients to understand.
    /// - Parameter stanzaError: The `<error/>` of the server's answer.
    public init(refusal stanzaError: StanzaError) {
        self.init(Self.classify(stanzaError), stanzaError: stanzaError)
    }

    /// The code, the server's condition and text, the missing fields; no
    /// values.
    public var description: String {
        var text = "registration failed: \(code)"
        if !missingFields.isEmpty { text += " (missing \(missingFields.map(\.localName).joined(separator: ", ")))" }
        if let stanzaError { text += " (\(stanzaError))" }
        return text
    }

    private static func classify(_ error: StanzaError) -> Code {
        var condition = error.condition
        if condition == .undefinedCondition,
            let legacy = error.additionalAttributes.first(where: { $0.name == XMLQualifiedName("code") })?.value,
            let mapped = legacyConditions[legacy]
        {
            condition = mapped
        }
        switch condition {
        case .conflict: return .conflict
        case .notAcceptable: return .notAcceptable
        case .notAllowed, .forbidden, .policyViolation: return .notAllowed
        case .serviceUnavailable, .featureNotImplemented: return .notSupported
        default: return .refused
        }
    }

    /// XEP-0086's mapping of the legacy codes XEP-0077 uses.
    private static let legacyConditions: [String: StanzaError.Condition] = [
        "403": .forbidden, "405": .notAllowed, "406": .notAcceptable, "409": .conflict,
        "501": .featureNotImplemented, "503": .serviceUnavailable,
    ]
}
