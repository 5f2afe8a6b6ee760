import Testing
import XMPPCore

@testable import XMPP

/// The registration values: reading forms, classifying refusals, the typed
/// requests for a logged-in account, and keeping passwords out of
/// descriptions and logs.
@Suite struct RegistrationFormTests {
    typealias R = RegistrationTest

    private func query(_ children: XMLElement...) -> XMLElement {
        XMLElement("query", namespace: R.registerNamespace, children: children.map { .element($0) })
    }

    private func field(_ name: String, _ text: String = "") -> XMLElement {
        XMLElement(name, namespace: R.registerNamespace, text: text)
    }

    @Test("XEP-0077 example 2: instructions trimmed, fields in order and once, no data form, not registered")
    func legacyForm() throws {
        let form = try RegistrationForm(element: query(
            field("instructions", "\n Choose a username and password.\n "),
            field("username"), field("password"), field("email"), field("username"),
            XMLElement("x-unknown", namespace: R.registerNamespace),
            XMLElement("email", namespace: "urn:other")))
        #expect(form.instructions == "Choose a username and password.")
        #expect(form.fields == [.username, .password, .email])
        #expect(form.currentValues.isEmpty)
        #expect(!form.isRegistered)
        #expect(form.dataForm == nil && form.redirectURL == nil)
    }

    @Test("Prosody's form: fields and a data form side by side")
    func fieldsAndDataForm() throws {
        let dataForm = R.dataForm(fields: [
            ("FORM_TYPE", "hidden", "jabber:iq:register"), ("username", "text-single", nil), ("password", "text-private", nil),
        ])
        let form = try RegistrationForm(element: query(field("username"), field("password"), dataForm))
        #expect(form.fields == [.username, .password])
        #expect(form.dataForm == dataForm)
    }

    @Test("A registered form keeps the values on file, and neither description nor dump shows them")
    func registeredFormHidesValues() throws {
        let form = try RegistrationForm(element: query(
            XMLElement("registered", namespace: R.registerNamespace),
            field("username", "juliet"), field("password", "R0m30"), field("email", " juliet@capulet.example ")))
        #expect(form.isRegistered)
        #expect(form.currentValues == [.username: "juliet", .password: "R0m30", .email: "juliet@capulet.example"])
        var dumped = ""
        dump(form, to: &dumped)
        for text in [form.description, dumped, "\(RegistrationError(.alreadyRegistered, form: form))"] {
            #expect(!text.contains("R0m30"), "\(text)")
        }
        #expect(form.description == "RegistrationForm(fields: [username, password, email], registered)")
    }

