import XMPPCore

/// The negotiation steps between the stream header and the established
/// session: features, STARTTLS, SASL, binding, the RFC 3921 session, and the
/// stream errors that may end any of them.
extension SessionStateMachine {
    /// Chooses the next step from a new stream's features.
    mutating func receivedFeatures(_ features: StreamFeatures) -> [Action] {
        guard let security else {
            // A plain connection: STARTTLS or nothing. Never continue in the
            // clear (RFC 6120 §5.3.1, Smack CVE-2016-10027): no <auth/> is
            // ever written before TLS.
            guard features.offersStartTLS else { return fail(.tlsRequired) }
            state = .startTLS(StartTLSNegotiation())
            return [.writeElement(StartTLSNegotiation.request)] + moveDeadline(to: .startTLS)
        }
        guard isAuthenticated else {
            // A second <starttls/> offer on a secured stream is ignored.
            // Registration happens only here, on the secured stream: a
            // register feature offered before TLS is never acted on.
            if configuration.registration != nil, !accountRegistered { return startRegistration(features) }
            return startAuthentication(features, security: security)
        }
        if configuration.resumption != nil, streamManagement.phase == .detached {
            return startResumption(features)
        }
        return startBinding(features)
    }

    /// Binds a resource on the authenticated stream: a new session.
    mutating func startBinding(_ features: StreamFeatures) -> [Action] {
        guard features.offersResourceBinding else {
            return fail(.bindFailed(nil, detail: "the server offered no resource binding"))
        }
        let binding = ResourceBinding(account: configuration.jid, requestedResource: configuration.requestedResource)
        state = .binding(binding, features: features)
        return [.writeElement(binding.request)] + moveDeadline(to: .resourceBinding)
    }

    /// Starts SASL on a secured stream with the mechanisms `features` offer.
    mutating func startAuthentication(_ features: StreamFeatures, security: SASLTransportSecurity) -> [Action] {
        var negotiation = SASLNegotiation(
            configuration: configuration.sasl,
            security: security,
            serverAdvertisesChannelBindings: features.saslChannelBindings)
        let action = negotiation.start(offeredMechanisms: features.saslMechanisms ?? [])
        authenticationMechanism = negotiation.mechanism
        switch action {
        case .send(let auth):
            state = .authenticating(negotiation)
            return [.writeElement(auth)] + moveDeadline(to: .authentication)
        case .failed(let error):
            return fail(.authenticationFailed(error))
        case .succeeded:
            // Success before the server said anything is impossible.
            return fail(.authenticationFailed(.unexpectedElement))
        }
    }

    /// Carries out the STARTTLS exchange's answer.
    mutating func startTLSOutcome(_ outcome: StartTLSNegotiation.Outcome, element: XMLElement) -> [Action] {
        switch outcome {
        case .beginHandshake:
            return moveDeadline(to: .tlsHandshake) + [.addTLSHandler]
        case .refused:
            return fail(.tlsFailed(nil, detail: "the server answered STARTTLS with <failure/>"))
        case .injection:
            // Whatever sent those bytes controls the plaintext stream: write
            // nothing more to it.
            return fail(.proceedInjection, closingStream: false)
        case .unexpected:
            return failUnexpected(element.name)
        }
    }

    /// Carries out the SASL exchange's answer.
    mutating func saslAction(_ action: SASLNegotiation.Action, bytesFollowing: Int) -> [Action] {
        switch action {
        case .send(let element):
            return [.writeElement(element)]
        case .succeeded:
            // The server must wait for our new header (RFC 6120 §6.4.6);
            // bytes after <success/> would be parsed as the old stream.
            guard bytesFollowing == 0 else { return fail(.dataBeforeStreamRestart, closingStream: false) }
            isAuthenticated = true
            return openStream(resettingReader: true)
        case .failed(let error):
            // No other mechanism is tried (P17).
            return fail(.authenticationFailed(error))
        }
    }

    /// Carries out the binding exchange's answer.
    mutating func bindingOutcome(
        _ outcome: ResourceBinding.Outcome,
        element: XMLElement,
        features: StreamFeatures
    ) -> [Action] {
        switch outcome {
        case .send(let request):
            return [.writeElement(request)] + moveDeadline(to: .resourceBinding)
        case .bound(let jid):
            guard features.session == .required else { return establish(jid, features: features) }
            state = .establishingSession(SessionEstablishment(), boundJID: jid, features: features)
            return [.writeElement(SessionEstablishment.request)] + moveDeadline(to: .sessionEstablishment)
        case .failed(let error, let detail):
            return fail(.bindFailed(error, detail: detail))
        case .unexpected:
            return failUnexpected(element.name)
        }
    }

    /// Binding (and the RFC 3921 session, if required) is done: enable
    /// stream management when configured and offered, else the session is
    /// established.
    mutating func establish(_ boundJID: FullJID, features: StreamFeatures) -> [Action] {
        guard let authenticationMechanism else {
            return fail(.authenticationFailed(.unexpectedElement))
        }
        var session = EstablishedSession(
            boundJID: boundJID, features: features, authenticationMechanism: authenticationMechanism)
        session.resumptionFailure = resumptionFailure
        self.boundJID = boundJID
        if let enable = enableStreamManagementIfOffered(features) {
            state = .enablingStreamManagement(session)
            return [.writeElement(enable)] + moveDeadline(to: .streamManagement)
        }
        return announce(session)
    }

    /// The session is established: the application may use it.
    mutating func announce(_ session: EstablishedSession) -> [Action] {
        state = .established(session)
        return cancelDeadline() + [.established(session)] + startLiveness()
    }

    /// A `<stream:error/>` arrived: report it, or follow `see-other-host`
    /// while negotiating (up to the redirect limit).
    mutating func receivedStreamError(_ element: XMLElement) -> [Action] {
        let error = (try? StreamError(element: element)) ?? StreamError(.undefinedCondition)
        switch state {
        case .idle, .closed:
            return []
        case .closing:
            return finishClosing()
        case .established:
            // After establishment a redirect ends the session like any other
            // stream error; reconnecting is the application's decision.
            return fail(.streamError(error))
        default:
            break
        }
        guard error.condition == .seeOtherHost, followsRedirects else { return fail(.streamError(error)) }
        guard redirectsSoFar < configuration.maximumRedirects else { return fail(.seeOtherHostLimit(error)) }
        guard let target = error.otherHost.flatMap(SeeOtherHostTarget.init) else { return fail(.streamError(error)) }
        var actions = cancelDeadline()
        actions += [.writeStreamClose, .followSeeOtherHost(host: target.host, port: target.port), .closeConnection]
        state = .closed
        return actions
    }
}
