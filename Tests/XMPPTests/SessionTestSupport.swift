import Foundation
import XMPPCore

@testable import XMPP

/// Builders for the session state machine tests: the account, the server's
/// elements, and machines already advanced to a given step.
enum SessionTest {
    static let jid = try! BareJID("alice@example.com")
    static let password = "correct horse battery staple"
    static let timeouts = XMPPConnection.Configuration.Timeouts(
        connect: .seconds(9), tlsHandshake: .seconds(11), negotiationStep: .seconds(10),
        authentication: .seconds(12), close: .seconds(5))

    static func configuration(
        resource: String? = nil,
        mechanisms: [SASLMechanismName] = [.plain],
        maximumRedirects: Int = 3,
        streamManagement: StreamManagementConfiguration? = nil
    ) -> SessionStateMachine.Configuration {
        SessionStateMachine.Configuration(
            jid: jid,
            requestedResource: resource,
            sasl: SASLConfiguration(username: "alice", password: password, allowedMechanisms: mechanisms),
            timeouts: timeouts,
            maximumRedirects: maximumRedirects,
            requestIdentifierPrefix: "q-",
            streamManagement: streamManagement)
    }

    static let encrypted = SASLTransportSecurity(isEncrypted: true)

    // MARK: Client output

    /// The header the client sends.
    static func clientHeader(secured: Bool) -> XMLStreamHeader {
        var attributes = [XMLAttribute("to", value: "example.com")]
        if secured { attributes.append(XMLAttribute("from", value: "alice@example.com")) }
        attributes.append(XMLAttribute("version", value: "1.0"))
        return XMLStreamHeader(
            name: XMLQualifiedName("stream", namespace: XMLNamespace.streams),
            attributes: attributes,
            namespaceDeclarations: ["": XMLNamespace.client, "stream": XMLNamespace.streams])
    }

    /// The PLAIN `<auth/>` for the test account.
    static var plainAuth: XMLElement {
        let payload = Data("\u{0}alice\u{0}\(password)".utf8).base64EncodedString()
        return XMLElement("auth", namespace: XMLNamespace.sasl, attributes: ["mechanism": "PLAIN"], children: [.text(payload)])
    }

    static func bindRequest(id: String = "bind-1", resource: String? = nil) -> XMLElement {
        var bind = XMLElement("bind", namespace: XMLNamespace.bind)
        if let resource { bind.append(XMLElement("resource", namespace: XMLNamespace.bind, text: resource)) }
        return IQ(type: .set, id: id, payload: bind).element
    }

    static let sessionRequest = IQ(
        type: .set, id: "session-1", payload: XMLElement("session", namespace: XMLNamespace.session)).element

    static func streamErrorElement(_ condition: StreamError.Condition) -> XMLElement {
        StreamError(condition).element
    }

    // MARK: Server input

    static func serverHeader(
        root: XMLQualifiedName = XMLQualifiedName("stream", namespace: XMLNamespace.streams),
        contentNamespace: String? = XMLNamespace.client,
        version: String? = "1.0",
        from: String? = "example.com"
    ) -> XMLStreamHeader {
        var attributes: [XMLAttribute] = [XMLAttribute("id", value: "s1")]
        if let from { attributes.append(XMLAttribute("from", value: from)) }
        if let version { attributes.append(XMLAttribute("version", value: version)) }
        var declarations = ["stream": XMLNamespace.streams]
        if let contentNamespace { declarations[""] = contentNamespace }
        return XMLStreamHeader(name: root, attributes: attributes, namespaceDeclarations: declarations)
    }

    static func features(_ children: XMLElement...) -> XMLElement {
        XMLElement(name: StreamFeatures.elementName, children: children.map { .element($0) })
    }

    static let startTLSFeature = XMLElement(
        "starttls", namespace: XMLNamespace.tls, children: [.element(XMLElement("required", namespace: XMLNamespace.tls))])

    static func mechanisms(_ names: String...) -> XMLElement {
        XMLElement(
            "mechanisms", namespace: XMLNamespace.sasl,
            children: names.map { .element(XMLElement("mechanism", namespace: XMLNamespace.sasl, text: $0)) })
    }

    static let bindFeature = XMLElement("bind", namespace: XMLNamespace.bind)

