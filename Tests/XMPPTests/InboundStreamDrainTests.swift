import Logging
import Testing
import XMPPCore

@testable import XMPP

/// The public subscription streams take what is already queued without
/// awaiting the queue (one executor check per stanza saved): the order, the
/// skipping of stanzas that do not parse, the error thrown once after the
/// queued elements and the end after it must be what the awaiting path gives.
@Suite struct InboundStreamDrainTests {
    static func message(_ id: String) -> XMLElement {
        Message(type: .chat, id: id, body: "b").element
    }

    static let failure = XMPPClientError.connectionClosed(detail: "test")

    @Test("nextReady: nil while the open queue is empty, the element once queued, the end once finished")
    func nextReady() throws {
        let (elements, queue) = InboundElements.makeStream()
        let iterator = elements.makeAsyncIterator()
        #expect(iterator.nextReady() == nil, "an empty open queue has nothing ready")
        queue.yield(Self.message("m1"))
        let ready = try #require(iterator.nextReady())
        #expect(try ready.get()?[attribute: "id"] == "m1")
        #expect(iterator.nextReady() == nil)
        queue.finish()
        let end = try #require(iterator.nextReady())
        #expect(try end.get() == nil)
    }

    @Test("Message stream: queued messages in order, an unparsable one skipped, the error once, then the end")
    func stanzaStreamDrains() async throws {
        let (elements, queue) = InboundElements.makeStream()
        queue.yield(Self.message("m1"))
        // A message whose `to` is no address does not parse: skipped.
        var broken = Self.message("bad")
        broken[attribute: "to"] = "@"
        queue.yield(broken)
        queue.yield(Self.message("m2"))
        queue.finish(throwing: Self.failure)
        let stream = XMPPStanzaStream<Message>(elements, logger: Logger(label: "test"))
        var iterator = stream.makeAsyncIterator()
        #expect(try await iterator.next()?.id == "m1")
        #expect(try await iterator.next()?.id == "m2")
        await #expect(throws: XMPPClientError.self) { _ = try await iterator.next() }
        #expect(try await iterator.next() == nil)
        #expect(try await iterator.next() == nil)
    }

    @Test("Message stream: a consumer that drained the queue waits, and is woken by the next message")
    func stanzaStreamWaitsAfterDraining() async throws {
        let (elements, queue) = InboundElements.makeStream()
        queue.yield(Self.message("m1"))
        let stream = XMPPStanzaStream<Message>(elements, logger: Logger(label: "test"))
        let reader = Task {
            var ids: [String?] = []
            for try await message in stream {
                ids.append(message.id)
                if ids.count == 2 { break }
            }
            return ids
        }
        for _ in 0..<2_000 where queue.waitingCount == 0 {
            try await Task.sleep(for: .milliseconds(1))
        }
        try #require(queue.waitingCount == 1, "the reader never started waiting")
        queue.yield(Self.message("m2"))
        #expect(try await reader.value == ["m1", "m2"])
    }

    @Test("Element stream: queued elements in order, the error once, then the end")
    func elementStreamDrains() async throws {
        let (elements, queue) = InboundElements.makeStream()
        queue.yield(Self.message("m1"))
        queue.yield(Self.message("m2"))
        queue.finish(throwing: Self.failure)
        var iterator = XMPPInboundStream(elements).makeAsyncIterator()
        #expect(try await iterator.next()?[attribute: "id"] == "m1")
        #expect(try await iterator.next()?[attribute: "id"] == "m2")
        await #expect(throws: XMPPClientError.self) { _ = try await iterator.next() }
        #expect(try await iterator.next() == nil)
    }
}
