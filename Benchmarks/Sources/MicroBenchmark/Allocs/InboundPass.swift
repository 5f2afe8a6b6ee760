import NIOCore
import XMPPCore
import XMPPUnderTest

/// The corpus's stanzas through a live session's channel handler, with
/// `messages()` and `presences()` consumed after every read; allocations
/// are counted from `channelRead` on (the socket's read buffers are made
/// before counting starts).
enum InboundPass {
    /// The subscriptions did not receive what the corpus holds.
    struct Mismatch: Error, CustomStringConvertible {
        let description: String
    }

    struct Result {
        var count: AllocCount
        var summary: String
    }

    static func run(_ corpus: Corpus, stanzas: [XMLElement], streamManagement: Bool) async throws -> Result {
        let body = streamBody(corpus.bytes)
        // What the subscriptions must receive: every message and presence.
        let kinds = StanzaBenchmark.parse(stanzas).kinds
        // Uncounted first pass on its own session, then the counted one.
        _ = try await pass(body, streamManagement: streamManagement, kinds: kinds)
        return try await pass(body, streamManagement: streamManagement, kinds: kinds)
    }

    private static func pass(
        _ body: ArraySlice<UInt8>, streamManagement: Bool, kinds: StanzaBenchmark.Kinds
    ) async throws -> Result {
        let harness = try InboundPathHarness(streamManagement: streamManagement)
        defer { harness.close() }
        let reads = stride(from: body.startIndex, to: body.endIndex, by: 4096).map { offset in
            harness.allocator.buffer(bytes: body[offset..<min(offset + 4096, body.endIndex)])
        }
        AllocCount.start()
        do {
            for read in reads {
                try harness.receive(read)
                try await harness.drain()
            }
        } catch {
            _ = AllocCount.stop()
            throw error
        }
        let count = AllocCount.stop()
        guard harness.consumedMessages == kinds.messages, harness.consumedPresences == kinds.presences else {
            throw Mismatch(description: "the subscriptions got \(harness.consumedMessages) messages and "
                + "\(harness.consumedPresences) presences, the corpus has \(kinds.messages) and \(kinds.presences)")
        }
        let summary = "\(harness.consumedMessages) messages and \(harness.consumedPresences) presences consumed, "
            + "XEP-0198 \(harness.streamManagementEnabled ? "enabled" : "off")"
        return Result(count: count, summary: summary)
    }

    /// The corpus without its stream header and closing tag: the stanzas a
    /// server sends once the session is established.
    static func streamBody(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        let opening = Array("<stream:stream".utf8)
        let closing = Array("</stream:stream>".utf8)
        guard let headerStart = bytes.indices.first(where: { bytes[$0...].starts(with: opening) }),
              let headerEnd = bytes[headerStart...].firstIndex(of: UInt8(ascii: ">")),
              bytes.suffix(closing.count).elementsEqual(closing)
        else { fail("the corpus is not a complete stream") }
        return bytes[(headerEnd + 1)..<(bytes.count - closing.count)]
    }
}
