import Testing
import XMPPCore

@testable import XMPPExtensions

@Suite struct ChatOutgoingTests {
    let bob: JID

    init() throws {
        bob = try JID("bob@example.com/pc")
    }

    @Test("prepared: id and origin-id set to the fresh id, replacing the caller's; thread, language, type kept")
    func identifiers() throws {
        var message = Message(type: .headline, to: bob, id: "mine", language: "de", bodies: [LanguageTaggedText("Hallo")], thread: Message.Thread("t"))
        message.setPayload(OriginID(id: "stale"))
        let prepared = try message.prepared(id: "fresh", options: ChatSendOptions())
        #expect(prepared.id == "fresh")
        #expect(prepared.payloads(OriginID.self) == [OriginID(id: "fresh")])
        #expect(prepared.type == .headline && prepared.language == "de" && prepared.thread == Message.Thread("t"))
        #expect(prepared.body == "Hallo")
        #expect(prepared.extensions.count == 1)
    }

    @Test("prepared: receipt request, chat state, carbons exclusion added once")
    func options() throws {
        var message = Message(type: .chat, to: bob, body: "hi")
        message.setPayload(ChatState.composing)
        let options = ChatSendOptions(requestsReceipt: true, chatState: .active, excludesCarbons: true)
        let prepared = try message.prepared(id: "a", options: options).prepared(id: "b", options: options)
        #expect(try prepared.payload(DeliveryReceiptRequest.self) != nil)
        #expect(try prepared.payload(ChatState.self) == .active)
        #expect(prepared.extensions.filter { $0 == CarbonsRequest.privateElement }.count == 1)
        #expect(prepared.payloads(MessageProcessingHint.self) == [.noCopy])
        #expect(prepared.id == "b" && prepared.payloads(OriginID.self) == [OriginID(id: "b")])
    }

    @Test("prepared: a receipt request on groupchat or error is refused", arguments: [Message.StanzaType.groupchat, .error])
    func receiptRequestRefused(type: Message.StanzaType) {
        let message = Message(type: type, to: bob, body: "hi")
        let error = #expect(throws: ChatError.self) {
            try message.prepared(id: "a", options: ChatSendOptions(requestsReceipt: true))
        }
        #expect(error?.code == .receiptNotAllowed)
    }

    @Test("receipt reply: to the sender, for its id, same thread, chat stays chat, anything else becomes normal")
    func receiptReply() throws {
        let chat = ChatMessage(message: Message(type: .chat, from: bob, id: "m1", thread: Message.Thread("t")))
        let reply = try chat.receiptReply(id: "r1")
        #expect(reply.to == bob && reply.type == .chat && reply.thread == Message.Thread("t"))
        #expect(try reply.payload(DeliveryReceipt.self) == DeliveryReceipt(id: "m1"))
        #expect(reply.id == "r1" && reply.payloads(OriginID.self) == [OriginID(id: "r1")])
        #expect(try reply.payload(DeliveryReceiptRequest.self) == nil)
        for type in [Message.StanzaType.normal, .headline] {
            let other = ChatMessage(message: Message(type: type, from: bob, id: "m2"))
            #expect(try other.receiptReply(id: "r").type == .normal)
        }
    }

    @Test("no receipt for groupchat, error, a message without id or sender, or a carbon copy")
    func receiptRefused() throws {
        let refused: [ChatMessage] = [
            ChatMessage(message: Message(type: .groupchat, from: bob, id: "m")),
            ChatMessage(message: Message(type: .error, from: bob, id: "m", error: StanzaError(.badRequest))),
            ChatMessage(message: Message(type: .chat, from: bob)),
            ChatMessage(message: Message(type: .chat, from: bob, id: "")),
            ChatMessage(message: Message(type: .chat, id: "m")),
            ChatMessage(message: Message(type: .chat, from: bob, id: "m"), direction: .receivedCarbon),
            ChatMessage(message: Message(type: .chat, to: bob, id: "m"), direction: .sentCarbon),
        ]
        for message in refused {
            let error = #expect(throws: ChatError.self, "\(message.message)") { try message.receiptReply(id: "r") }
            #expect(error?.code == .receiptNotAllowed)
        }
    }

    @Test("receipt answering policies: never, always, only the allowed")
    func answering() throws {
        let friend = try JID("bob@example.com/pc")
        let stranger = try JID("mallory@evil.example/x")
        #expect(!ReceiptAnswering.never.answers(friend))
        #expect(ReceiptAnswering.always.answers(stranger))
        let contacts = ReceiptAnswering.only { $0.bare == friend.bare }
        #expect(contacts.answers(friend) && !contacts.answers(stranger))
        #expect(!Chat.Options().receiptAnswering.answers(friend))
    }

    @Test("recent keys: duplicates refused, the oldest forgotten beyond the limit")
    func recentKeys() throws {
        var keys = RecentKeys(limit: 2)
        let first = [keys.insert("a"), keys.insert("b"), keys.insert("a"), keys.insert("c")]
        #expect(first == [true, true, false, true])
        #expect(!keys.contains("a") && keys.contains("b") && keys.contains("c"))
        let again = keys.insert("a")
        #expect(again && !keys.contains("b"))
        let other = try JID("bob@example.com/p")
        #expect(Chat.receiptKey(sender: bob, id: "1") != Chat.receiptKey(sender: other, id: "c1"))
    }

    @Test("chat errors describe the code and the refusal")
    func errors() {
        #expect(ChatError(.invalidReaction, detail: "x").description == "invalidReaction: x")
        #expect(ChatError.Code.missingMessageID.description == "missingMessageID")
        #expect(ChatError.Code.receiptNotAllowed != .invalidReaction)
    }
}
