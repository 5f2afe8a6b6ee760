import XMPPCore

extension DataForm {
    /// Checks a submission against this form (XEP-0004 §3.2–§3.3): what a
    /// form-processing entity does before it acts on the data.
    ///
    /// - The submission is of type `submit`, and its `FORM_TYPE`, if it
    ///   has one, is this form's.
    /// - No `var` appears twice in it (which answer would count?).
    /// - Every `<required/>` field has a non-empty value.
    /// - Single-valued fields (by this form's type for them) have at most
    ///   one value; list fields' values are among the options; JID fields
    ///   hold valid JIDs; booleans are `0`, `1`, `false` or `true`.
    ///
    /// Submitted fields this form does not have are ignored, as
    /// XEP-0004 §3.1 requires, and so are fields without a `var`.
    /// - Parameter submission: The filled-in form.
    /// - Throws: ``DataFormValidationError`` listing every problem found.
    public func validate(_ submission: DataForm) throws(DataFormValidationError) {
        var problems: [DataFormValidationError.Problem] = []
        if submission.type != .submit {
            problems.append(.init(variable: nil, kind: .notASubmission))
        }
        if let expected = formType, let submitted = submission.formType, submitted != expected {
            problems.append(.init(variable: Self.formTypeVariable, kind: .formTypeMismatch))
        }
        // One pass to index the answers (the first per var counts, as for
        // lookups), so a hostile submission with many fields costs linear time.
        var answers: [String: Field] = [:]
        for field in submission.fields {
            guard let variable = field.variable else { continue }
            if answers[variable] == nil {
                answers[variable] = field
            } else {
                problems.append(.init(variable: variable, kind: .duplicateField))
            }
        }
        for field in fields {
            guard let variable = field.variable, field.type != .fixed else { continue }
            problems += Self.problems(with: answers[variable], answering: field, variable: variable)
        }
        guard problems.isEmpty else { throw DataFormValidationError(problems: problems) }
    }

    /// What is wrong with one answer to one field of the form.
    private static func problems(
        with answer: Field?, answering field: Field, variable: String
    ) -> [DataFormValidationError.Problem] {
        func problem(_ kind: DataFormValidationError.Kind) -> DataFormValidationError.Problem {
            .init(variable: variable, kind: kind)
        }
        guard let answer else {
            return field.isRequired ? [problem(.missingRequiredValue)] : []
        }
        var problems: [DataFormValidationError.Problem] = []
        let values = answer.values
        if field.isRequired, !values.contains(where: { !$0.isEmpty }) {
            problems.append(problem(.missingRequiredValue))
        }
        // The form's type rules: a submission may leave types out.
        let type = field.type ?? answer.effectiveType
        if values.count > 1, !type.allowsMultipleValues {
            problems.append(problem(.tooManyValues))
        }
        let present = values.filter { !$0.isEmpty }
        if type.isList, !field.options.isEmpty {
            let allowed = Set(field.options.map(\.value))
            if present.contains(where: { !allowed.contains($0) }) { problems.append(problem(.notAnOption)) }
        }
        if type.isJID, present.contains(where: { (try? JID($0)) == nil }) {
            problems.append(problem(.invalidJID))
        }
        if type == .boolean, present.contains(where: { !["0", "1", "false", "true"].contains($0) }) {
            problems.append(problem(.invalidBoolean))
        }
        return problems
    }
}
