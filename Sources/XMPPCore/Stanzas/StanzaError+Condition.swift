extension StanzaError {
    /// How the sender of the failed stanza can recover (RFC 6120 §8.3.2):
    /// the `type` attribute of `<error/>`.
    public enum ErrorType: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
        /// Retry after providing credentials.
        case auth
        /// Do not retry: the error cannot be remedied.
        case cancel
        /// Proceed: the condition was only a warning.
        case `continue`
        /// Retry after changing the data sent.
        case modify
        /// Retry after waiting: the error is temporary.
        case wait

        /// The attribute value, as on the wire.
        public var description: String { rawValue }
    }

    /// A stanza error condition (RFC 6120 §8.3.3). Extensible: a condition
    /// unknown to this library is kept by name, so an error from a newer peer
    /// stays readable and is written back unchanged.
    public struct Condition: Hashable, Sendable, CustomStringConvertible {
        /// The element name of the condition, for example `"item-not-found"`.
        public let name: String

        /// Creates a condition from its element name.
        public init(_ name: String) { self.name = name }

        /// The element name, as on the wire.
        public var description: String { name }

        /// The request is malformed or otherwise cannot be processed.
        public static let badRequest = Condition("bad-request")
        /// A resource or session with the same name or address already exists.
        public static let conflict = Condition("conflict")
        /// The feature is not implemented by the recipient or server.
        public static let featureNotImplemented = Condition("feature-not-implemented")
        /// The requester lacks the permissions for the action.
        public static let forbidden = Condition("forbidden")
        /// The recipient is no longer at this address; ``StanzaError/redirectURI``
        /// may give the new one.
        public static let gone = Condition("gone")
        /// The server had an internal failure.
        public static let internalServerError = Condition("internal-server-error")
        /// The addressed JID or item cannot be found.
        public static let itemNotFound = Condition("item-not-found")
        /// An address does not conform to the JID syntax (RFC 7622).
        public static let jidMalformed = Condition("jid-malformed")
        /// The request does not meet the recipient's criteria (for example a
        /// body that is too long).
        public static let notAcceptable = Condition("not-acceptable")
        /// No entity is allowed to perform the action.
        public static let notAllowed = Condition("not-allowed")
        /// The sender must authenticate first.
        public static let notAuthorized = Condition("not-authorized")
        /// A local service policy was violated.
        public static let policyViolation = Condition("policy-violation")
        /// The intended recipient is temporarily unavailable.
        public static let recipientUnavailable = Condition("recipient-unavailable")
        /// The request should go to another entity, named by
        /// ``StanzaError/redirectURI``.
        public static let redirect = Condition("redirect")
        /// The requester must register first.
        public static let registrationRequired = Condition("registration-required")
        /// The domain of the recipient does not exist or cannot be reached.
        public static let remoteServerNotFound = Condition("remote-server-not-found")
        /// The remote server could not be reached in time.
        public static let remoteServerTimeout = Condition("remote-server-timeout")
        /// The server or recipient is too busy to serve the request.
        public static let resourceConstraint = Condition("resource-constraint")
        /// The server or recipient does not provide the service.
        public static let serviceUnavailable = Condition("service-unavailable")
        /// The requester must subscribe first.
        public static let subscriptionRequired = Condition("subscription-required")
        /// Any other condition; usually paired with an application condition.
        public static let undefinedCondition = Condition("undefined-condition")
        /// The request was understood but not expected at this time.
        public static let unexpectedRequest = Condition("unexpected-request")

        /// Every condition RFC 6120 §8.3.3 defines.
        public static let defined: [Condition] = [
            .badRequest, .conflict, .featureNotImplemented, .forbidden, .gone, .internalServerError,
            .itemNotFound, .jidMalformed, .notAcceptable, .notAllowed, .notAuthorized, .policyViolation,
            .recipientUnavailable, .redirect, .registrationRequired, .remoteServerNotFound,
            .remoteServerTimeout, .resourceConstraint, .serviceUnavailable, .subscriptionRequired,
            .undefinedCondition, .unexpectedRequest,
        ]

        /// Whether RFC 6120 defines this condition.
        public var isDefined: Bool { Self.defined.contains(self) }

        /// Whether the condition element carries an address as text
        /// (`gone` and `redirect`, RFC 6120 §8.3.3.5 and §8.3.3.14).
        public var carriesAddress: Bool { self == .gone || self == .redirect }

        /// The error type RFC 6120 §8.3.3 gives for this condition.
        ///
        /// Where the RFC allows two types (`policy-violation`: modify or wait;
        /// `unexpected-request`: wait or modify) this is the first one it
        /// names. `undefined-condition` has no usual type; it and unknown
        /// conditions get `cancel`, the one type that asks for no retry.
        public var defaultType: ErrorType {
            switch name {
            case "bad-request", "jid-malformed", "not-acceptable", "policy-violation", "redirect":
                .modify
            case "forbidden", "not-authorized", "registration-required", "subscription-required":
                .auth
            case "recipient-unavailable", "remote-server-timeout", "resource-constraint", "unexpected-request":
                .wait
            default:
                .cancel
            }
        }
    }
}