    static func sessionFeature(optional: Bool) -> XMLElement {
        XMLElement(
            "session", namespace: XMLNamespace.session,
            children: optional ? [.element(XMLElement("optional", namespace: XMLNamespace.session))] : [])
    }

    static let proceed = XMLElement("proceed", namespace: XMLNamespace.tls)
    static let tlsFailure = XMLElement("failure", namespace: XMLNamespace.tls)
    static let saslSuccess = XMLElement("success", namespace: XMLNamespace.sasl)

    static func saslFailure(_ condition: String) -> XMLElement {
        XMLElement("failure", namespace: XMLNamespace.sasl, children: [.element(XMLElement(condition, namespace: XMLNamespace.sasl))])
    }

    static func bindResult(id: String = "bind-1", jid: String) -> XMLElement {
        let bind = XMLElement(
            "bind", namespace: XMLNamespace.bind, children: [.element(XMLElement("jid", namespace: XMLNamespace.bind, text: jid))])
        return IQ(type: .result, id: id, payload: bind).element
    }

    static func iqError(id: String, _ condition: StanzaError.Condition) -> XMLElement {
        IQ(type: .error, id: id, error: StanzaError(condition)).element
    }

    static let sessionResult = IQ(type: .result, id: "session-1").element

    static func streamError(_ condition: StreamError.Condition, otherHost: String? = nil) -> XMLElement {
        StreamError(condition, otherHost: otherHost).element
    }

    static let chat = Message(type: .chat, to: try! JID("alice@example.com/phone"), id: "m1", body: "hi").element

    // MARK: Machines at a step

    /// Started on a plain connection; next: the server's header.
    static func started(_ configuration: SessionStateMachine.Configuration = configuration(), redirects: Int = 0)
        -> SessionStateMachine
    {
        var machine = SessionStateMachine(configuration: configuration, redirectsSoFar: redirects)
        _ = machine.start(transport: .plain)
        return machine
    }

    /// `<starttls/>` sent; next: `<proceed/>`.
    static func awaitingProceed(_ configuration: SessionStateMachine.Configuration = configuration()) -> SessionStateMachine {
        var machine = started(configuration)
        _ = machine.receivedStreamHeader(serverHeader())
        _ = machine.received(element: features(startTLSFeature), bytesFollowing: 0)
        return machine
    }

    /// `<proceed/>` received; next: the handshake's outcome.
    static func handshaking(_ configuration: SessionStateMachine.Configuration = configuration()) -> SessionStateMachine {
        var machine = awaitingProceed(configuration)
        _ = machine.received(element: proceed, bytesFollowing: 0)
        return machine
    }

    /// TLS up (direct TLS) and the header received; next: features.
    static func securedAwaitingFeatures(_ configuration: SessionStateMachine.Configuration = configuration())
        -> SessionStateMachine
    {
        var machine = SessionStateMachine(configuration: configuration)
        _ = machine.start(transport: .tls(encrypted))
        _ = machine.receivedStreamHeader(serverHeader())
        return machine
    }

    /// `<auth/>` sent; next: the server's answer.
    static func authenticating(_ configuration: SessionStateMachine.Configuration = configuration()) -> SessionStateMachine {
        var machine = securedAwaitingFeatures(configuration)
        _ = machine.received(element: features(mechanisms("PLAIN")), bytesFollowing: 0)
        return machine
    }

    /// Authenticated and restarted, header received; next: features.
    static func authenticatedAwaitingFeatures(_ configuration: SessionStateMachine.Configuration = configuration())
        -> SessionStateMachine
    {
        var machine = authenticating(configuration)
        _ = machine.received(element: saslSuccess, bytesFollowing: 0)
        _ = machine.receivedStreamHeader(serverHeader())
        return machine
    }

    /// The bind request sent; next: its result.
    /// - Parameters:
    ///   - session: Whether to announce the RFC 3921 session (`true`: optional).
    ///   - streamManagement: Whether to announce XEP-0198 (`<sm xmlns='urn:xmpp:sm:3'/>`).
    static func binding(
        _ configuration: SessionStateMachine.Configuration = configuration(),
        session: Bool? = nil,
        streamManagement: Bool = false
    ) -> SessionStateMachine {
        var machine = authenticatedAwaitingFeatures(configuration)
        var children = [bindFeature]
        if let session { children.append(sessionFeature(optional: session)) }
        if streamManagement { children.append(XMLElement(name: StreamManagementElement.featureName)) }
        _ = machine.received(element: XMLElement(name: StreamFeatures.elementName, children: children.map { .element($0) }), bytesFollowing: 0)
        return machine
    }

