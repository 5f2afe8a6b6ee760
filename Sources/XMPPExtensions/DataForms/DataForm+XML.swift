public import XMPPCore

extension DataForm {
    /// Reads an `<x xmlns='jabber:x:data'/>`.
    ///
    /// Lenient where XEP-0004 is: a field type it does not know is read as
    /// `text-single` (§3.3), `<reported/>` and `<item/>` may come in any
    /// order (§3.4), an `<option/>` without a `<value/>` is skipped, and
    /// children of other names or namespaces (XEP-0122 validation, XEP-0221
    /// media) are ignored. Only the form's own `type` is required.
    /// - Parameter element: The form.
    /// - Throws: ``StanzaParseError``: `unexpectedElement` for another
    ///   element; `missingAttribute` or `invalidAttribute` (subject `type`)
    ///   when the form type is absent or not one of the four.
    public init(element: XMLElement) throws(StanzaParseError) {
        guard element.name == XMLQualifiedName("x", namespace: Self.namespace) else {
            throw .unexpectedElement(element.name)
        }
        guard let typeValue = element[attribute: "type"] else {
            throw StanzaParseError(.missingAttribute, subject: "type")
        }
        guard let type = FormType(rawValue: typeValue) else {
            throw StanzaParseError(.invalidAttribute, subject: "type")
        }
        self.init(type: type)
        for child in element.elements where child.name.namespace == Self.namespace {
            switch child.name.localName {
            case "title" where title == nil:
                title = child.text
            case "instructions":
                instructions.append(child.text)
            case "field":
                fields.append(Field(element: child))
            case "reported" where reportedFields == nil:
                reportedFields = Self.fields(in: child)
            case "item":
                items.append(Self.fields(in: child))
            default:
                continue
            }
        }
    }

    /// The `<x xmlns='jabber:x:data'/>` element.
    public var element: XMLElement {
        var form = XMLElement("x", namespace: Self.namespace, attributes: ["type": type.rawValue])
        if let title { form.append(XMLElement("title", namespace: Self.namespace, text: title)) }
        for paragraph in instructions {
            form.append(XMLElement("instructions", namespace: Self.namespace, text: paragraph))
        }
        for field in fields { form.append(field.element) }
        if let reportedFields {
            form.append(XMLElement("reported", namespace: Self.namespace, children: reportedFields.map { .element($0.element) }))
        }
        for item in items {
            form.append(XMLElement("item", namespace: Self.namespace, children: item.map { .element($0.element) }))
        }
        return form
    }

    /// The `<field/>` children of `<reported/>` or `<item/>`.
    private static func fields(in container: XMLElement) -> [Field] {
        container.children(named: "field", namespace: namespace).map(Field.init(element:))
    }
}

extension DataForm.Field {
    /// Reads a `<field/>`; see ``DataForm/init(element:)`` for the leniency.
    init(element: XMLElement) {
        let namespace = DataForm.namespace
        self.init(
            variable: element[attribute: "var"],
            // XEP-0004 §3.3: an unknown type MUST be treated as text-single.
            type: element[attribute: "type"].map { DataForm.FieldType(rawValue: $0) ?? .textSingle },
            label: element[attribute: "label"])
        for child in element.elements where child.name.namespace == namespace {
            switch child.name.localName {
            case "desc" where description == nil:
                description = child.text
            case "required":
                isRequired = true
            case "value":
                values.append(child.text)
            case "option":
                guard let value = child.firstChild(named: "value", namespace: namespace) else { continue }
                options.append(DataForm.Option(label: child[attribute: "label"], value: value.text))
            default:
                continue
            }
        }
    }

    /// The `<field/>` element.
    public var element: XMLElement {
        let namespace = DataForm.namespace
        var field = XMLElement("field", namespace: namespace)
        field[attribute: "var"] = variable
        field[attribute: "type"] = type?.rawValue
        field[attribute: "label"] = label
        if let description { field.append(XMLElement("desc", namespace: namespace, text: description)) }
        if isRequired { field.append(XMLElement("required", namespace: namespace)) }
        for value in values { field.append(XMLElement("value", namespace: namespace, text: value)) }
        for option in options {
            var element = XMLElement("option", namespace: namespace, children: [
                .element(XMLElement("value", namespace: namespace, text: option.value)),
            ])
            element[attribute: "label"] = option.label
            field.append(element)
        }
        return field
    }
}
