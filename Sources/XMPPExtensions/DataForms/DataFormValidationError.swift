/// Why a submitted data form does not satisfy the form it answers; thrown
/// by ``DataForm/validate(_:)`` with every problem found, not just the
/// first. A form-processing entity answers such a submission with
/// `not-acceptable` (XEP-0004 §3.5).
public struct DataFormValidationError: Error, Hashable, Sendable {
    /// One broken rule.
    public struct Problem: Hashable, Sendable, CustomStringConvertible {
        /// The `var` of the field concerned; `nil` for the form as a whole.
        public var variable: String?
        /// What is wrong.
        public var kind: Kind

        /// Creates a problem.
        /// - Parameters:
        ///   - variable: The field's `var`, if it concerns one field.
        ///   - kind: What is wrong.
        public init(variable: String?, kind: Kind) {
            self.variable = variable
            self.kind = kind
        }

        /// The kind and the field, for example `missing required value: nickname`.
        public var description: String {
            variable.map { "\(kind): \($0)" } ?? "\(kind)"
        }
    }

    /// The kinds of problem; more may be added.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Code: Hashable, Sendable {
            case notASubmission, formTypeMismatch, duplicateField, missingRequiredValue
            case tooManyValues, notAnOption, invalidJID, invalidBoolean
        }

        private let code: Code

        private init(_ code: Code) {
            self.code = code
        }

        /// The form answering is not of type `submit`.
        public static let notASubmission = Kind(.notASubmission)
        /// Its `FORM_TYPE` differs from the form's (XEP-0068).
        public static let formTypeMismatch = Kind(.formTypeMismatch)
        /// Two fields of the submission have the same `var`.
        public static let duplicateField = Kind(.duplicateField)
        /// A field marked `<required/>` is absent or has only empty values.
        public static let missingRequiredValue = Kind(.missingRequiredValue)
        /// A single-valued field has more than one value.
        public static let tooManyValues = Kind(.tooManyValues)
        /// A list field's value is not one of its options.
        public static let notAnOption = Kind(.notAnOption)
        /// A JID field's value is not a valid JID (RFC 7622).
        public static let invalidJID = Kind(.invalidJID)
        /// A boolean field's value is not `0`, `1`, `false` or `true`.
        public static let invalidBoolean = Kind(.invalidBoolean)

        /// A short phrase naming the kind.
        public var description: String {
            switch code {
            case .notASubmission: "not a submission"
            case .formTypeMismatch: "FORM_TYPE mismatch"
            case .duplicateField: "duplicate field"
            case .missingRequiredValue: "missing required value"
            case .tooManyValues: "too many values"
            case .notAnOption: "not an option"
            case .invalidJID: "invalid JID"
            case .invalidBoolean: "invalid boolean"
            }
        }
    }

    /// Every problem found, in the order of the form's fields.
    public var problems: [Problem]

    /// Creates an error.
    /// - Parameter problems: The problems found.
    public init(problems: [Problem]) {
        self.problems = problems
    }
}

extension DataFormValidationError: CustomStringConvertible {
    /// The problems, for example
    /// `invalid data form: missing required value: nickname; not an option: color`.
    public var description: String {
        "invalid data form: " + problems.map(\.description).joined(separator: "; ")
    }
}
