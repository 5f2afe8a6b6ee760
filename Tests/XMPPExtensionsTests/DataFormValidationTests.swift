import Testing
import XMPPCore
import XMPPExtensions

/// Checking a submitted data form against the form it answers (XEP-0004
/// §3.2–§3.3).
@Suite(.timeLimit(.minutes(1))) struct DataFormValidationTests {
    let form: DataForm

    init() throws {
        form = try DataForm(element: TestXML.element(DataFormTests.configurationForm))
    }

    /// A submission answering every field acceptably.
    func validSubmission() -> DataForm {
        var answer = form.submission()
        answer.setValue("Botster", for: "botname")
        answer.setValue("1", for: "public")
        answer.setValue("40", for: "security")
        answer.setValues(["news", "search"], for: "features")
        answer.setValues(["juliet@example.com", "romeo@example.net/orchard"], for: "invitelist")
        answer.setValue("nurse@example.com", for: "owner")
        answer.setValues(["A bot", "for testing"], for: "description")
        return answer
    }

    /// The problems `submission` has, as (var, kind) pairs.
    func problems(_ submission: DataForm) -> [DataFormValidationError.Problem] {
        do {
            try form.validate(submission)
            return []
        } catch {
            return error.problems
        }
    }

    @Test("A complete, well-typed submission passes; fields the form lacks are ignored")
    func valid() throws {
        var answer = validSubmission()
        answer.setValues(["anything", "goes"], for: "not-in-the-form")
        answer.fields.append(DataForm.Field(variable: nil, values: ["no var"]))
        try form.validate(answer)
        // A submission may leave types out: the form's types apply.
        answer.fields = answer.fields.map { DataForm.Field(variable: $0.variable, values: $0.values) }
        try form.validate(answer)
    }

    @Test("Required fields: absent, empty or only empty values are reported")
    func required() {
        var answer = validSubmission()
        answer.fields.removeAll { $0.variable == "botname" }
        answer.setValues([""], for: "public")
        #expect(problems(answer) == [
            .init(variable: "botname", kind: .missingRequiredValue),
            .init(variable: "public", kind: .missingRequiredValue),
        ])
    }

    @Test("Single-valued fields take one value; multi-valued ones any number")
    func valueCounts() {
        var answer = validSubmission()
        answer.setValues(["a", "b"], for: "botname")
        answer.setValues(["20", "40"], for: "security")
        answer.setValues(["x", "y"], for: "password")
        #expect(problems(answer) == [
            .init(variable: "botname", kind: .tooManyValues),
            .init(variable: "password", kind: .tooManyValues),
            .init(variable: "security", kind: .tooManyValues),
        ])
    }

    @Test("List values must be options; JIDs must be valid; booleans must be 0, 1, false or true")
    func valueRules() {
        var answer = validSubmission()
        answer.setValue("99", for: "security")
        answer.setValues(["news", "weather"], for: "features")
        answer.setValues(["juliet@example.com", "not a@jid@"], for: "invitelist")
        answer.setValue("@example.com", for: "owner")
        answer.setValue("yes", for: "public")
        let kinds = problems(answer).map { "\($0.variable ?? "-") \($0.kind)" }
        #expect(kinds == [
            "public invalid boolean", "security not an option", "features not an option", "invitelist invalid JID", "owner invalid JID",
        ])
    }

    @Test("The submission must be of type submit, with the form's FORM_TYPE, and no var twice; every problem is reported")
    func formLevel() {
        var answer = validSubmission()
        answer.type = .result
        answer.setValue("urn:example:other", for: "FORM_TYPE")
        answer.fields.append(DataForm.Field(variable: "botname", values: ["again"]))
        let error = #expect(throws: DataFormValidationError.self) { try form.validate(answer) }
        #expect(error?.problems == [
            .init(variable: nil, kind: .notASubmission),
            .init(variable: "FORM_TYPE", kind: .formTypeMismatch),
            .init(variable: "botname", kind: .duplicateField),
        ])
        #expect(error?.description == "invalid data form: not a submission; FORM_TYPE mismatch: FORM_TYPE; duplicate field: botname")
    }

    @Test("A submission without FORM_TYPE is accepted; a list field without options takes any value")
    func lenientCases() throws {
        var answer = validSubmission()
        answer.fields.removeAll { $0.variable == "FORM_TYPE" }
        try form.validate(answer)
        let open = DataForm(type: .form, fields: [DataForm.Field(variable: "pick", type: .listSingle)])
        var pick = open.submission()
        pick.setValue("whatever", for: "pick")
        try open.validate(pick)
    }

    @Test("Hostile sizes: 50,000 fields against 50,000 answers, half of them repeated, validate in linear time")
    func hostileSizes() {
        let count = 50_000
        let form = DataForm(type: .form, fields: (0..<count).map { DataForm.Field(variable: "f\($0)", type: .textSingle, isRequired: true) })
        let answers = (0..<count).map { DataForm.Field(variable: "f\($0 % (count / 2))", values: ["v"]) }
        let error = #expect(throws: DataFormValidationError.self) { try form.validate(DataForm(type: .submit, fields: answers)) }
        #expect(error?.problems.filter { $0.kind == .duplicateField }.count == count / 2)
        #expect(error?.problems.filter { $0.kind == .missingRequiredValue }.count == count / 2)
    }
}
