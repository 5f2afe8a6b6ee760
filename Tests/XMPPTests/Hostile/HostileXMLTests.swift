import NIOCore
import NIOEmbedded
import Testing
import XMPPCore

@testable import XMPP

/// security.md §6 group A: XML syntax and restricted XML, through the real
/// channel handler (reader, machine, writer): the stream error on the wire,
/// the closed channel, the typed error, nothing delivered after the
/// offending byte.
@Suite struct HostileXMLTests {
    typealias S = ScriptedServer
    typealias H = Hostile

    @Test("H01: a comment between stanzas aborts with restricted-xml")
    func H01_comment() async throws {
        try await H.expectAbort(H.establishedThen("<!-- c -->"), condition: "restricted-xml", kind: .comment)
    }

    @Test("H02: a processing instruction between stanzas aborts with restricted-xml")
    func H02_processingInstruction() async throws {
        try await H.expectAbort(H.establishedThen("<?foo bar?>"), condition: "restricted-xml", kind: .processingInstruction)
    }

    @Test("H03: a DOCTYPE before the response stream header aborts with restricted-xml; no entity expanded")
    func H03_doctypeBeforeHeader() async throws {
        let harness = try SessionHandlerHarness(transport: .tls(SessionTest.encrypted))
        _ = try harness.clientWrote()
        try harness.serverSends(
            "<?xml version='1.0'?><!DOCTYPE stream:stream [<!ENTITY x 'boom'>]>"
                + String(S.header.dropFirst("<?xml version='1.0'?>".count)) + S.plainFeatures)
        #expect(harness.failure?.code == .xmlError)
        #expect(harness.failure?.xmlError?.kind == .doctype)
        #expect(try harness.clientWrote() == H.abortWritten("restricted-xml"))
        #expect(!harness.channel.isActive)
        #expect(await harness.drainInbound().elements.isEmpty)
    }

    @Test("H04: a DOCTYPE after the post-SASL stream restart aborts the same way (handlers reinstalled)")
    func H04_doctypeAfterRestart() async throws {
        let harness = try SessionHandlerHarness(transport: .tls(SessionTest.encrypted))
        try harness.serverSends(S.header + S.plainFeatures)
        try harness.serverSends(S.success)
        _ = try harness.clientWrote()
        try harness.serverSends("<!DOCTYPE stream:stream [<!ENTITY x 'boom'>]>" + S.header + S.bindFeatures)
        #expect(harness.failure?.xmlError?.kind == .doctype)
        #expect(try harness.clientWrote() == H.abortWritten("restricted-xml"))
        #expect(!harness.channel.isActive)
        #expect(try harness.clientWrote() == "", "no bind request")
    }

    @Test("H05: billion laughs (10 nested entities) aborts at the DOCTYPE; nothing expanded")
    func H05_billionLaughs() async throws {
        var dtd = "<!DOCTYPE lolz [<!ENTITY lol0 'lol'>"
        for level in 1...10 {
            dtd += "<!ENTITY lol\(level) '" + String(repeating: "&lol\(level - 1);", count: 10) + "'>"
        }
        dtd += "]>"
        let harness = try SessionHandlerHarness(transport: .tls(SessionTest.encrypted))
        _ = try harness.clientWrote()
        try harness.serverSends(
            "<?xml version='1.0'?>" + dtd + String(S.header.dropFirst("<?xml version='1.0'?>".count))
                + "<message><body>&lol10;</body></message>")
        #expect(harness.failure?.xmlError?.kind == .doctype)
        #expect(try harness.clientWrote() == H.abortWritten("restricted-xml"))
        #expect(await harness.drainInbound().elements.isEmpty)
    }

    @Test("H06: an external entity declaration aborts at the DOCTYPE; no file read")
    func H06_externalEntity() async throws {
        let harness = try SessionHandlerHarness(transport: .tls(SessionTest.encrypted))
        _ = try harness.clientWrote()
        try harness.serverSends(
            "<?xml version='1.0'?><!DOCTYPE stream:stream [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
                + String(S.header.dropFirst("<?xml version='1.0'?>".count)) + "<message><body>&x;</body></message>")
        #expect(harness.failure?.xmlError?.kind == .doctype)
        #expect(try harness.clientWrote() == H.abortWritten("restricted-xml"))
        #expect(await harness.drainInbound().elements.isEmpty)
    }

