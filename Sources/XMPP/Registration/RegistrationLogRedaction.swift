import XMPPCore

/// Makes registration IQs safe to log: a `jabber:iq:register` query carries
/// a password in the clear (registration, password change), a server may
/// echo it in an error or show the one on file in a form, and a submitted
/// data form carries it as a field value. The session's `trace` lines pass
/// every element through ``redacted(_:)`` (besides the SASL redaction).
enum RegistrationLogRedaction {
    /// The text that replaces a redacted value.
    static let placeholder = "[redacted]"

    /// The data-form fields whose values are secrets, besides any of type
    /// `text-private` (XEP-0077's password-change form uses `old_password`).
    private static let secretFieldNames: Set<String> = ["password", "old_password"]

    /// `element`, or, for an IQ with a registration query, a copy whose
    /// passwords are replaced.
    static func redacted(_ element: XMLElement) -> XMLElement {
        guard element.name.localName == IQ.localName,
            let index = element.children.firstIndex(where: Self.isRegistrationQuery)
        else { return element }
        guard case .element(let query) = element.children[index] else { return element }
        var copy = element
        copy.children[index] = .element(redactedQuery(query))
        return copy
    }

    private static func isRegistrationQuery(_ node: XMLNode) -> Bool {
        guard case .element(let child) = node else { return false }
        return child.name == XMLQualifiedName("query", namespace: RegistrationNamespace.query)
    }

    private static func redactedQuery(_ query: XMLElement) -> XMLElement {
        var copy = query
        for index in copy.children.indices {
            guard case .element(let child) = copy.children[index] else { continue }
            if child.name == XMLQualifiedName(RegistrationField.password.localName, namespace: RegistrationNamespace.query) {
                copy.children[index] = .element(replacingText(of: child))
            } else if child.name == XMLQualifiedName("x", namespace: RegistrationNamespace.dataForms) {
                copy.children[index] = .element(redactedDataForm(child))
            }
        }
        return copy
    }

    private static func redactedDataForm(_ form: XMLElement) -> XMLElement {
        var copy = form
        for index in copy.children.indices {
            guard case .element(var field) = copy.children[index],
                field.name == XMLQualifiedName("field", namespace: RegistrationNamespace.dataForms),
                field[attribute: "type"] == "text-private" || secretFieldNames.contains(field[attribute: "var"] ?? "")
            else { continue }
            for valueIndex in field.children.indices {
                guard case .element(let value) = field.children[valueIndex],
                    value.name == XMLQualifiedName("value", namespace: RegistrationNamespace.dataForms)
                else { continue }
                field.children[valueIndex] = .element(replacingText(of: value))
            }
            copy.children[index] = .element(field)
        }
        return copy
    }

    /// The element with its content replaced by the placeholder; an empty
    /// one (a form's `<password/>`) stays empty, so logs still show what
    /// was asked.
    private static func replacingText(of element: XMLElement) -> XMLElement {
        guard !element.children.isEmpty else { return element }
        var copy = element
        copy.children = [.text(placeholder)]
        return copy
    }
}
