import NIOCore
import NIOEmbedded
import NIOGnuTLS
import Testing
import XMPPCore
import XMPPTestSupport

@testable import XMPP

/// security.md §6 group B: size, resource and liveness attacks through the
/// real channel handler (default reader limits: 1 MiB per element, depth 64,
/// 64 attributes, 64 KiB per attribute value, 512 KiB of text). "Memory
/// bounded" is checked as: the abort comes once the cap is crossed, long
/// before the hostile input ends (the reader never buffers it all).
@Suite struct HostileResourceTests {
    typealias S = ScriptedServer
    typealias H = Hostile

    static let limits = XMLStreamReader.Limits()
    static let stanzaStart = "<message from='bob@example.com/x' id='big'>"

    private func expectLimitAbort(
        _ harness: SessionHandlerHarness, fed: Int, cap: Int, kind: XMLStreamError.Kind,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        #expect(fed < cap + 128 << 10, "stopped within one chunk of the cap, fed \(fed)", sourceLocation: sourceLocation)
        #expect(try harness.clientWrote() == H.abortWritten("policy-violation"), sourceLocation: sourceLocation)
        #expect(!harness.channel.isActive, sourceLocation: sourceLocation)
        let inbound = await harness.drainInbound()
        #expect(inbound.elements.isEmpty, sourceLocation: sourceLocation)
        #expect((inbound.error as? XMPPClientError)?.xmlError?.kind == kind, sourceLocation: sourceLocation)
    }

    @Test("H19: a stanza of twice the maximum size aborts with policy-violation once the cap is crossed")
    func H19_oversizedStanza() async throws {
        let harness = try SessionHandlerHarness.established()
        // Many small children, so no text or depth limit fires first.
        let chunk = Array(String(repeating: "<x>" + String(repeating: "a", count: 1000) + "</x>", count: 64).utf8)
        let fed = try H.feedUntilClosed(harness, prefix: Self.stanzaStart, chunk: chunk, maximum: 2 * Self.limits.maxElementBytes)
        try await expectLimitAbort(harness, fed: fed, cap: Self.limits.maxElementBytes, kind: .elementTooLarge)
    }

