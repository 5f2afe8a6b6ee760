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

/// Parses test XML: the first top-level element of `xml`, read inside a
/// client stream (so unprefixed stanzas are in `jabber:client`).
enum TestXML {
    struct NoElement: Error {}

    static let streamHeader =
        "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
        + "from='example.com' id='s1' version='1.0'>"

    static func element(_ xml: String) throws -> XMLElement {
        let reader = XMLStreamReader()
        for case .element(let element) in try reader.read(Array((streamHeader + xml).utf8)) {
            return element
        }
        throw NoElement()
    }

    /// The message in `xml`, parsed.
    static func message(_ xml: String) throws -> Message {
        try Message(element: element(xml))
    }

    /// The IQ in `xml`, parsed.
    static func iq(_ xml: String) throws -> IQ {
        try IQ(element: element(xml))
    }
}