    @Test("H07: an undefined entity reference in a body aborts with restricted-xml")
    func H07_undefinedEntity() async throws {
        try await H.expectAbort(
            H.establishedThen("<message from='bob@example.com/x' id='bad'><body>&foo;</body></message>"),
            condition: "restricted-xml")
    }

    @Test("H08: the five predefined entities and character references are accepted and decoded")
    func H08_predefinedEntities() async throws {
        let harness = try SessionHandlerHarness.established()
        try harness.serverSends(H.chat("e1", body: "&lt;&amp;&gt;&quot;&apos;&#x41;&#65;") + S.end)
        let inbound = await harness.drainInbound()
        #expect((inbound.error as? XMPPClientError)?.code == .streamClosedByPeer, "the scripted server's close, not a parse error")
        #expect(inbound.elements.count == 1)
        #expect(inbound.elements.first?.elements.first?.text == "<&>\"'AA")
    }

    @Test("H09: CDATA holding <message/> is text, never a stanza")
    func H09_cdata() async throws {
        let harness = try SessionHandlerHarness.established()
        try harness.serverSends(H.chat("c1", body: "<![CDATA[<message/>]]>") + S.end)
        let inbound = await harness.drainInbound()
        #expect((inbound.error as? XMPPClientError)?.code == .streamClosedByPeer, "the scripted server's close, not a parse error")
        #expect(inbound.elements.map(\.name.localName) == ["message"])
        #expect(inbound.elements.first?.elements.first?.text == "<message/>")
    }

