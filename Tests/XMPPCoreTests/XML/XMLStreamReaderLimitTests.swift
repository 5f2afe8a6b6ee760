import Testing
@testable import XMPPCore

/// Each limit stops the reader with `policy-violation`, and an endless
/// element is cut off while it arrives, not after it was buffered.
@Suite("XMLStreamReader limits")
struct XMLStreamReaderLimitTests {
    let header = serverStreamHeader

    @Test("an endless stanza is cut off once it crosses maxElementBytes")
    func endlessStanza() throws {
        let limits = XMLStreamReader.Limits(maxElementBytes: 64 << 10, maxTextBytes: 1 << 20)
        let reader = XMLStreamReader(limits: limits)
        _ = try reader.read(Array((header + "<message><body>").utf8))
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 4096)
        var fed = 0
        var failure: XMLStreamError?
        // Bounded loop: the limit must trip long before 1,000 chunks (4 MiB).
        for _ in 0..<1000 {
            do {
                _ = try reader.read(chunk)
                fed += chunk.count
            } catch {
                failure = error
                break
            }
        }
        #expect(failure?.kind == .elementTooLarge)
        #expect(failure?.condition == .policyViolation)
        #expect(fed <= limits.maxElementBytes + 4096)
    }

    @Test("a single stanza over the limit in one read is refused")
    func oversizedStanzaInOneRead() {
        let body = String(repeating: "b", count: 5000)
        let result = readEvents(header + "<message><body>\(body)</body></message>", limits: .init(maxElementBytes: 4096))
        #expect(result.error?.kind == .elementTooLarge)
        #expect(elements(result.events).isEmpty)
    }

    @Test("a stanza exactly at the limit passes")
    func stanzaAtLimit() {
        let stanza = "<message><body>" + String(repeating: "b", count: 100) + "</body></message>"
        let result = readEvents(header + stanza, limits: .init(maxElementBytes: stanza.utf8.count))
        #expect(result.error == nil)
        #expect(elements(result.events).count == 1)
        let tooSmall = readEvents(header + stanza, limits: .init(maxElementBytes: stanza.utf8.count - 1))
        #expect(tooSmall.error?.kind == .elementTooLarge)
    }

    @Test("an endless stream header is cut off")
    func endlessHeader() throws {
        let reader = XMLStreamReader(limits: .init(maxElementBytes: 8192))
        var failure: XMLStreamError?
        do {
            _ = try reader.read(Array("<stream:stream xmlns:stream='http://etherx.jabber.org/streams' a='".utf8))
            for _ in 0..<100 {
                _ = try reader.read([UInt8](repeating: UInt8(ascii: "x"), count: 1024))
            }
        } catch {
            failure = error
        }
        #expect(failure?.kind == .elementTooLarge)
    }

    @Test("nesting deeper than maxDepth is refused")
    func depth() {
        let deep = String(repeating: "<a>", count: 10) + String(repeating: "</a>", count: 10)
        #expect(readEvents(header + deep, limits: .init(maxDepth: 10)).error == nil)
        let deeper = String(repeating: "<a>", count: 11) + String(repeating: "</a>", count: 11)
        let result = readEvents(header + deeper, limits: .init(maxDepth: 10))
        #expect(result.error?.kind == .tooDeep)
        #expect(result.error?.condition == .policyViolation)
    }

    @Test("a depth bomb stops at the cap without recursion")
    func depthBomb() {
        let bomb = String(repeating: "<a>", count: 100_000)
        #expect(readEvents(header + bomb).error?.kind == .tooDeep)
    }

    @Test("too many attributes are refused")
    func attributes() {
        func element(_ count: Int) -> String {
            "<message " + (0..<count).map { "a\($0)='v'" }.joined(separator: " ") + "/>"
        }
        #expect(readEvents(header + element(8), limits: .init(maxAttributes: 8)).error == nil)
        #expect(readEvents(header + element(9), limits: .init(maxAttributes: 8)).error?.kind == .tooManyAttributes)
    }

    @Test("a long name is refused")
    func nameLength() {
        let name = String(repeating: "n", count: 300)
        // The qualified name counts the namespace URI (13 bytes) and the separator.
        #expect(readEvents(header + "<\(name)/>", limits: .init(maxNameBytes: 314)).error == nil)
        #expect(readEvents(header + "<\(name)/>", limits: .init(maxNameBytes: 313)).error?.kind == .nameTooLong)
        #expect(readEvents(header + "<m \(name)='x'/>", limits: .init(maxNameBytes: 299)).error?.kind == .nameTooLong)
    }

    @Test("a long attribute value is refused")
    func attributeValueLength() {
        let value = String(repeating: "v", count: 1000)
        #expect(readEvents(header + "<m id='\(value)'/>", limits: .init(maxAttributeValueBytes: 1000)).error == nil)
        #expect(readEvents(header + "<m id='\(value)'/>", limits: .init(maxAttributeValueBytes: 999)).error?.kind == .attributeValueTooLong)
    }

    @Test("a long text run is refused, even when split across reads")
    func textLength() {
        let text = String(repeating: "t", count: 1000)
        #expect(readEvents(header + "<m>\(text)</m>", limits: .init(maxTextBytes: 1000)).error == nil)
        let bytes = Array((header + "<m>\(text)</m>").utf8)
        let pieces = stride(from: 0, to: bytes.count, by: 7).map { Array(bytes[$0..<min(bytes.count, $0 + 7)]) }
        #expect(readEvents(pieces, limits: .init(maxTextBytes: 999)).error?.kind == .textTooLong)
    }

    @Test("whitespace keepalives between stanzas are not text")
    func keepalives() {
        let result = readEvents(header + " \n\t\r\n " + "<message/>" + String(repeating: " ", count: 10_000))
        #expect(result.error == nil)
        #expect(elements(result.events).count == 1)
    }
}
