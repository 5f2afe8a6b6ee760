/// A XEP-0004 data form (`<x xmlns='jabber:x:data'/>`): a form to fill in,
/// its submission, a cancellation, or a result (possibly a table of items).
///
/// ```swift
/// var answer = form.submission()
/// answer.setValue("Romeo", for: "nickname")
/// answer.setValues(["news", "sports"], for: "topics")
/// try form.validate(answer)   // required fields, single values, list options
/// ```
///
/// Forms are read leniently where XEP-0004 asks for it (an unknown field
/// type is `text-single`; unknown children are ignored) and kept as sent
/// otherwise: fields that break a rule (two values for a single-valued
/// field, a repeated `var`) are not repaired on reading; ``validate(_:)``
/// reports them. Nothing is allocated beyond what the element holds.
public struct DataForm: Hashable, Sendable {
    /// `jabber:x:data`.
    public static let namespace = "jabber:x:data"
    /// The `var` of the hidden field that names what a form is for
    /// (XEP-0068), for example `urn:xmpp:dataforms:softwareinfo`.
    public static let formTypeVariable = "FORM_TYPE"

    /// What a form is for (XEP-0004 §3.1).
    public enum FormType: String, Hashable, Sendable, CaseIterable {
        /// The processing entity asks for the form to be filled in.
        case form
        /// The filled-in form.
        case submit
        /// The submitter gave up.
        case cancel
        /// Data the processing entity returns, or a data set.
        case result
    }

    /// What the form is for.
    public var type: FormType
    /// The form's title, if any.
    public var title: String?
    /// Natural-language instructions, one entry per `<instructions/>`.
    public var instructions: [String]
    /// The fields, in document order.
    public var fields: [Field]
    /// For a result table (XEP-0004 §3.4): the column definitions of
    /// `<reported/>`; `nil` when the form has none.
    public var reportedFields: [Field]?
    /// For a result table: each `<item/>`'s fields, in document order.
    public var items: [[Field]]

    /// Creates a form.
    /// - Parameters:
    ///   - type: What the form is for.
    ///   - title: A title.
    ///   - instructions: Instructions, one per paragraph.
    ///   - fields: The fields.
    ///   - reportedFields: The columns of a result table.
    ///   - items: The rows of a result table.
    public init(
        type: FormType,
        title: String? = nil,
        instructions: [String] = [],
        fields: [Field] = [],
        reportedFields: [Field]? = nil,
        items: [[Field]] = []
    ) {
        self.type = type
        self.title = title
        self.instructions = instructions
        self.fields = fields
        self.reportedFields = reportedFields
        self.items = items
    }
}

// MARK: - Reading and filling values

extension DataForm {
    /// The value of the `FORM_TYPE` field (XEP-0068), if the form has one.
    public var formType: String? {
        field(Self.formTypeVariable)?.values.first
    }

    /// The first field whose `var` is `variable`.
    /// - Parameter variable: The field's `var`.
    public func field(_ variable: String) -> Field? {
        fields.first { $0.variable == variable }
    }

    /// The values of the first field named `variable`; empty when there is
    /// no such field.
    /// - Parameter variable: The field's `var`.
    public func values(for variable: String) -> [String] {
        field(variable)?.values ?? []
    }

    /// The first value of the first field named `variable`.
    /// - Parameter variable: The field's `var`.
    public func value(for variable: String) -> String? {
        values(for: variable).first
    }

    /// Sets the values of the first field named `variable`, adding a field
    /// (without a type) when there is none.
    /// - Parameters:
    ///   - values: The new values.
    ///   - variable: The field's `var`.
    public mutating func setValues(_ values: [String], for variable: String) {
        if let index = fields.firstIndex(where: { $0.variable == variable }) {
            fields[index].values = values
        } else {
            fields.append(Field(variable: variable, values: values))
        }
    }

    /// Sets the one value of the field named `variable` (`nil` clears it);
    /// see ``setValues(_:for:)``.
    /// - Parameters:
    ///   - value: The new value.
    ///   - variable: The field's `var`.
    public mutating func setValue(_ value: String?, for variable: String) {
        setValues(value.map { [$0] } ?? [], for: variable)
    }

    /// A `submit` form answering this one: every field that has a `var`
    /// and is not `fixed`, with its type and current (default) values; no
    /// labels, descriptions, options or title, which a submission does not
    /// repeat. Hidden fields, such as `FORM_TYPE`, go back unchanged
    /// (XEP-0004 §3.3).
    public func submission() -> DataForm {
        let answers = fields.compactMap { field -> Field? in
            guard let variable = field.variable, field.type != .fixed else { return nil }
            return Field(variable: variable, type: field.type, values: field.values)
        }
        return DataForm(type: .submit, fields: answers)
    }
}