    @Test("A web page to register at (x:oob), trimmed; an element that is not a registration query is refused")
    func redirectAndWrongElement() throws {
        let oob = XMLElement(
            "x", namespace: "jabber:x:oob",
            children: [.element(XMLElement("url", namespace: "jabber:x:oob", text: " https://example.com/signup\n"))])
        let form = try RegistrationForm(element: query(field("instructions", "Visit the site."), oob))
        #expect(form.redirectURL == "https://example.com/signup")
        #expect(form.fields.isEmpty)
        let error = #expect(throws: StanzaParseError.self) {
            try RegistrationForm(element: XMLElement("query", namespace: "jabber:iq:roster"))
        }
        #expect(error?.kind == .unexpectedElement)
    }

    /// A refusal as a server sends it, and the code it becomes.
    struct Classification: Sendable, CustomTestStringConvertible {
        var error: StanzaError
        var code: RegistrationError.Code
        var testDescription: String { "\(error.condition.name) \(error.additionalAttributes.map(\.value)) → \(code)" }
    }

    @Test(
        "Refusals are classified by condition, or by the legacy code when that is all a server sent",
        arguments: [
            Classification(error: StanzaError(.conflict), code: .conflict),
            Classification(error: StanzaError(.notAcceptable), code: .notAcceptable),
            Classification(error: StanzaError(.notAllowed), code: .notAllowed),
            Classification(error: StanzaError(.forbidden), code: .notAllowed),
            Classification(error: StanzaError(.policyViolation, type: .wait), code: .notAllowed),
            Classification(error: StanzaError(.serviceUnavailable), code: .notSupported),
            Classification(error: StanzaError(.featureNotImplemented), code: .notSupported),
            Classification(error: StanzaError(.badRequest), code: .refused),
            Classification(error: StanzaError(.undefinedCondition, additionalAttributes: [XMLAttribute("code", value: "409")]), code: .conflict),
            Classification(error: StanzaError(.undefinedCondition, additionalAttributes: [XMLAttribute("code", value: "406")]), code: .notAcceptable),
            Classification(error: StanzaError(.undefinedCondition, additionalAttributes: [XMLAttribute("code", value: "999")]), code: .refused),
            Classification(error: StanzaError(.badRequest, additionalAttributes: [XMLAttribute("code", value: "409")]), code: .refused),
        ])
    func classification(_ case: Classification) {
        let error = RegistrationError(refusal: `case`.error)
        #expect(error.code == `case`.code)
        #expect(error.stanzaError == `case`.error)
    }

    @Test("A legacy error element with only a code parses into a conflict")
    func legacyElement() throws {
        let iq = try IQ(element: XMLElement(
            "iq", namespace: XMLNamespace.client, attributes: ["type": "error", "id": "register-2"],
            children: [.element(XMLElement("error", namespace: XMLNamespace.client, attributes: ["code": "409"]))]))
        #expect(RegistrationError(refusal: try #require(iq.error)).code == .conflict)
    }

    @Test("The error's description names the code, the missing fields and the server's condition")
    func errorDescription() {
        let missing = RegistrationError(.unfillableForm, missingFields: [.email, .name])
        #expect(missing.description == "registration failed: unfillable form (missing email, name)")
        let refused = XMPPClientError.registrationFailed(RegistrationError(refusal: StanzaError(.conflict, text: "taken")))
        #expect(refused.description == "XMPP: registration failed: conflict (stanza error: cancel/conflict: taken)")
        #expect(refused.underlying is RegistrationError)
    }

    @Test("Change password: username and password in jabber:iq:register, the password in no description or dump")
    func changePassword() {
        let request = ChangePasswordRequest(username: "alice", newPassword: "hunter2-new")
        #expect(request.type == .set)
        #expect(request.payload == query(field("username", "alice"), field("password", "hunter2-new")))
        var dumped = ""
        dump(request, to: &dumped)
        for text in [request.description, request.debugDescription, dumped, "\(request)"] {
            #expect(!text.contains("hunter2"), "\(text)")
        }
        #expect(request == ChangePasswordRequest(username: "alice", newPassword: "hunter2-new"))
        #expect(request != ChangePasswordRequest(username: "alice", newPassword: "other"))
    }

    @Test("Cancel: <remove/> alone in a set; the form request reads the result's form or refuses a result without one")
    func cancelAndFormRequests() throws {
        let cancel = CancelRegistrationRequest()
        #expect(cancel.type == .set)
        #expect(cancel.payload == query(XMLElement("remove", namespace: R.registerNamespace)))

        let request = RegistrationFormRequest()
        #expect(request.type == .get)
        #expect(request.payload == query())
        let registered = IQ(type: .result, id: "q-1", payload: query(
            XMLElement("registered", namespace: R.registerNamespace), field("username", "alice"), field("password")))
        let form = try request.response(from: registered)
        #expect(form.isRegistered && form.currentValues == [.username: "alice"])
        #expect(throws: StanzaParseError.self) { try request.response(from: IQ(type: .result, id: "q-1")) }
    }

    @Test("An answer's description names fields, never values")
    func answerDescription() {
        let answer = RegistrationAnswer(
            fields: [.email: "secret@example.org", .nick: "n"],
            dataForm: R.dataForm(type: "submit", fields: [("password", "text-private", "pa55")]))
        var dumped = ""
        dump(answer, to: &dumped)
        #expect(answer.description == "RegistrationAnswer(fields: [email, nick], data form)")
        #expect(!dumped.contains("pa55") && !dumped.contains("secret@"))
    }

    @Test("Log redaction: the password of a submission, of an echo and of a submitted data form; other IQs unchanged")
    func logRedaction() throws {
        let submission = R.submission(["username": "alice", "password": "pa55word"])
        let redacted = RegistrationLogRedaction.redacted(submission)
        let writer = XMLWriter()
        let text = try writer.string(redacted)
        #expect(!text.contains("pa55word"))
        #expect(text.contains("<username>alice</username><password>[redacted]</password>"))

        let echo = IQ(type: .error, id: "register-2", payload: query(field("password", "pa55word")), error: StanzaError(.conflict))
        #expect(!(try writer.string(RegistrationLogRedaction.redacted(echo.element))).contains("pa55word"))

        let form = R.dataForm(type: "submit", fields: [
            ("username", "text-single", "alice"), ("password", "text-private", "pa55word"), ("old_password", "text-single", "old-pa55"),
        ])
        let submitted = IQ(type: .set, id: "register-2", payload: query(form)).element
        let formText = try writer.string(RegistrationLogRedaction.redacted(submitted))
        #expect(!formText.contains("pa55"))
        #expect(formText.contains("<value>alice</value>"))

        // A form's empty <password/> stays visible; other payloads are left alone.
        #expect(RegistrationLogRedaction.redacted(R.form()) == R.form())
        let roster = IQ(type: .set, id: "r", payload: XMLElement("query", namespace: "jabber:iq:roster", children: [
            .element(XMLElement("password", namespace: "jabber:iq:roster", text: "not ours")),
        ])).element
        #expect(RegistrationLogRedaction.redacted(roster) == roster)
    }
}