    /// The RFC 3921 session request sent; next: its result.
    static func establishingSession() -> SessionStateMachine {
        var machine = binding(session: false)
        _ = machine.received(element: bindResult(jid: "alice@example.com/r1"), bytesFollowing: 0)
        return machine
    }

    /// Established as alice@example.com/r1.
    static func established() -> SessionStateMachine {
        var machine = binding()
        _ = machine.received(element: bindResult(jid: "alice@example.com/r1"), bytesFollowing: 0)
        return machine
    }

    /// The id of the deadline the machine holds now.
    static func deadline(of machine: SessionStateMachine) -> SessionStateMachine.DeadlineID? {
        machine.deadline
    }
}

// MARK: - Comparing actions

extension SessionStateMachine.Action: Equatable {
    /// Actions are equal when their payloads are; errors compare by code and
    /// description (which includes the typed details).
    static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.writeStreamHeader(let a), .writeStreamHeader(let b)): a == b
        case (.writeElement(let a), .writeElement(let b)): a == b
        case (.answerAckRequest(let a), .answerAckRequest(let b)): a == b
        case (.writeStreamClose, .writeStreamClose): true
        case (.addTLSHandler, .addTLSHandler): true
        case (.resetReader, .resetReader): true
        case (.scheduleDeadline(let a, let x), .scheduleDeadline(let b, let y)): a == b && x == y
        case (.cancelDeadline(let a), .cancelDeadline(let b)): a == b
        case (.established(let a), .established(let b)): a == b
        case (.deliver(let a), .deliver(let b)): a == b
        case (.followSeeOtherHost(let a, let x), .followSeeOtherHost(let b, let y)): a == b && x == y
        case (.closeConnection, .closeConnection): true
        case (.fail(let a), .fail(let b)): a.code == b.code && a.description == b.description
        case (.completeRequest(let a, let x), .completeRequest(let b, let y)): a == b && x == y
        case (.handleRequest(let a, let x), .handleRequest(let b, let y)): a == b && x.key == y.key && x.registration == y.registration
        case (.scheduleRequestTimer(let a), .scheduleRequestTimer(let b)): a == b
        case (.cancelRequestTimer, .cancelRequestTimer): true
        case (.dropped(let a, let x), .dropped(let b, let y)): a == b && x == y
        case (.registrationFormReceived(let a), .registrationFormReceived(let b)): a == b
        case (.accountRegistered(let a), .accountRegistered(let b)): a == b
        case (.stanzasAcknowledged(let a), .stanzasAcknowledged(let b)): a == b
        case (.stanzasNotAcknowledged(let a, let x), .stanzasNotAcknowledged(let b, let y)):
            a == b && x.code == y.code && x.description == y.description
        case (.scheduleAckRequestTimer(let a), .scheduleAckRequestTimer(let b)): a == b
        case (.cancelAckRequestTimer, .cancelAckRequestTimer): true
        case (.writeWhitespace, .writeWhitespace): true
        case (.scheduleLivenessTimer(let a), .scheduleLivenessTimer(let b)): a == b
        default: false
        }
    }
}

extension SessionStateMachine.RequestOutcome: Equatable {
    /// Outcomes are equal when their payloads are; errors compare by code
    /// and description.
    static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.response(let a), .response(let b)): a == b
        case (.failed(let a), .failed(let b)): a.code == b.code && a.description == b.description
        case (.cancelled, .cancelled): true
        default: false
        }
    }
}

extension [SessionStateMachine.Action] {
    /// The error of the `.fail` action, if there is one.
    var failure: XMPPClientError? {
        for case .fail(let error) in self { return error }
        return nil
    }

    /// Every element written.
    var writtenElements: [XMLElement] {
        compactMap { if case .writeElement(let element) = $0 { element } else { nil } }
    }
}

typealias DeadlineID = SessionStateMachine.DeadlineID
