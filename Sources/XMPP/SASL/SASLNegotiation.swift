import XMPPCore

/// The pure SASL exchange of RFC 6120 §6, driven by the session machine.
///
/// The session hands in the offered mechanisms once (``start(offeredMechanisms:)``)
/// and then every element of the SASL namespace the server sends
/// (``received(_:)``); each call returns the one thing to do next. The
/// exchange ends with ``Action/succeeded`` (restart the stream) or
/// ``Action/failed(_:)`` (close the session). Once it has failed, nothing
/// else is tried: falling back to a weaker mechanism after a failure would
/// hand the password in the clear to whoever caused that failure (P17).
///
/// When we detect a problem ourselves (a bad nonce, a wrong signature) the
/// result is ``Action/failed(_:)`` at once, not an `<abort/>` round trip: a
/// server that misbehaves gets no further say, and the session closes the
/// stream. ``abort()`` exists for the session's own cancellation.
struct SASLNegotiation: Sendable {
    /// What the session must do after an input.
    enum Action: Equatable, Sendable {
        /// Write this element (`<auth/>`, `<response/>` or `<abort/>`).
        case send(XMLElement)
        /// Authentication succeeded and, for SCRAM, the server proved that it
        /// knows our credentials: restart the stream.
        case succeeded
        /// Authentication failed; close the session.
        case failed(SASLError)
    }

    private enum State: Sendable {
        case initial
        /// PLAIN, ANONYMOUS or EXTERNAL: only `<success/>` or `<failure/>` may follow.
        case awaitingOutcome
        case scramAwaitingServerFirst(SCRAMClient)
        case scramAwaitingServerFinal(SCRAMClient.AwaitingServerFinal)
        /// The server signature came in a challenge and checked out; only
        /// `<success/>` (or `<failure/>`) may follow.
        case scramVerified(SCRAMClient.AwaitingServerFinal)
        /// We sent `<abort/>`; the server's `<failure/>` ends the exchange.
        case aborting
        case finished
    }

    private let configuration: SASLConfiguration
    private let security: SASLTransportSecurity
    private let serverChannelBindings: [ChannelBindingType]?
    private let makeClientNonce: @Sendable () -> String?
    private var state: State = .initial

    /// The mechanism chosen by ``start(offeredMechanisms:)``; `nil` before
    /// that, or when nothing acceptable was offered.
    private(set) var mechanism: SASLMechanismName?

    /// Creates a negotiation.
    /// - Parameters:
    ///   - configuration: Credentials and the allowed mechanisms.
    ///   - security: Whether the stream is encrypted and what it can bind to.
    ///   - serverAdvertisesChannelBindings: The XEP-0440 `<sasl-channel-binding/>`
    ///     types from the stream features, or `nil` when not advertised.
    init(
        configuration: SASLConfiguration,
        security: SASLTransportSecurity,
        serverAdvertisesChannelBindings: [ChannelBindingType]?
    ) {
        self.init(
            configuration: configuration,
            security: security,
            serverAdvertisesChannelBindings: serverAdvertisesChannelBindings,
            clientNonce: SCRAMClient.randomNonce
        )
    }

    /// Creates a negotiation with a chosen client-nonce source, for tests
    /// against fixed vectors. The source returns `nil` if it fails.
    init(
        configuration: SASLConfiguration,
        security: SASLTransportSecurity,
        serverAdvertisesChannelBindings: [ChannelBindingType]?,
        clientNonce: @escaping @Sendable () -> String?
    ) {
        self.configuration = configuration
        self.security = security
        self.serverChannelBindings = serverAdvertisesChannelBindings
        self.makeClientNonce = clientNonce
    }

    /// Picks the mechanism by *our* preference among `offered` (never the
    /// server's order) and returns the `<auth/>` to send, or the failure.
    mutating func start(offeredMechanisms: [String]) -> Action {
        guard case .initial = state else { return fail(.unexpectedElement) }
        let selection: SASLMechanismSelection
        switch SASLMechanismSelection.select(
            offered: offeredMechanisms, configuration: configuration,
            security: security, serverChannelBindings: serverChannelBindings)
        {
        case .failure(let error): return fail(error)
        case .success(let value): selection = value
        }
        mechanism = selection.mechanism

        let initialResponse: [UInt8]
        switch selection.method {
        case .scram(let algorithm, let binding):
            guard let password = configuration.password else { return fail(.noAcceptableMechanism) }
            guard let nonce = makeClientNonce() else { return fail(.cryptoFailure) }
            guard let client = SCRAMClient(
                algorithm: algorithm, configuration: configuration, password: password,
                channelBinding: binding, clientNonce: nonce)
            else { return fail(.invalidCredentials) }
            initialResponse = Array(client.clientFirstMessage.utf8)
            state = .scramAwaitingServerFirst(client)
        case .plain:
            // RFC 4616: [authzid] NUL authcid NUL passwd. A NUL inside any of
            // them would shift the fields, so it is refused.
            guard let password = configuration.password else { return fail(.noAcceptableMechanism) }
            let authzid = configuration.authorizationIdentity ?? ""
            let fields = [authzid, configuration.username, password]
            guard !configuration.username.isEmpty, !password.isEmpty, !fields.contains(where: { $0.utf8.contains(0) })
            else { return fail(.invalidCredentials) }
            initialResponse = Array(authzid.utf8) + [0] + Array(configuration.username.utf8) + [0]
                + Array(password.utf8)
            state = .awaitingOutcome
        case .anonymous:
            // RFC 4505 allows a trace token; we send none (an empty response).
            initialResponse = []
            state = .awaitingOutcome
        case .external:
            // RFC 6120 §6.3.4 / XEP-0178: the authzid if we want one, else empty.
            initialResponse = Array((configuration.authorizationIdentity ?? "").utf8)
            state = .awaitingOutcome
        }
        let auth = XMLElement(
            "auth", namespace: XMLNamespace.sasl, attributes: ["mechanism": selection.mechanism.name],
            children: [.text(SASLBase64.encodePayload(initialResponse))])
        return .send(auth)
    }

