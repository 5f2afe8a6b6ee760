extension DataForm {
    /// One `<field/>` of a data form (XEP-0004 §3.2).
    public struct Field: Hashable, Sendable {
        /// The `var` that identifies the field; `nil` only for `fixed`
        /// fields (or in forms that break that rule).
        public var variable: String?
        /// The `type` attribute; `nil` when absent, which means
        /// `text-single` in a `form` and "known from context" in a
        /// submission or result (see ``effectiveType``).
        public var type: FieldType?
        /// A human-readable name for the field.
        public var label: String?
        /// A natural-language description (`<desc/>`), for a tool tip.
        public var description: String?
        /// Whether the field must have a value for the form to be valid
        /// (`<required/>`).
        public var isRequired: Bool
        /// The values, in order: a default in a `form`, the answer in a
        /// `submit`, data in a `result`.
        public var values: [String]
        /// The choices of a `list-single` or `list-multi` field.
        public var options: [Option]

        /// Creates a field.
        /// - Parameters:
        ///   - variable: The `var`.
        ///   - type: The type; `nil` to leave it out.
        ///   - label: A human-readable name.
        ///   - description: A description.
        ///   - isRequired: Whether a value is required.
        ///   - values: The values.
        ///   - options: The choices of a list field.
        public init(
            variable: String?,
            type: FieldType? = nil,
            label: String? = nil,
            description: String? = nil,
            isRequired: Bool = false,
            values: [String] = [],
            options: [Option] = []
        ) {
            self.variable = variable
            self.type = type
            self.label = label
            self.description = description
            self.isRequired = isRequired
            self.values = values
            self.options = options
        }

        /// ``type``, or `text-single` when it is absent (XEP-0004 §3.3).
        public var effectiveType: FieldType { type ?? .textSingle }

        /// Whether the field may carry more than one value: `list-multi`,
        /// `jid-multi`, `text-multi` and `hidden` (XEP-0004 §3.2).
        public var allowsMultipleValues: Bool { effectiveType.allowsMultipleValues }

        /// The value of a `boolean` field: `1`/`true` and `0`/`false`
        /// (XEP-0004 §3.3); `false` when there is no value (the default);
        /// `nil` for anything else.
        public var booleanValue: Bool? {
            switch values.first {
            case nil, "0", "false": false
            case "1", "true": true
            default: nil
            }
        }
    }

    /// One choice of a list field (`<option/>`).
    public struct Option: Hashable, Sendable {
        /// A human-readable name for the choice.
        public var label: String?
        /// What is submitted when the choice is made.
        public var value: String

        /// Creates an option.
        /// - Parameters:
        ///   - label: A human-readable name.
        ///   - value: The value submitted for it.
        public init(label: String? = nil, value: String) {
            self.label = label
            self.value = value
        }
    }

    /// The data type of a field (XEP-0004 §3.3).
    public enum FieldType: String, Hashable, Sendable, CaseIterable {
        /// Yes or no: `0`/`false` or `1`/`true`.
        case boolean
        /// Text for display, such as a section heading; gathers nothing.
        case fixed
        /// Not shown, returned unchanged with the submission.
        case hidden
        /// Several JIDs.
        case jidMulti = "jid-multi"
        /// One JID.
        case jidSingle = "jid-single"
        /// Several of the options.
        case listMulti = "list-multi"
        /// One of the options.
        case listSingle = "list-single"
        /// Several lines of text, one value each.
        case textMulti = "text-multi"
        /// One line of text, to be obscured (a password).
        case textPrivate = "text-private"
        /// One line of text; also what any unknown type is read as.
        case textSingle = "text-single"

        /// Whether fields of this type may carry more than one value.
        public var allowsMultipleValues: Bool {
            switch self {
            case .listMulti, .jidMulti, .textMulti, .hidden: true
            default: false
            }
        }

        /// Whether values must be among the field's options.
        var isList: Bool { self == .listSingle || self == .listMulti }

        /// Whether values must be JIDs.
        var isJID: Bool { self == .jidSingle || self == .jidMulti }
    }
}