    @Test("H20: an endless body text aborts at the text cap; memory stays flat")
    func H20_endlessText() async throws {
        let harness = try SessionHandlerHarness.established()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 16 << 10)
        let fed = try H.feedUntilClosed(harness, prefix: Self.stanzaStart + "<body>", chunk: chunk, maximum: 64 << 20)
        try await expectLimitAbort(harness, fed: fed, cap: Self.limits.maxTextBytes, kind: .textTooLong)
    }

    @Test("H21: a depth bomb of 100 000 nested elements aborts at the depth cap")
    func H21_depthBomb() async throws {
        let harness = try SessionHandlerHarness.established()
        let chunk = Array(String(repeating: "<a>", count: 1000).utf8)
        let fed = try H.feedUntilClosed(harness, prefix: Self.stanzaStart, chunk: chunk, maximum: 300_000)
        try await expectLimitAbort(harness, fed: fed, cap: 4000, kind: .tooDeep)
    }

    @Test("H22: 100 000 attributes on one element abort at the attribute cap")
    func H22_attributeBomb() async throws {
        let harness = try SessionHandlerHarness.established()
        let attributes = (0..<100_000).map { " a\($0)='v'" }.joined()
        try harness.serverSends("<message id='big'" + attributes + "/>")
        try await expectLimitAbort(harness, fed: 0, cap: 0, kind: .tooManyAttributes)
    }

    @Test("H22: a 50 MB attribute value in an unfinished start tag aborts at the element cap, long before its end")
    func H22_hugeAttributeValue() async throws {
        let harness = try SessionHandlerHarness.established()
        let chunk = [UInt8](repeating: UInt8(ascii: "v"), count: 16 << 10)
        let fed = try H.feedUntilClosed(harness, prefix: "<message id='", chunk: chunk, maximum: 50 << 20)
        try await expectLimitAbort(harness, fed: fed, cap: Self.limits.maxElementBytes, kind: .elementTooLarge)
    }

    @Test("H23: thousands of namespace declarations on one element abort at a cap")
    func H23_namespaceBomb() async throws {
        let harness = try SessionHandlerHarness.established()
        let declarations = (0..<5_000).map { " xmlns:p\($0)='urn:p\($0)'" }.joined()
        try harness.serverSends("<message id='big'" + declarations + "/>" + H.chat("never"))
        #expect(try harness.clientWrote() == H.abortWritten("policy-violation"))
        #expect(!harness.channel.isActive)
        let inbound = await harness.drainInbound()
        #expect(inbound.elements.isEmpty)
        #expect((inbound.error as? XMPPClientError)?.xmlError?.kind.isLimit == true)
    }

    @Test("H24: a large start tag fed one byte per read completes when its last byte arrives, in linear time")
    func H24_bytewiseStartTag() async throws {
        let harness = try SessionHandlerHarness.established()
        let attributes = (0..<60).map { " a\($0)='" + String(repeating: "v", count: 200) + "'" }.joined()
        let stanza = "<message from='bob@example.com/x' id='slow'" + attributes + "><body>x</body></message>"
        let clock = ContinuousClock()
        let start = clock.now
        let bytes = Array(stanza.utf8)
        for byte in bytes.dropLast() { try harness.channel.writeInbound(ByteBuffer(bytes: [byte])) }
        #expect(harness.channel.isActive)
        try harness.channel.writeInbound(ByteBuffer(bytes: [bytes.last ?? 0]))
        let elapsed = clock.now - start
        #expect(elapsed < .seconds(30), "\(bytes.count) single-byte reads took \(elapsed)")
        try harness.serverSends(S.end)
        let inbound = await harness.drainInbound()
        #expect((inbound.error as? XMPPClientError)?.code == .streamClosedByPeer)
        #expect(inbound.elements.map { $0[attribute: "id"] } == ["slow"])
        #expect(inbound.elements.first?.attributes.count == 62)
    }

    @Test("H26: a 10 MB <stream:error><text> aborts at the reader's text cap (nothing buffered past it)")
    func H26_hugeStreamErrorText() async throws {
        let harness = try SessionHandlerHarness.established()
        let chunk = [UInt8](repeating: UInt8(ascii: "t"), count: 16 << 10)
        let fed = try H.feedUntilClosed(
            harness,
            prefix: "<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>",
            chunk: chunk, maximum: 10 << 20)
        try await expectLimitAbort(harness, fed: fed, cap: Self.limits.maxTextBytes, kind: .textTooLong)
    }

    @Test("H26: a long stream error text below the reader caps is truncated in the error value")
    func H26_streamErrorTextTruncated() async throws {
        let harness = try SessionHandlerHarness.established()
        try harness.serverSends(
            "<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>"
                + String(repeating: "t", count: 100_000) + "</text></stream:error>")
        let error = await harness.drainInbound().error as? XMPPClientError
        #expect(error?.streamError?.condition == .conflict)
        let text = try #require(error?.streamError?.text)
        #expect(text.count <= StreamError.maximumTextLength + 1)
        #expect("\(try #require(error))".count < 2 * StreamError.maximumTextLength)
    }

    @Test("H27: a TLS handshake that never completes fails at the handshake deadline and closes")
    func H27_slowLorisHandshake() throws {
        let harness = try Hostile.startingTLS()
        // One byte of a record header, then silence.
        try harness.channel.writeInbound(ByteBuffer(bytes: [0x16]))
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(harness.outcome == nil)
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(harness.failure?.code == .timeout)
        #expect(harness.failure?.step == .tlsHandshake)
        #expect(!harness.channel.isActive)
    }

    @Test("H28: a stream header without features fails at the negotiation-step deadline")
    func H28_noFeatures() throws {
        let harness = try SessionHandlerHarness(transport: .tls(SessionTest.encrypted))
        _ = try harness.clientWrote()
        try harness.serverSends(S.header)
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(harness.failure?.code == .timeout)
        #expect(harness.failure?.step == .streamOpening)
        #expect(try harness.clientWrote() == "</stream:stream>")
        #expect(!harness.channel.isActive)
    }

    @Test("H29: an IQ never answered times out; the pending table is cleaned; a late reply is neither matched nor delivered")
    func H29_unansweredIQ() async throws {
        let harness = try SessionHandlerHarness.established()
        let (id, future) = try harness.handler.startRequest(
            .get, payload: XMLElement("ping", namespace: "urn:xmpp:ping"), to: try JID("bob@example.com/x"), timeout: .seconds(5))
        let outcome = Locked<Result<IQ, any Error>?>(nil)
        future.whenComplete { outcome.value = $0 }
        #expect(harness.handler.pendingResponses.count == 1)
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        guard case .failure(let error)? = outcome.value else {
            Issue.record("not failed")
            return
        }
        #expect((error as? XMPPClientError)?.code == .timeout)
        #expect((error as? XMPPClientError)?.step == .iqRequest)
        #expect(harness.handler.pendingResponses.isEmpty)
        try harness.serverSends("<iq type='result' id='\(id)' from='bob@example.com/x'/>" + S.end)
        let inbound = await harness.drainInbound()
        #expect(inbound.elements.isEmpty, "the late reply is not delivered")
    }
}
