// Fuzz target `writer`: XMLWriter output read back by XMLStreamReader.
//
// Input: a scope byte (bit 0: write in the client stream's scope or in an
// empty one), then a program that builds one element: each op byte opens a
// child, adds an attribute, adds text or closes the current element; names,
// namespaces and texts are picked from small vocabularies of ordinary and
// awkward values, or taken from the input.
//
// Checks: no crash or leak; writing either fails with an XMLWriterError, or
// the bytes, read back inside a stream header, give exactly one element
// equal to the one written (adjacent text runs merged, empty ones dropped)
// and nothing else: no second stanza, no error (P44, the smuggling lesson).
import FuzzSupport
import XMPPCore

/// Each vocabulary has ordinary values, picked three times in four, and
/// awkward ones; a few picks take a string from the input instead.
private struct Vocabulary {
    var common: [String]
    var awkward: [String]
}

private let names = Vocabulary(
    common: ["message", "body", "iq", "query", "x", "item", "a", "error", "stream", "html", "a-b.c_d", "xml", "xmlfoo"],
    awkward: ["é", "ß", "日本", "1x", "-x", ".x", "a:b", "", "a b", "÷", "\u{0301}x", "x\u{0301}", "\u{FFFD}", "·x", "x·", "xmlns"])
private let namespaces = Vocabulary(
    common: ["", XMLNamespace.client, XMLNamespace.streams, "urn:example:a", "urn:example:b", "jabber:iq:roster"],
    awkward: [XMLNamespace.xml, XMLNamespace.xmlns, "http://www.w3.org/1999/xhtml", "urn:a'b\"c<d>&e", "\u{0}", "é"])
private let attributeNames = Vocabulary(
    common: ["id", "type", "to", "from", "lang", "space", "a", "b", "xml", "ns1"],
    awkward: names.awkward)
private let texts = Vocabulary(
    common: ["", " ", "hi", "]]>", "\r\n", "\r", "\t", "\n", "&amp;", "<", ">", "'", "\"", "é", "\u{1F600}",
             "</body></message><message from='server'>", "<![CDATA[x]]>", "<!--c-->", "<?pi?>"],
    awkward: ["\u{0}", "\u{1B}", "\u{7F}", "\u{85}", "\u{2028}", "\u{FEFF}", "\u{FFFE}", "\u{FFFF}", "\u{10FFFF}", "\u{0301}"])

private func pick(_ vocabulary: Vocabulary, _ input: inout FuzzInput) -> String {
    let byte = Int(input.byte())
    switch byte {
    case ..<192: return vocabulary.common[byte % vocabulary.common.count]
    case ..<248: return vocabulary.awkward[byte % vocabulary.awkward.count]
    default: return String(decoding: input.run(maximum: 24), as: UTF8.self)
    }
}

/// Builds an element from the op bytes. Bounded: depth, children and
/// attributes stay well inside the reader's default limits.
private func build(_ input: inout FuzzInput) -> XMLElement {
    var stack = [XMLElement(name: XMLQualifiedName(pick(names, &input), namespace: pick(namespaces, &input)))]
    var nodes = 1
    while !input.isAtEnd {
        switch input.choice(4) {
        case 0 where stack.count < 24 && nodes < 256:
            stack.append(XMLElement(name: XMLQualifiedName(pick(names, &input), namespace: pick(namespaces, &input))))
            nodes += 1
        case 1 where stack[stack.count - 1].attributes.count < 16:
            let namespace = input.choice(3) == 0 ? pick(namespaces, &input) : ""
            let name = XMLQualifiedName(pick(attributeNames, &input), namespace: namespace)
            stack[stack.count - 1].attributes.append(XMLAttribute(name, value: pick(texts, &input) + pick(texts, &input)))
        case 2 where nodes < 256:
            stack[stack.count - 1].children.append(.text(pick(texts, &input) + pick(texts, &input)))
            nodes += 1
        case 3 where stack.count > 1:
            let done = stack.removeLast()
            stack[stack.count - 1].append(done)
        default:
            break
        }
    }
    while stack.count > 1 {
        let done = stack.removeLast()
        stack[stack.count - 1].append(done)
    }
    return stack[0]
}

/// The element as a reader returns it: adjacent text runs merged, empty
/// runs dropped.
private func normalized(_ element: XMLElement) -> XMLElement {
    var children: [XMLNode] = []
    for child in element.children {
        switch child {
        case .element(let inner):
            children.append(.element(normalized(inner)))
        case .text(let text) where text.isEmpty:
            break
        case .text(let text):
            if case .text(let previous) = children.last {
                children[children.count - 1] = .text(previous + text)
            } else {
                children.append(.text(text))
            }
        }
    }
    return XMLElement(name: element.name, attributes: element.attributes, children: XMLChildren(children))
}

private let clientHeader = Array(
    ("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
        + "xmlns:stream='http://etherx.jabber.org/streams' from='example.com' id='s1' version='1.0'>").utf8)
private let emptyScopeHeader = Array(
    "<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>".utf8)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWriter(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzInput(data, size)
    let clientScope = input.byte() & 1 == 0
    let element = build(&input)
    let writer = XMLWriter(scope: clientScope ? .client : .empty)
    let written: [UInt8]
    do {
        written = try writer.bytes(element)
    } catch {
        // A typed refusal (XMLWriterError) is an acceptable outcome.
        return 0
    }
    let stream = (clientScope ? clientHeader : emptyScopeHeader) + written + XMLWriter.streamClosing
    var events: [XMLStreamEvent] = []
    let result = stream.withUnsafeBytes { bytes in
        Result { () throws(XMLStreamError) in try XMLStreamReader().read(bytes, into: &events) }
    }
    let text = String(decoding: written, as: UTF8.self)
    if case .failure(let error) = result {
        fuzzCheck(false, "the writer's output does not read back (\(error)): \(text.debugDescription)")
    }
    fuzzCheck(events.count == 3, "\(events.count) events from \(text.debugDescription)")
    if events.count == 3, case .element(let read) = events[1] {
        let expected = normalized(element)
        fuzzCheck(read == expected, "\(text.debugDescription) read back as \(read), expected \(expected)")
    } else {
        fuzzCheck(false, "no element in the middle: \(text.debugDescription)")
    }
    return 0
}
