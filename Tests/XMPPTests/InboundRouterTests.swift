import Testing
import XMPPCore

@testable import XMPP

/// The inbound fan-out on its own: who gets which element, what is held
/// for later subscriptions and what is dropped, and how everything ends.
@Suite struct InboundRouterTests {
    typealias Stream = InboundElements

    static func message(_ id: String) -> XMLElement {
        Message(type: .chat, id: id, body: "b").element
    }

    static func presence(_ id: String) -> XMLElement {
        Presence(id: id).element
    }

    static let messagesOnly: InboundRouter.Filter = { $0.name.localName == "message" }
    static let everything: InboundRouter.Filter = { _ in true }

    /// Everything the stream holds now, up to its end: finishes the
    /// queue first when `finish` is set so reading cannot wait.
    static func drain(_ stream: Stream) async throws -> [String] {
        var ids: [String] = []
        for try await element in stream { ids.append(element[attribute: "id"] ?? "?") }
        return ids
    }

    @Test("Every subscription whose filter accepts an element gets it, in order; the others do not")
    func fanOut() async throws {
        var router = InboundRouter(holdLimit: 8)
        let (all, allQueue) = Stream.makeStream()
        let (messages, messagesQueue) = Stream.makeStream()
        _ = router.subscribe(filter: Self.everything, queue: allQueue)
        _ = router.subscribe(filter: Self.messagesOnly, queue: messagesQueue)
        router.deliver(Self.message("m1"))
        router.deliver(Self.presence("p1"))
        router.deliver(Self.message("m2"))
        #expect(router.heldCount == 0)
        router.finish(throwing: nil)
        #expect(try await Self.drain(all) == ["m1", "p1", "m2"])
        #expect(try await Self.drain(messages) == ["m1", "m2"])
    }

    @Test("Elements nobody wanted are held and go, in order, to the first later subscription that accepts them")
    func heldElementsGoToTheFirstTaker() async throws {
        var router = InboundRouter(holdLimit: 8)
        router.deliver(Self.message("m1"))
        router.deliver(Self.presence("p1"))
        router.deliver(Self.message("m2"))
        #expect(router.heldCount == 3)
        let (messages, messagesQueue) = Stream.makeStream()
        _ = router.subscribe(filter: Self.messagesOnly, queue: messagesQueue)
        #expect(router.heldCount == 1, "the presence stays held")
        router.deliver(Self.message("m3"))
        let (late, lateQueue) = Stream.makeStream()
        _ = router.subscribe(filter: Self.messagesOnly, queue: lateQueue)
        let (all, allQueue) = Stream.makeStream()
        _ = router.subscribe(filter: Self.everything, queue: allQueue)
        #expect(router.heldCount == 0)
        router.finish(throwing: nil)
        #expect(try await Self.drain(messages) == ["m1", "m2", "m3"])
        #expect(try await Self.drain(late) == [], "held messages went to the first taker only")
        #expect(try await Self.drain(all) == ["p1"])
    }

    @Test("The hold is bounded: the oldest goes first, and the router says which")
    func holdIsBounded() async throws {
        var router = InboundRouter(holdLimit: 2)
        #expect(router.deliver(Self.message("m1")) == nil)
        #expect(router.deliver(Self.message("m2")) == nil)
        let dropped = router.deliver(Self.message("m3"))
        #expect(dropped?.name == XMLQualifiedName("message", namespace: XMLNamespace.client))
        #expect(router.heldCount == 2)
        let (messages, queue) = Stream.makeStream()
        _ = router.subscribe(filter: Self.messagesOnly, queue: queue)
        router.finish(throwing: nil)
        #expect(try await Self.drain(messages) == ["m2", "m3"])
    }

    @Test("A hold limit of 0 keeps nothing; a negative one counts as 0")
    func noHold() async throws {
        var router = InboundRouter(holdLimit: -5)
        #expect(router.holdLimit == 0)
        #expect(router.deliver(Self.message("m1")) != nil)
        #expect(router.heldCount == 0)
    }

    @Test("Unsubscribing finishes that stream and stops delivery to it only")
    func unsubscribe() async throws {
        var router = InboundRouter(holdLimit: 8)
        let (first, firstQueue) = Stream.makeStream()
        let (second, secondQueue) = Stream.makeStream()
        let id = router.subscribe(filter: Self.everything, queue: firstQueue)
        _ = router.subscribe(filter: Self.everything, queue: secondQueue)
        router.deliver(Self.message("m1"))
        router.unsubscribe(id)
        router.unsubscribe(id)   // twice is harmless
        #expect(router.subscriptionCount == 1)
        router.deliver(Self.message("m2"))
        #expect(try await Self.drain(first) == ["m1"])
        router.finish(throwing: nil)
        #expect(try await Self.drain(second) == ["m1", "m2"])
    }

    @Test("Finishing with an error ends every subscription with it, also those made later; later deliveries are ignored")
    func finishWithError() async throws {
        var router = InboundRouter(holdLimit: 8)
        let (before, beforeQueue) = Stream.makeStream()
        _ = router.subscribe(filter: Self.everything, queue: beforeQueue)
        router.deliver(Self.message("m1"))
        router.finish(throwing: XMPPClientError.connectionClosed(detail: "test"))
        router.finish(throwing: nil)   // the first ending stands
        router.deliver(Self.message("m2"))
        #expect(router.isEnded && router.subscriptionCount == 0 && router.heldCount == 0)
        let (after, afterQueue) = Stream.makeStream()
        _ = router.subscribe(filter: Self.everything, queue: afterQueue)
        var ids: [String] = []
        await #expect(throws: XMPPClientError.self) {
            for try await element in before { ids.append(element[attribute: "id"] ?? "?") }
        }
        #expect(ids == ["m1"])
        await #expect(throws: XMPPClientError.self) { _ = try await Self.drain(after) }
    }

    @Test("Finishing normally ends later subscriptions at once, without error")
    func finishNormally() async throws {
        var router = InboundRouter(holdLimit: 8)
        router.deliver(Self.message("m1"))
        router.finish(throwing: nil)
        let (after, queue) = Stream.makeStream()
        _ = router.subscribe(filter: Self.everything, queue: queue)
        #expect(try await Self.drain(after) == [], "held elements are released when the session ends")
    }
}
