import XMPPCore

/// A result IQ from `from` carrying `payload`.
func result(_ payload: XMLElement?, from: String = "example.com") -> IQ {
    IQ(type: .result, id: "q1", from: try? JID(from), payload: payload)
}

/// A request IQ from alice with `payload`.
func request(_ payload: XMLElement, type: IQ.StanzaType = .get) -> IQ {
    IQ(type: type, id: "r1", to: try? JID("bob@example.com/laptop"), from: try? JID("alice@example.com/phone"), payload: payload)
}

/// An element in `namespace` with text children named by `texts`.
func element(_ name: String, _ namespace: String, attributes: KeyValuePairs<String, String> = [:], texts: [(String, String)]) -> XMLElement {
    XMLElement(name, namespace: namespace, attributes: attributes, children: texts.map { .element(XMLElement($0.0, namespace: namespace, text: $0.1)) })
}
