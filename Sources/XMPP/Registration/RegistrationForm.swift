public import XMPPCore

/// What a server asks for to register an account (XEP-0077 §3.1): its
/// answer to `<query xmlns='jabber:iq:register'/>`.
///
/// A form may carry, in XEP-0077's precedence order (§6): a XEP-0004 data
/// form (``dataForm``, kept raw: this module does not interpret data forms),
/// the schema's fields (``fields``: empty elements such as `<username/>`
/// and `<email/>`), and a web page to register at instead
/// (``redirectURL``). The connection fills ``fields`` for you
/// (``RegistrationAnswer``); a form with only a data form (for example a
/// CAPTCHA, XEP-0158) or only a web page needs an answer with a submitted
/// data form, or cannot be completed in-band.
///
/// Values the server filled in (``currentValues``) can include the password
/// on file when ``isRegistered`` is set, so ``description`` and `dump`
/// show field names only, never values or the raw element.
public struct RegistrationForm: Hashable, Sendable {
    /// The `<query/>` element as the server sent it.
    public let element: XMLElement
    /// The server's `<instructions/>`, trimmed; `nil` when absent or empty.
    public let instructions: String?
    /// The schema fields the server asks for, in its order, each once.
    public let fields: [RegistrationField]
    /// The values the server put into fields (the registration on file when
    /// ``isRegistered``, or the obsolete transaction ``RegistrationField/key``),
    /// trimmed; empty elements have none.
    public let currentValues: [RegistrationField: String]
    /// Whether the server says the requester is registered already
    /// (`<registered/>`).
    public let isRegistered: Bool
    /// The XEP-0004 data form (`<x xmlns='jabber:x:data'/>`), raw, if the
    /// server sent one. Per XEP-0077 it takes precedence over ``fields``
    /// for clients that understand data forms.
    public let dataForm: XMLElement?
    /// The XEP-0066 URL (`<x xmlns='jabber:x:oob'><url/></x>`) of a web
    /// page to register at instead, trimmed, if the server sent one.
    public let redirectURL: String?

    /// Reads a registration form.
    /// - Parameter element: A `{jabber:iq:register}query` element.
    /// - Throws: ``StanzaParseError`` (`unexpectedElement`) when `element`
    ///   is something else.
    public init(element: XMLElement) throws(StanzaParseError) {
        guard element.name == XMLQualifiedName("query", namespace: RegistrationNamespace.query) else {
            throw StanzaParseError.unexpectedElement(element.name)
        }
        self.element = element
        let namespace = RegistrationNamespace.query
        let instructions = element.firstChild(named: "instructions", namespace: namespace).map { XMLWhitespace.trimmed($0.text) }
        self.instructions = instructions?.isEmpty == false ? instructions : nil
        var fields: [RegistrationField] = []
        var values: [RegistrationField: String] = [:]
        for child in element.elements where child.name.namespace == namespace {
            let field = RegistrationField(child.name.localName)
            guard RegistrationField.schema.contains(field), !fields.contains(field) else { continue }
            fields.append(field)
            let value = XMLWhitespace.trimmed(child.text)
            if !value.isEmpty { values[field] = value }
        }
        self.fields = fields
        self.currentValues = values
        isRegistered = element.firstChild(named: "registered", namespace: namespace) != nil
        dataForm = element.firstChild(named: "x", namespace: RegistrationNamespace.dataForms)
        let url = element.firstChild(named: "x", namespace: RegistrationNamespace.outOfBand)?
            .firstChild(named: "url", namespace: RegistrationNamespace.outOfBand)
            .map { XMLWhitespace.trimmed($0.text) }
        redirectURL = url?.isEmpty == false ? url : nil
    }
}

extension RegistrationForm: CustomStringConvertible, CustomReflectable {
    /// The field names and what else the form carries; never values.
    public var description: String {
        var parts = ["fields: [\(fields.map(\.localName).joined(separator: ", "))]"]
        if isRegistered { parts.append("registered") }
        if dataForm != nil { parts.append("data form") }
        if let redirectURL { parts.append("redirect: \(redirectURL)") }
        return "RegistrationForm(\(parts.joined(separator: ", ")))"
    }

    /// The same view for `dump` and debuggers: no values, no raw element.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "fields": fields.map(\.localName),
                "isRegistered": isRegistered,
                "hasDataForm": dataForm != nil,
                "redirectURL": redirectURL ?? "none",
            ],
            displayStyle: .struct)
    }
}
