import XMPPCore

/// In-band registration before authentication (XEP-0077 §3.1), as a pure
/// sub-protocol of the session: ask for the form, wait while the
/// application answers it, submit, read the outcome.
///
/// Only answers to our two requests count: an IQ `result` or `error` with
/// the request's `id` and from the server (no `from`, or exactly our
/// server's domain: before authentication nobody else can speak on the
/// stream, so anything else is spoofed or misrouted and is dropped while
/// the request keeps waiting).
struct RegistrationNegotiation: Hashable, Sendable {
    /// Where the exchange stands.
    enum Phase: Hashable, Sendable {
        /// The form request was sent.
        case awaitingForm
        /// The form arrived; the application is answering it.
        case awaitingAnswer(RegistrationForm)
        /// The submission was sent.
        case awaitingResult
        /// The account was created, or the exchange failed.
        case finished
    }

    /// What the session must do after an element.
    enum Outcome: Hashable, Sendable {
        /// The form arrived: hand it to the application.
        case form(RegistrationForm)
        /// The account was created.
        case registered
        /// Registration failed.
        case failed(RegistrationError)
        /// The server sent an IQ request; answer `service-unavailable`.
        case request(IQ)
        /// The element is not for us; log it and keep waiting.
        case dropped(SessionStateMachine.DropReason)
        /// The element does not belong on the stream at this point.
        case unexpected
    }

    /// The `id` of the form request.
    static let formRequestID = "register-1"
    /// The `id` of the submission.
    static let submissionID = "register-2"

    /// The server's domain, the only sender besides none.
    let server: BareJID
    /// Where the exchange stands.
    private(set) var phase: Phase = .awaitingForm

    /// Creates the exchange with `server`.
    /// - Parameter server: The domain (a JID without localpart) registered at.
    init(server: BareJID) {
        self.server = server
    }

    /// `<iq type='get'><query xmlns='jabber:iq:register'/></iq>` to the server.
    var formRequest: XMLElement {
        IQ(type: .get, id: Self.formRequestID, to: JID(server), payload: Self.emptyQuery).element
    }

    private static var emptyQuery: XMLElement { XMLElement("query", namespace: RegistrationNamespace.query) }

    /// Feeds a top-level element the server sent.
    mutating func received(_ element: XMLElement) -> Outcome {
        guard element.name == XMLQualifiedName(IQ.localName, namespace: XMLNamespace.client) else { return .unexpected }
        let iq: IQ
        do {
            iq = try IQ(element: element)
        } catch {
            return .dropped(.malformed(error))
        }
        guard iq.type == .result || iq.type == .error else { return .request(iq) }
        let expected: String
        switch phase {
        case .awaitingForm: expected = Self.formRequestID
        case .awaitingResult: expected = Self.submissionID
        case .awaitingAnswer, .finished: return .dropped(.unexpectedResponse)
        }
        guard iq.id == expected else { return .dropped(.unexpectedResponse) }
        if let from = iq.from, from != JID(server) { return .dropped(.unexpectedOrigin) }

        let previous = phase
        phase = .finished
        guard iq.type == .result else {
            return .failed(RegistrationError(refusal: iq.error ?? StanzaError(.undefinedCondition)))
        }
        guard previous == .awaitingForm else { return .registered }
        guard let payload = iq.payload, let form = try? RegistrationForm(element: payload) else {
            return .failed(RegistrationError(.invalidForm))
        }
        guard !form.isRegistered else { return .failed(RegistrationError(.alreadyRegistered, form: form)) }
        phase = .awaitingAnswer(form)
        return .form(form)
    }

    /// The submission that answers the form, following XEP-0077's
    /// precedence (§6): the answer's data form if it has one, else the
    /// form's fields, each with its value; the phase moves on when there is
    /// one.
    /// - Parameters:
    ///   - answer: The application's answer (without username and password).
    ///   - username: The account's localpart.
    ///   - password: The account's password.
    /// - Returns: The `set` to send, or why the form cannot be completed
    ///   (nothing is sent then).
    mutating func submission(
        answering answer: RegistrationAnswer,
        username: String,
        password: String
    ) -> Result<XMLElement, RegistrationError> {
        guard case .awaitingAnswer(let form) = phase else { return .failure(RegistrationError(.invalidForm)) }
        var query = Self.emptyQuery
        if let dataForm = answer.dataForm {
            query.append(dataForm)
        } else {
            guard !form.fields.isEmpty else { return .failure(RegistrationError(.unfillableForm, form: form)) }
            var missing: [RegistrationField] = []
            for field in form.fields {
                let value: String? =
                    switch field {
                    case .username: username
                    case .password: password
                    // The obsolete transaction key goes back as it came.
                    case .key: answer.fields[.key] ?? form.currentValues[.key]
                    default: answer.fields[field]
                    }
                guard let value, !value.isEmpty else {
                    missing.append(field)
                    continue
                }
                query.append(XMLElement(field.localName, namespace: RegistrationNamespace.query, text: value))
            }
            guard missing.isEmpty else {
                return .failure(RegistrationError(.unfillableForm, form: form, missingFields: missing))
            }
        }
        phase = .awaitingResult
        return .success(IQ(type: .set, id: Self.submissionID, to: JID(server), payload: query).element)
    }

    /// Whether the application's answer is awaited.
    var isAwaitingAnswer: Bool {
        if case .awaitingAnswer = phase { return true }
        return false
    }
}

extension RegistrationNegotiation: CustomStringConvertible {
    /// The phase only; the form's values stay out of logs.
    var description: String {
        switch phase {
        case .awaitingForm: "RegistrationNegotiation(awaiting form)"
        case .awaitingAnswer(let form): "RegistrationNegotiation(awaiting answer to \(form))"
        case .awaitingResult: "RegistrationNegotiation(awaiting result)"
        case .finished: "RegistrationNegotiation(finished)"
        }
    }
}
