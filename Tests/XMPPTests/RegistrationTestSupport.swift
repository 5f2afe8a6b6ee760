import XMPPCore

@testable import XMPP

/// Builders for the in-band registration tests: the configuration, the
/// server's elements and the client's, and machines at each step.
enum RegistrationTest {
    typealias T = SessionTest

    static let registerNamespace = "jabber:iq:register"
    static let server = try! JID("example.com")

    static func configuration(_ plan: SessionStateMachine.RegistrationPlan = .thenClose) -> SessionStateMachine.Configuration {
        var configuration = T.configuration()
        configuration.registration = plan
        return configuration
    }

    static let registerFeature = XMLElement("register", namespace: "http://jabber.org/features/iq-register")

    /// The features of a secured stream that offers registration and PLAIN.
    static var securedFeatures: XMLElement { T.features(registerFeature, T.mechanisms("PLAIN")) }

    // MARK: Client output

    static var formRequest: XMLElement {
        IQ(type: .get, id: "register-1", to: server, payload: XMLElement("query", namespace: registerNamespace)).element
    }

    /// The submission with these fields, in this order.
    static func submission(_ fields: KeyValuePairs<String, String>) -> XMLElement {
        let query = XMLElement(
            "query", namespace: registerNamespace,
            children: fields.map { .element(XMLElement($0.key, namespace: registerNamespace, text: $0.value)) })
        return IQ(type: .set, id: "register-2", to: server, payload: query).element
    }

    static var usernameAndPassword: XMLElement { submission(["username": "alice", "password": T.password]) }

    // MARK: Server input

    /// A form asking for `fields` (empty elements), with more children if given.
    static func form(
        _ fields: [String] = ["username", "password"],
        instructions: String? = "Choose a username and password.",
        extra: [XMLElement] = [],
        from: String? = "example.com",
        id: String = "register-1"
    ) -> XMLElement {
        var query = XMLElement("query", namespace: registerNamespace)
        if let instructions { query.append(XMLElement("instructions", namespace: registerNamespace, text: instructions)) }
        for field in fields { query.append(XMLElement(field, namespace: registerNamespace)) }
        for element in extra { query.append(element) }
        return IQ(type: .result, id: id, from: from.map { try! JID($0) }, payload: query).element
    }

    static func result(id: String = "register-2", from: String? = "example.com") -> XMLElement {
        IQ(type: .result, id: id, from: from.map { try! JID($0) }).element
    }

    static func refusal(
        _ condition: StanzaError.Condition,
        id: String = "register-2",
        text: String? = nil
    ) -> XMLElement {
        IQ(type: .error, id: id, from: server, error: StanzaError(condition, text: text)).element
    }

    /// A XEP-0004 form with one hidden FORM_TYPE and the given fields.
    static func dataForm(type: String = "form", fields: [(name: String, type: String, value: String?)]) -> XMLElement {
        var form = XMLElement("x", namespace: "jabber:x:data", attributes: ["type": type])
        for field in fields {
            var element = XMLElement("field", namespace: "jabber:x:data", attributes: ["var": field.name, "type": field.type])
            if let value = field.value { element.append(XMLElement("value", namespace: "jabber:x:data", text: value)) }
            form.append(element)
        }
        return form
    }

    // MARK: Machines at a step

    /// Direct TLS, header received, features with <register/> received;
    /// next: the form.
    static func awaitingForm(_ plan: SessionStateMachine.RegistrationPlan = .thenClose) -> SessionStateMachine {
        var machine = T.securedAwaitingFeatures(configuration(plan))
        _ = machine.received(element: securedFeatures, bytesFollowing: 0)
        return machine
    }

    /// The form arrived; next: the application's answer.
    static func awaitingAnswer(
        _ plan: SessionStateMachine.RegistrationPlan = .thenClose,
        form: XMLElement = form()
    ) -> SessionStateMachine {
        var machine = awaitingForm(plan)
        _ = machine.received(element: form, bytesFollowing: 0)
        return machine
    }

    /// The username and password were submitted; next: the result.
    static func awaitingResult(_ plan: SessionStateMachine.RegistrationPlan = .thenClose) throws -> SessionStateMachine {
        var machine = awaitingAnswer(plan)
        _ = try machine.submitRegistration(RegistrationAnswer())
        return machine
    }
}

extension [SessionStateMachine.Action] {
    /// The form handed to the application, if any.
    var registrationForm: RegistrationForm? {
        for case .registrationFormReceived(let form) in self { return form }
        return nil
    }
}
