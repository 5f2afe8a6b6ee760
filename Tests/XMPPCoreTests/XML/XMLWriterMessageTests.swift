import Testing
@testable import XMPPCore

/// The direct path that writes a `Message` without building its element
/// must give the element path's bytes and errors, whatever the message holds.
@Suite("XMLWriter: messages written from the model")
struct XMLWriterMessageTests {
    let writer = XMLWriter()

    /// The element path's outcome: its bytes or its error.
    func viaElement(_ message: Message, writer: XMLWriter, namespace: String = XMLNamespace.client) -> Result<[UInt8], XMLWriterError> {
        Result { () throws(XMLWriterError) in try writer.bytes(message.element(namespace: namespace)) }
    }

    /// The direct path's outcome.
    func direct(_ message: Message, writer: XMLWriter, namespace: String = XMLNamespace.client) -> Result<[UInt8], XMLWriterError> {
        Result { () throws(XMLWriterError) in try writer.bytes(message, namespace: namespace) }
    }

    func expectSameOutcome(_ message: Message, writer: XMLWriter? = nil, namespace: String = XMLNamespace.client,
                           sourceLocation: SourceLocation = #_sourceLocation) {
        let writer = writer ?? self.writer
        let expected = viaElement(message, writer: writer, namespace: namespace)
        let actual = direct(message, writer: writer, namespace: namespace)
        switch (expected, actual) {
        case (.success(let expectedBytes), .success(let actualBytes)):
            #expect(String(decoding: actualBytes, as: UTF8.self) == String(decoding: expectedBytes, as: UTF8.self),
                    sourceLocation: sourceLocation)
        case (.failure(let expectedError), .failure(let actualError)):
            #expect(actualError == expectedError, sourceLocation: sourceLocation)
        default:
            Issue.record("element path \(expected), direct path \(actual)", sourceLocation: sourceLocation)
        }
    }

    @Test("a chat message is written without its element, byte for byte")
    func chatMessage() throws {
        let message = Message(
            type: .chat, to: try JID("juliet@example.com/balcony"), id: "m1",
            bodies: [LanguageTaggedText("Wherefore art thou?")],
            extensions: [XMLElement(name: XMLQualifiedName("no-store", namespace: "urn:xmpp:hints"))])
        let bytes = try writer.bytes(message)
        #expect(String(decoding: bytes, as: UTF8.self)
            == "<message id='m1' to='juliet@example.com/balcony' type='chat'><body>Wherefore art thou?</body>"
            + "<no-store xmlns='urn:xmpp:hints'/></message>")
        expectSameOutcome(message)
    }

    @Test("an empty message closes its start tag")
    func emptyMessage() {
        expectSameOutcome(Message())
        #expect((try? writer.bytes(Message())).map { String(decoding: $0, as: UTF8.self) } == "<message/>")
    }

    @Test("every field, every type, escaping and languages give the element path's bytes")
    func everyShape() throws {
        let addresses: [JID?] = [
            nil, try JID("example.com"), try JID("romeo@example.com"), try JID("r\u{E9}mi@ex\u{E4}mple.com/Caf\u{E9} & <co>"),
            try JID("[::1]/it's"), try JID("a@b/c/d@e"),
        ]
        let texts: [[LanguageTaggedText]] = [
            [], [LanguageTaggedText("")], [LanguageTaggedText("1 < 2 & 3 > 2 ]]> 'q' \"d\"\r\n\tend")],
            [LanguageTaggedText("hi", language: "en"), LanguageTaggedText("hola", language: "es-'x'"),
             LanguageTaggedText("", language: "de")],
        ]
        let threads: [Message.Thread?] = [
            nil, Message.Thread("t1"), Message.Thread("", parent: "p<1>"), Message.Thread("t&2", parent: "p'"),
        ]
        var payload = XMLElement("x", namespace: "jabber:x:data", attributes: ["type": "form"])
        payload.append(XMLElement("field", namespace: "jabber:x:data", text: "v & w"))
        payload.attributes.append(XMLAttribute(XMLQualifiedName("mark", namespace: "urn:example:m"), value: "1"))
        let extensionSets: [[XMLElement]] = [
            [], [XMLElement(name: XMLQualifiedName("no-store", namespace: "urn:xmpp:hints"))],
            [payload, XMLElement("x", namespace: "jabber:client", text: "same namespace"), XMLElement("y", namespace: "")],
        ]
        let errors: [StanzaError?] = [
            nil, StanzaError(.itemNotFound, text: "gone <away>", textLanguage: "en", by: try JID("example.com")),
        ]
        var count = 0
        for (index, type) in Message.StanzaType.allCases.enumerated() {
            for to in addresses {
                for from in [addresses[(index + 2) % addresses.count], nil] {
                    for bodies in texts {
                        for thread in threads {
                            let message = Message(
                                type: type, to: to, from: from, id: count % 3 == 0 ? nil : "id-\(count)&'<>",
                                language: count % 4 == 0 ? "en" : nil, bodies: bodies,
                                subjects: count % 5 == 0 ? texts[2] : [], thread: thread,
                                error: errors[count % errors.count],
                                extensions: extensionSets[count % extensionSets.count])
                            expectSameOutcome(message)
                            count += 1
                        }
                    }
                }
            }
        }
        #expect(count == 5 * 6 * 2 * 4 * 4)
    }

    @Test("a character XML cannot carry gives the element path's error", arguments: [
        "\u{1}", "a\u{FFFE}b", "\u{0}",
    ])
    func illegalCharacters(_ bad: String) throws {
        let to = try JID("romeo@example.com")
        let cases = [
            Message(to: to, id: "id\(bad)"),
            Message(to: to, language: "en\(bad)"),
            Message(to: to, bodies: [LanguageTaggedText("body\(bad)")]),
            Message(to: to, bodies: [LanguageTaggedText("body", language: "x\(bad)")]),
            Message(to: to, subjects: [LanguageTaggedText("subject\(bad)")]),
            Message(to: to, thread: Message.Thread("t\(bad)")),
            Message(to: to, thread: Message.Thread("t", parent: "p\(bad)")),
            Message(to: to, extensions: [XMLElement("x", namespace: "urn:example", text: "x\(bad)")]),
        ]
        for message in cases {
            guard case .failure = direct(message, writer: writer) else {
                Issue.record("wrote \(message) holding U+\(String(bad.unicodeScalars.last!.value, radix: 16))")
                continue
            }
            expectSameOutcome(message)
        }
    }

    @Test("other namespaces and additional attributes take the element path")
    func elementPathCases() throws {
        let message = Message(type: .chat, to: try JID("romeo@example.com"), body: "hi")
        expectSameOutcome(message, writer: XMLWriter(scope: .empty))
        let unscoped = try XMLWriter(scope: .empty).bytes(message)
        #expect(String(decoding: unscoped, as: UTF8.self)
            == "<message xmlns='jabber:client' to='romeo@example.com' type='chat'><body>hi</body></message>")
        expectSameOutcome(message, namespace: "jabber:server")
        var marked = message
        marked.additionalAttributes = [XMLAttribute(XMLQualifiedName("mark", namespace: "urn:example:m"), value: "1")]
        expectSameOutcome(marked)
        var duplicate = message
        duplicate.additionalAttributes = [XMLAttribute("to", value: "juliet@example.com")]
        guard case .failure = direct(duplicate, writer: writer) else {
            Issue.record("a second 'to' attribute was written")
            return
        }
        expectSameOutcome(duplicate)
    }
}