    /// Feeds a `<challenge/>`, `<success/>` or `<failure/>` of the
    /// `urn:ietf:params:xml:ns:xmpp-sasl` namespace.
    mutating func received(_ element: XMLElement) -> Action {
        guard element.name.namespace == XMLNamespace.sasl else { return fail(.unexpectedElement) }
        switch element.name.localName {
        case "failure": return receivedFailure(element)
        case "challenge", "success": break
        default: return fail(.unexpectedElement)
        }
        let isSuccess = element.name.localName == "success"
        guard let payload = SASLBase64.decodePayload(element.text) else {
            if case .initial = state { return fail(.unexpectedElement) }
            if case .finished = state { return fail(.unexpectedElement) }
            return fail(.invalidBase64)
        }

        switch state {
        case .initial, .finished, .aborting:
            return fail(.unexpectedElement)
        case .awaitingOutcome:
            // PLAIN, ANONYMOUS and EXTERNAL have no challenges; additional
            // data with success carries nothing for them and is ignored.
            return isSuccess ? succeed() : fail(.unexpectedElement)
        case .scramAwaitingServerFirst(let client):
            // Success before the proof means the server never checked us, or
            // is not the server: it cannot have a signature to show.
            guard !isSuccess else { return fail(.missingServerSignature) }
            switch client.respond(toServerFirst: payload) {
            case .failure(let error): return fail(error)
            case .success(let (clientFinal, next)):
                state = .scramAwaitingServerFinal(next)
                let text = SASLBase64.encode(Array(clientFinal.utf8))
                return .send(XMLElement("response", namespace: XMLNamespace.sasl, text: text))
            }
        case .scramAwaitingServerFinal(let verifier):
            // The server-final comes either as success's additional data
            // (RFC 6120 §6.3.10) or, from older servers, in a last challenge
            // that we answer with an empty response. Either way it is verified
            // before anything is accepted.
            guard !payload.isEmpty else {
                return fail(isSuccess ? .missingServerSignature : .malformedChallenge("server-final-message"))
            }
            if let error = verifier.verify(payload) { return fail(error) }
            if isSuccess { return succeed() }
            state = .scramVerified(verifier)
            return .send(XMLElement("response", namespace: XMLNamespace.sasl))
        case .scramVerified(let verifier):
            guard isSuccess else { return fail(.unexpectedElement) }
            // Data here is redundant; if present, it must verify as well.
            if !payload.isEmpty, let error = verifier.verify(payload) { return fail(error) }
            return succeed()
        }
    }

    /// Cancels the exchange from our side: send the returned `<abort/>`;
    /// the server's `<failure><aborted/></failure>` then ends it.
    mutating func abort() -> Action {
        switch state {
        case .initial, .finished, .aborting:
            return fail(.serverFailure(condition: "aborted", text: nil))
        case .awaitingOutcome, .scramAwaitingServerFirst, .scramAwaitingServerFinal, .scramVerified:
            state = .aborting
            return .send(XMLElement("abort", namespace: XMLNamespace.sasl))
        }
    }

    private mutating func receivedFailure(_ element: XMLElement) -> Action {
        if case .initial = state { return fail(.unexpectedElement) }
        if case .finished = state { return fail(.unexpectedElement) }
        return fail(SASLFailure.error(from: element))
    }

    private mutating func succeed() -> Action {
        state = .finished
        return .succeeded
    }

    private mutating func fail(_ error: SASLError) -> Action {
        state = .finished
        return .failed(error)
    }
}

/// Reading a `<failure/>` (RFC 6120 §6.5).
enum SASLFailure {
    /// The RFC 6120 §6.5 conditions; any other child name is reported as
    /// `not-authorized`, so no server-chosen element name reaches our errors.
    static let knownConditions: Set<String> = [
        "aborted", "account-disabled", "credentials-expired", "encryption-required", "incorrect-encoding",
        "invalid-authzid", "invalid-mechanism", "malformed-request", "mechanism-too-weak", "not-authorized",
        "temporary-auth-failure",
    ]

    /// The error a `<failure/>` element reports.
    static func error(from element: XMLElement) -> SASLError {
        let children = element.elements.filter { $0.name.namespace == XMLNamespace.sasl }
        let condition = children.first { $0.name.localName != "text" }?.name.localName
        let text = children.first { $0.name.localName == "text" }?.text
        let known = condition.flatMap { knownConditions.contains($0) ? $0 : nil } ?? "not-authorized"
        return .serverFailure(condition: known, text: text.flatMap { $0.isEmpty ? nil : $0 })
    }
}