    @Test(
        "H10: invalid UTF-8 aborts with not-well-formed",
        arguments: [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xE2, 0x82]] as [[UInt8]])
    func H10_invalidUTF8(bytes: [UInt8]) async throws {
        let hostile = Array("<message from='bob@example.com/x' id='bad'><body>".utf8) + bytes + Array("</body></message>".utf8)
        try await H.expectAbort(H.establishedThen(hostile), condition: "not-well-formed", kind: .notWellFormed)
    }

    @Test("H11: character references to NUL, U+FFFE or a surrogate abort with not-well-formed", arguments: ["&#x0;", "&#xFFFE;", "&#xD800;"])
    func H11_illegalCharacterReference(reference: String) async throws {
        try await H.expectAbort(
            H.establishedThen("<message from='bob@example.com/x' id='bad'><body>\(reference)</body></message>"),
            condition: "not-well-formed", kind: .notWellFormed)
    }

    @Test("H12: an XML declaration mid-stream aborts with not-well-formed")
    func H12_xmlDeclarationMidStream() async throws {
        try await H.expectAbort(H.establishedThen("<?xml version='1.0'?>"), condition: "not-well-formed", kind: .notWellFormed)
    }

    @Test("H13: a declaration claiming UTF-16 aborts with unsupported-encoding")
    func H13_utf16Declaration() async throws {
        let harness = try SessionHandlerHarness(transport: .tls(SessionTest.encrypted))
        _ = try harness.clientWrote()
        try harness.serverSends(
            "<?xml version='1.0' encoding='UTF-16'?>" + String(S.header.dropFirst("<?xml version='1.0'?>".count)) + S.plainFeatures)
        #expect(harness.failure?.xmlError?.kind == .unsupportedEncoding)
        #expect(try harness.clientWrote() == H.abortWritten("unsupported-encoding"))
        #expect(!harness.channel.isActive)
    }

    @Test("H13: a UTF-16 byte order mark aborts with not-well-formed")
    func H13_utf16BOM() async throws {
        let harness = try SessionHandlerHarness(transport: .tls(SessionTest.encrypted))
        _ = try harness.clientWrote()
        try harness.channel.writeInbound(ByteBuffer(bytes: [0xFF, 0xFE] + Array(S.header.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }))
        #expect(harness.failure?.code == .xmlError)
        #expect(harness.failure?.xmlError?.condition == .notWellFormed)
        #expect(try harness.clientWrote() == H.abortWritten("not-well-formed"))
        #expect(!harness.channel.isActive)
    }

    @Test("H14: an unbound prefix aborts with not-well-formed")
    func H14_unboundPrefix() async throws {
        try await H.expectAbort(H.establishedThen("<foo:message/>"), condition: "not-well-formed", kind: .notWellFormed)
    }

    @Test("H14: rebinding the xml prefix aborts with bad-namespace-prefix")
    func H14_xmlPrefixRebound() async throws {
        try await H.expectAbort(
            H.establishedThen("<message xmlns:xml='urn:evil' id='bad'/>"), condition: "bad-namespace-prefix", kind: .badNamespacePrefix)
    }

    @Test(
        "H15: the namespace separator or 0xFF injected into an xmlns value or a name aborts",
        arguments: [
            Array("<message xmlns:p='urn:a".utf8) + [0x1F] + Array("b'/>".utf8),
            Array("<message xmlns='urn:a".utf8) + [0x1F] + Array("b'/>".utf8),
            Array("<mess".utf8) + [0xFF] + Array("age/>".utf8),
            Array("<message xmlns='urn:".utf8) + [0xFF] + Array("'/>".utf8),
        ] as [[UInt8]])
    func H15_separatorInjection(bytes: [UInt8]) async throws {
        try await H.expectAbort(H.establishedThen(bytes), condition: "not-well-formed", kind: .notWellFormed)
    }

    @Test(
        "H16: a mismatched end tag, a duplicate attribute, or a stream end with an unknown prefix aborts with not-well-formed",
        arguments: [
            "<message id='bad'><body>x</bodyx></message>",
            "<message id='bad' id='again'/>",
            "</foo:stream>",
        ])
    func H16_notWellFormed(hostile: String) async throws {
        try await H.expectAbort(H.establishedThen(hostile), condition: "not-well-formed", kind: .notWellFormed)
    }

    @Test("H17: a body carrying a stanza-smuggling attempt is escaped; the receiver parses exactly one stanza with that body")
    func H17_smuggling() async throws {
        let harness = try SessionHandlerHarness.established()
        let smuggled = "</body></message><message from='example.com'><body>pwned"
        let message = Message(type: .chat, to: try JID("bob@example.com/x"), id: "s1", body: smuggled)
        try await harness.channel.writeAndFlush(XMPPChannelHandler.Request.send(message.element)).get()
        let written = try harness.clientWrote()
        #expect(!written.contains("<message from="))
        let reader = XMLStreamReader()
        var events: [XMLStreamEvent] = []
        let document = Array((S.header + written).utf8)
        let result = document.withUnsafeBytes { buffer in
            Result { () throws(XMLStreamError) in try reader.read(buffer, into: &events) }
        }
        #expect((try? result.get()) != nil)
        let parsed = events.compactMap { if case .element(let element) = $0 { element } else { nil } }
        #expect(parsed.count == 1)
        #expect(parsed.first?.elements.first?.text == smuggled)
    }

    @Test(
        "H18: a response header with the wrong root, content namespace or version aborts; legacy auth is never used",
        arguments: [
            ("<stream xmlns='jabber:client' from='example.com' id='s1' version='1.0'>", "invalid-namespace"),
            ("<stream:stream xmlns='jabber:client' xmlns:stream='urn:not-etherx' from='example.com' id='s1' version='1.0'>",
             "invalid-namespace"),
            ("<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' from='example.com' id='s1' version='1.0'>",
             "invalid-namespace"),
            ("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='example.com' id='s1'>",
             "unsupported-version"),
            ("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='example.com' id='s1' version='0.9'>",
             "unsupported-version"),
        ])
    func H18_wrongHeader(header: String, condition: String) async throws {
        let harness = try SessionHandlerHarness(transport: .tls(SessionTest.encrypted))
        _ = try harness.clientWrote()
        try harness.serverSends("<?xml version='1.0'?>" + header + S.plainFeatures)
        #expect(harness.failure?.code == .invalidStreamHeader)
        #expect(harness.failure?.sentCondition?.description == condition)
        let written = try harness.clientWrote()
        #expect(written.contains("<\(condition) xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"))
        #expect(!written.contains("<auth") && !written.contains("jabber:iq:auth"))
        #expect(!harness.channel.isActive)
    }
}
