import XMPPCore

/// In-band registration (XEP-0077 §3.1) inside the session: after TLS and
/// before SASL, on a stream whose features announce `<register/>`.
///
/// The transcript: features with `<register/>` → the form request (with a
/// deadline) → the form, handed to the application
/// (``Action/registrationFormReceived(_:)``, no deadline while it answers)
/// → ``submitRegistration(_:)`` writes the submission (with a deadline) →
/// the result → ``Action/accountRegistered(sessionContinues:)``, then
/// either SASL with the same credentials on the same stream, or a clean
/// close. Features without `<register/>` fail before anything is sent;
/// a refusal, a form that cannot be completed, a timeout or a stream error
/// fail the attempt (``XMPPClientError/Code/registrationFailed`` for the
/// first two).
extension SessionStateMachine {
    /// What follows a successful registration.
    enum RegistrationPlan: Hashable, Sendable {
        /// Close the stream: the account exists, nobody logs in now.
        case thenClose
        /// Authenticate with the new account on the same stream.
        case thenLogIn
    }

    /// Asks for the registration form, or fails when the secured stream's
    /// features do not announce registration.
    mutating func startRegistration(_ features: StreamFeatures) -> [Action] {
        guard features.offersRegistration else { return fail(.registrationFailed(RegistrationError(.notSupported))) }
        let server: BareJID
        do {
            server = try BareJID(localpart: nil, domainpart: configuration.jid.domainpart)
        } catch {
            // The domain of a parsed JID is always a valid JID on its own.
            return fail(.invalidConfiguration("the JID's domain is not a valid JID"))
        }
        let negotiation = RegistrationNegotiation(server: server)
        state = .registering(negotiation, features: features)
        return [.writeElement(negotiation.formRequest)] + moveDeadline(to: .registration)
    }

    /// An element arrived while registering.
    mutating func receivedDuringRegistration(
        _ element: XMLElement,
        negotiation: RegistrationNegotiation,
        features: StreamFeatures
    ) -> [Action] {
        var negotiation = negotiation
        let outcome = negotiation.received(element)
        state = .registering(negotiation, features: features)
        switch outcome {
        case .form(let form):
            // The application may take its time (a person reading a form);
            // the server's own idle limits still apply.
            return cancelDeadline() + [.registrationFormReceived(form)]
        case .registered:
            accountRegistered = true
            return finishRegistration(features)
        case .failed(let error):
            return fail(.registrationFailed(error))
        case .request(let iq):
            return [.dropped(element, .unhandledRequest), .writeElement(IQRequestHandler.serviceUnavailable(answering: iq).element)]
        case .dropped(let reason):
            return [.dropped(element, reason)]
        case .unexpected:
            return failUnexpected(element.name)
        }
    }

    /// The application answered the registration form: submit it.
    ///
    /// A form the answer cannot complete fails the attempt
    /// (``RegistrationError/Code/unfillableForm``) without sending anything.
    /// - Throws: ``XMPPClientError/Code/connectionClosed`` when no form
    ///   awaits an answer (the session ended meanwhile);
    ///   ``XMPPClientError/Code/invalidConfiguration`` when the answer names
    ///   the username or password (which come from the configuration) or
    ///   its data form is not a `jabber:x:data` element, or the
    ///   configuration has no password. The session is left as it was.
    mutating func submitRegistration(_ answer: RegistrationAnswer) throws(XMPPClientError) -> [Action] {
        guard case .registering(var negotiation, let features) = state, negotiation.isAwaitingAnswer else {
            throw .connectionClosed(detail: "no registration form awaits an answer")
        }
        guard answer.fields[.username] == nil, answer.fields[.password] == nil else {
            throw .invalidConfiguration("the registration answer names the username or password, which come from the configuration")
        }
        if let dataForm = answer.dataForm,
            dataForm.name != XMLQualifiedName("x", namespace: RegistrationNamespace.dataForms)
        {
            throw .invalidConfiguration("the registration answer's data form is not a jabber:x:data <x/>")
        }
        guard let password = configuration.sasl.password else {
            throw .invalidConfiguration("registering an account needs a password")
        }
        let submission = negotiation.submission(answering: answer, username: configuration.sasl.username, password: password)
        state = .registering(negotiation, features: features)
        switch submission {
        case .success(let request):
            return [.writeElement(request)] + moveDeadline(to: .registration)
        case .failure(let error):
            return fail(.registrationFailed(error))
        }
    }

    /// Whether a `see-other-host` may be followed: not once the form was
    /// handed to the application. After that the account may exist here
    /// already (or the application is answering a form of this server), and
    /// the other server would be asked to register it a second time.
    var followsRedirects: Bool {
        if accountRegistered { return false }
        guard case .registering(let negotiation, _) = state else { return true }
        return negotiation.phase == .awaitingForm
    }

    /// The account exists: log in on the same stream, or close it.
    private mutating func finishRegistration(_ features: StreamFeatures) -> [Action] {
        if configuration.registration == .thenLogIn, let security {
            return [.accountRegistered(sessionContinues: true)] + startAuthentication(features, security: security)
        }
        state = .closing(StreamClosing(deliversElements: false))
        return cancelDeadline() + [.accountRegistered(sessionContinues: false), .writeStreamClose] + moveDeadline(to: .closing)
    }
}
