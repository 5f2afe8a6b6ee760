import XMPPCore

/// Builds an element; attributes in the given order, then `xml:lang`, then `extra`.
func node(
    _ localName: String,
    namespace: String = XMLNamespace.client,
    _ attributes: KeyValuePairs<String, String> = [:],
    lang: String? = nil,
    extra: [XMLAttribute] = [],
    text: String? = nil,
    _ children: [XMLElement] = []
) -> XMLElement {
    var result = XMLElement(localName, namespace: namespace, attributes: attributes)
    if let lang { result[attribute: .xmlLang] = lang }
    result.attributes.append(contentsOf: extra)
    if let text { result.append(text: text) }
    for child in children { result.append(child) }
    return result
}
