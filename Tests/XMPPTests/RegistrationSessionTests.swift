import Testing
import XMPPCore

@testable import XMPP

/// In-band registration (XEP-0077 §3.1) in the session machine, as
/// transcripts: what the server sends → what the machine asks for.
@Suite struct RegistrationSessionTests {
    typealias T = SessionTest
    typealias R = RegistrationTest

    @Test("On the secured stream: the form request with a deadline, then the form to the application with no deadline running")
    func formRequestAndForm() throws {
        var machine = T.securedAwaitingFeatures(R.configuration())
        let start = machine.received(element: R.securedFeatures, bytesFollowing: 0)
        #expect(start == [
            .writeElement(R.formRequest),
            .cancelDeadline(DeadlineID(.streamOpening, 1)),
            .scheduleDeadline(DeadlineID(.registration, 2), .seconds(10)),
        ])
        #expect(!start.contains { if case .writeElement(let e) = $0 { e.name.namespace == XMLNamespace.sasl } else { false } })

        let form = R.form(["username", "password", "email"], instructions: "\n  Choose wisely.\n")
        let actions = machine.received(element: form, bytesFollowing: 0)
        let handedOver = try #require(actions.registrationForm)
        #expect(actions == [.cancelDeadline(DeadlineID(.registration, 2)), .registrationFormReceived(handedOver)])
        #expect(handedOver.fields == [.username, .password, .email])
        #expect(handedOver.instructions == "Choose wisely.")
        #expect(machine.deadline == nil, "the application may take its time")
    }

    @Test("The submission carries username, password and the answered fields; the result closes the stream cleanly")
    func registerThenClose() throws {
        var machine = R.awaitingAnswer(form: R.form(["username", "password", "email"]))
        let submit = try machine.submitRegistration(RegistrationAnswer(fields: [.email: "alice@example.org", .nick: "unasked"]))
        #expect(submit == [
            .writeElement(R.submission(["username": "alice", "password": T.password, "email": "alice@example.org"])),
            .scheduleDeadline(DeadlineID(.registration, 3), .seconds(10)),
        ])

        let done = machine.received(element: R.result(), bytesFollowing: 0)
        #expect(done == [
            .cancelDeadline(DeadlineID(.registration, 3)),
            .accountRegistered(sessionContinues: false),
            .writeStreamClose,
            .scheduleDeadline(DeadlineID(.closing, 4), .seconds(5)),
        ])
        #expect(machine.accountRegistered)
        #expect(machine.receivedStreamEnd() == [.cancelDeadline(DeadlineID(.closing, 4)), .closeConnection])
    }

    @Test("Register then log in: SASL follows on the same stream with the same credentials, then binding")
    func registerThenLogIn() throws {
        var machine = try R.awaitingResult(.thenLogIn)
        let done = machine.received(element: R.result(from: nil), bytesFollowing: 0)
        #expect(done == [
            .accountRegistered(sessionContinues: true),
            .writeElement(T.plainAuth),
            .cancelDeadline(DeadlineID(.registration, 3)),
            .scheduleDeadline(DeadlineID(.authentication, 4), .seconds(12)),
        ])
        _ = machine.received(element: T.saslSuccess, bytesFollowing: 0)
        _ = machine.receivedStreamHeader(T.serverHeader())
        // The restarted stream may announce <register/> again: it is not used twice.
        let bind = machine.received(element: T.features(R.registerFeature, T.bindFeature), bytesFollowing: 0)
        #expect(bind.writtenElements == [T.bindRequest()])
    }

    @Test("Secured features without <register/>: registrationFailed(notSupported) and nothing asked")
    func featureMissing() {
        var machine = T.securedAwaitingFeatures(R.configuration())
        let actions = machine.received(element: T.features(T.mechanisms("PLAIN")), bytesFollowing: 0)
        #expect(actions == [
            .cancelDeadline(DeadlineID(.streamOpening, 1)),
            .writeStreamClose,
            .fail(.registrationFailed(RegistrationError(.notSupported))),
            .closeConnection,
        ])
        #expect(actions.failure?.registrationError?.code == .notSupported)
    }

    @Test("<register/> offered only before TLS is never used: STARTTLS first, and the secured stream without it fails")
    func registerFeatureBeforeTLSOnly() {
        var machine = T.started(R.configuration())
        _ = machine.receivedStreamHeader(T.serverHeader())
        let plain = machine.received(element: T.features(T.startTLSFeature, R.registerFeature), bytesFollowing: 0)
        #expect(plain.writtenElements == [StartTLSNegotiation.request])
        _ = machine.received(element: T.proceed, bytesFollowing: 0)
        _ = machine.tlsEstablished(channelBindings: [:])
        _ = machine.receivedStreamHeader(T.serverHeader())
        let secured = machine.received(element: T.features(T.mechanisms("PLAIN")), bytesFollowing: 0)
        #expect(secured.writtenElements.isEmpty)
        #expect(secured.failure?.registrationError?.code == .notSupported)
    }

    /// A server's refusal and the code it becomes.
    struct Refusal: Sendable, CustomTestStringConvertible {
        var condition: StanzaError.Condition
        var code: RegistrationError.Code
        var atFormRequest = false
        var testDescription: String { "\(condition.name)\(atFormRequest ? " (form request)" : "") → \(code)" }
    }

    @Test(
        "A refusal fails with registrationFailed, classified, keeping the server's error",
        arguments: [
            Refusal(condition: .conflict, code: .conflict),
            Refusal(condition: .notAcceptable, code: .notAcceptable),
            Refusal(condition: .notAllowed, code: .notAllowed),
            Refusal(condition: .policyViolation, code: .notAllowed),
            Refusal(condition: .forbidden, code: .notAllowed),
            Refusal(condition: .internalServerError, code: .refused),
            Refusal(condition: .serviceUnavailable, code: .notSupported, atFormRequest: true),
            Refusal(condition: .notAllowed, code: .notAllowed, atFormRequest: true),
        ])
    func refusals(refusal: Refusal) throws {
        var machine = refusal.atFormRequest ? R.awaitingForm() : try R.awaitingResult()
        let id = refusal.atFormRequest ? "register-1" : "register-2"
        let actions = machine.received(element: R.refusal(refusal.condition, id: id, text: "no"), bytesFollowing: 0)
        let error = try #require(actions.failure)
        #expect(error.code == .registrationFailed)
        #expect(error.registrationError?.code == refusal.code)
        #expect(error.stanzaError?.condition == refusal.condition)
        #expect(error.stanzaError?.text == "no")
        #expect(Array(actions.suffix(3)) == [.writeStreamClose, .fail(error), .closeConnection])
    }

    @Test("Answers from another sender or with another id are dropped; the real one still counts")
    func originAndIdentifier() throws {
        var machine = R.awaitingForm()
        let spoofs = [
            R.form(from: "evil.example"),
            R.form(from: "alice@example.com"),
            R.form(from: "example.com/resource"),
            R.form(id: "register-2"),
            R.form(id: "x"),
        ]
        for spoof in spoofs {
            let actions = machine.received(element: spoof, bytesFollowing: 0)
            #expect(actions.count == 1)
            #expect(actions.first.map { if case .dropped = $0 { true } else { false } } == true, "\(actions)")
        }
        #expect(machine.received(element: R.form(from: "evil.example"), bytesFollowing: 0) == [
            .dropped(R.form(from: "evil.example"), .unexpectedOrigin)
        ])
        #expect(machine.deadline == DeadlineID(.registration, 2), "still waiting, same deadline")
        #expect(machine.received(element: R.form(from: "EXAMPLE.com"), bytesFollowing: 0).registrationForm != nil)

        // A second copy of the form answers nothing now.
        #expect(machine.received(element: R.form(), bytesFollowing: 0) == [.dropped(R.form(), .unexpectedResponse)])
    }

    @Test("A form marked <registered/> fails alreadyRegistered without a submission")
    func alreadyRegistered() {
        var machine = R.awaitingForm()
        let registered = XMLElement("registered", namespace: R.registerNamespace)
        let actions = machine.received(element: R.form(extra: [registered]), bytesFollowing: 0)
        #expect(actions.failure?.registrationError?.code == .alreadyRegistered)
        #expect(actions.failure?.registrationError?.form?.isRegistered == true)
        #expect(actions.writtenElements.isEmpty)
    }

    @Test("A result that is not a form fails invalidForm")
    func invalidForm() {
        var machine = R.awaitingForm()
        let actions = machine.received(element: R.result(id: "register-1"), bytesFollowing: 0)
        #expect(actions.failure?.registrationError?.code == .invalidForm)
    }

    @Test("A data-form-only form (a CAPTCHA) cannot be completed with fields; a data-form answer is sent alone")
    func dataFormOnly() throws {
        let captcha = R.dataForm(fields: [("FORM_TYPE", "hidden", "urn:xmpp:captcha"), ("ocr", "text-single", nil)])
        var refused = R.awaitingAnswer(form: R.form([], extra: [captcha]))
        let actions = try refused.submitRegistration(RegistrationAnswer())
        #expect(actions.failure?.registrationError?.code == .unfillableForm)
        #expect(actions.failure?.registrationError?.form?.dataForm == captcha)
        #expect(actions.writtenElements.isEmpty, "nothing submitted")

        var machine = R.awaitingAnswer(form: R.form(["username", "password"], extra: [captcha]))
        let submitted = R.dataForm(type: "submit", fields: [("ocr", "text-single", "7xq2")])
        let submit = try machine.submitRegistration(RegistrationAnswer(fields: [.email: "ignored"], dataForm: submitted))
        let query = XMLElement("query", namespace: R.registerNamespace, children: [.element(submitted)])
        #expect(submit.writtenElements == [IQ(type: .set, id: "register-2", to: R.server, payload: query).element])
    }

    @Test("A web page only (x:oob) cannot be completed in-band: unfillableForm with the URL")
    func redirectOnly() throws {
        let oob = XMLElement(
            "x", namespace: "jabber:x:oob",
            children: [.element(XMLElement("url", namespace: "jabber:x:oob", text: "https://example.com/signup"))])
        var machine = R.awaitingAnswer(form: R.form([], extra: [oob]))
        let actions = try machine.submitRegistration(RegistrationAnswer())
        #expect(actions.failure?.registrationError?.form?.redirectURL == "https://example.com/signup")
    }

    @Test("A listed field without a value: unfillableForm naming it, nothing sent; the transaction key goes back as it came")
    func missingFieldsAndKey() throws {
        var machine = R.awaitingAnswer(form: R.form(["username", "password", "email", "name"]))
        let actions = try machine.submitRegistration(RegistrationAnswer(fields: [.name: ""]))
        #expect(actions.failure?.registrationError?.missingFields == [.email, .name])
        #expect(actions.writtenElements.isEmpty)

        let key = XMLElement("key", namespace: R.registerNamespace, text: "a1b2")
        var keyed = R.awaitingAnswer(form: R.form(["username", "password"], extra: [key]))
        let submit = try keyed.submitRegistration(RegistrationAnswer())
        #expect(submit.writtenElements == [R.submission(["username": "alice", "password": T.password, "key": "a1b2"])])
    }

    @Test("An answer naming username or password, or with a non-data-form element, is refused; the form still awaits")
    func invalidAnswers() throws {
        var machine = R.awaitingAnswer()
        for answer in [
            RegistrationAnswer(fields: [.username: "mallory"]),
            RegistrationAnswer(fields: [.password: "other"]),
            RegistrationAnswer(dataForm: XMLElement("x", namespace: "jabber:x:oob")),
        ] {
            let error = #expect(throws: XMPPClientError.self) { try machine.submitRegistration(answer) }
            #expect(error?.code == .invalidConfiguration)
        }
        #expect(try machine.submitRegistration(RegistrationAnswer()).writtenElements == [R.usernameAndPassword])
        let again = #expect(throws: XMPPClientError.self) { try machine.submitRegistration(RegistrationAnswer()) }
        #expect(again?.code == .connectionClosed, "one submission per form")
    }

    @Test("Deadlines: waiting for the form and for the result time out with step registration")
    func deadlines() throws {
        var awaitingForm = R.awaitingForm()
        let formDeadline = try #require(awaitingForm.deadline)
        #expect(awaitingForm.deadlineFired(formDeadline) == [.writeStreamClose, .fail(.timeout(.registration)), .closeConnection])

        var awaitingResult = try R.awaitingResult()
        let resultDeadline = try #require(awaitingResult.deadline)
        #expect(resultDeadline.step == .registration)
        #expect(awaitingResult.deadlineFired(resultDeadline).failure?.step == .registration)
    }

    @Test("An IQ request from the server is answered service-unavailable; a message is unexpected")
    func otherTraffic() {
        var machine = R.awaitingForm()
        let probe = IQ(type: .get, id: "p1", from: R.server, payload: XMLElement("ping", namespace: "urn:xmpp:ping"))
        let answered = machine.received(element: probe.element, bytesFollowing: 0)
        #expect(answered == [
            .dropped(probe.element, .unhandledRequest),
            .writeElement(IQ(type: .error, id: "p1", to: R.server, error: StanzaError(.serviceUnavailable)).element),
        ])
        #expect(machine.received(element: T.chat, bytesFollowing: 0).failure?.code == .unexpectedElement)
    }

    @Test("The server closing while the application answers: streamClosedByPeer, and the late answer is refused")
    func serverClosesMidway() {
        var machine = R.awaitingAnswer()
        #expect(machine.receivedStreamEnd().failure?.code == .streamClosedByPeer)
        let late = #expect(throws: XMPPClientError.self) { try machine.submitRegistration(RegistrationAnswer()) }
        #expect(late?.code == .connectionClosed)
    }

    @Test("Closing while the application answers closes the stream cleanly")
    func closeWhileAnswering() {
        var machine = R.awaitingAnswer()
        let actions = machine.closeRequested()
        #expect(actions.prefix(2) == [.writeStreamClose, .fail(.connectionClosed(detail: "closed before the session was established"))])
    }

    @Test("see-other-host is followed before the form arrives; not while answering, submitting or after the account exists")
    func redirects() throws {
        let redirect = T.streamError(.seeOtherHost, otherHost: "b.example.com")
        var before = R.awaitingForm()
        #expect(before.received(element: redirect, bytesFollowing: 0).contains(.followSeeOtherHost(host: "b.example.com", port: nil)))

        var registered = try R.awaitingResult(.thenLogIn)
        _ = registered.received(element: R.result(), bytesFollowing: 0)
        for var machine in [R.awaitingAnswer(), try R.awaitingResult(), registered] {
            let actions = machine.received(element: redirect, bytesFollowing: 0)
            #expect(!actions.contains(.followSeeOtherHost(host: "b.example.com", port: nil)))
            #expect(actions.failure?.streamError?.condition == .seeOtherHost)
        }
    }
}
