import Logging
import Testing
import XMPP
import XMPPCore
import XMPPExtensions

/// Chat (XMPPExtensions' `Chat`) against the real Prosody of
/// `Scripts/prosody.sh`, which runs mod_carbons and mod_mam: messages both
/// ways with origin-id and the server's stanza-id, carbons on a second
/// resource, automatic delivery receipts, chat states, corrections,
/// reactions, and spoofed carbons and stanza-ids from another user.
///
/// Uses the pool accounts user07…user12 only, always addressing full JIDs
/// (no presence needed, nothing left in offline storage). Serialized
/// (user07 and user08 serve two tests); every wait is bounded.
@Suite("Prosody: chat", .serialized, .enabled(if: ProsodyServer.isConfigured), .timeLimit(.minutes(1)))
struct ProsodyChatTests {
    let server: ProsodyServer

    init() throws {
        server = try ProsodyServer.fromEnvironment()
    }

    /// Runs `body` with a session of `user` (optionally on `resource`).
    func withSession<Result: Sendable>(
        _ user: String,
        resource: String? = nil,
        logger: Logger? = nil,
        _ body: (XMPPConnection) async throws -> Result
    ) async throws -> Result {
        let jid = try JID("\(user)@\(server.domain)" + (resource.map { "/\($0)" } ?? ""))
        let configuration = try server.sessionConfiguration(jid: jid, password: "\(user)-password", port: .directTLS)
        if let logger {
            return try await XMPPConnection.withConnection(configuration: configuration, logger: logger, body)
        }
        return try await XMPPConnection.withConnection(configuration: configuration, body)
    }

    @Test("user07 and user08 chat both ways: body, type, thread, language, origin-id and the server's trusted stanza-id")
    func chatBothWays() async throws {
        let inboxOf07 = try await withSession("user08") { user08 in
            let chat08 = user08.chat()
            return try await withSession("user07") { user07 in
                let chat07 = user07.chat()
                let inbox07 = ChatInbox(chat07.messages(from: JID(user08.boundJID.bare)))
                let inbox08 = ChatInbox(chat08.messages(from: JID(user07.boundJID.bare)))

                let thread = Message.Thread("thread-1")
                let sent = try await chat07.send(
                    "Hello user08", to: JID(user08.boundJID), thread: thread, language: "en")
                let got = try await inbox08.first("user07's message") { $0.id == sent.id }
                #expect(got.body == "Hello user08")
                #expect(got.message.type == .chat)
                #expect(got.message.thread == thread)
                #expect(got.message.language == "en")
                #expect(got.direction == .incoming)
                #expect(got.peer == JID(user07.boundJID))
                #expect(got.originID == OriginID(id: sent.id), "the origin-id comes back unchanged")
                #expect(sent.message.payloads(OriginID.self) == [OriginID(id: sent.id)])
                // mod_mam archives the message and stamps it for user08;
                // user08's account advertises urn:xmpp:sid:0.
                #expect(await chat08.trustsOwnStanzaIDs())
                #expect(got.stanzaID?.by == JID(user08.boundJID.bare), "\(String(describing: got.stanzaID))")
                #expect(got.stanzaID?.id.isEmpty == false)

                let reply = try await chat08.send("Hello user07", to: JID(user07.boundJID), type: .normal)
                let answer = try await inbox07.first("user08's reply") { $0.id == reply.id }
                #expect(answer.body == "Hello user07")
                #expect(answer.message.type == .normal)
                #expect(answer.originID?.id == reply.id)
                return inbox07
            }
        }
        // The session ended, and with it the stream.
        #expect(try await inboxOf07.finished())
    }

    @Test("carbons: user09/second sees what user09/first sends to user10 and receives from it; private messages are not copied")
    func carbons() async throws {
        try await withSession("user10") { user10 in
            let chat10 = user10.chat()
            try await withSession("user09", resource: "second") { second in
                let chatSecond = second.chat()
                try await chatSecond.enableCarbons(timeout: .seconds(5))
                let copies = ChatInbox(chatSecond.messages(from: JID(user10.boundJID.bare)))
                try await withSession("user09", resource: "first") { first in
                    let chatFirst = first.chat()
                    let inbox10 = ChatInbox(chat10.messages(from: JID(first.boundJID)))

                    let hidden = try await chatFirst.send(
                        "not for my other devices", to: JID(user10.boundJID), options: ChatSendOptions(excludesCarbons: true))
                    let outgoing = try await chatFirst.send("from first", to: JID(user10.boundJID))
                    _ = try await inbox10.first("both messages") { $0.id == outgoing.id }
                    #expect(inbox10.messages.contains { $0.id == hidden.id }, "the private message still reaches user10")

                    let sentCopy = try await copies.first("the sent carbon") { $0.id == outgoing.id }
                    #expect(sentCopy.direction == .sentCarbon)
                    #expect(sentCopy.body == "from first")
                    #expect(sentCopy.peer == JID(user10.boundJID))
                    #expect(sentCopy.message.from == JID(first.boundJID))
                    #expect(sentCopy.originID?.id == outgoing.id)
                    #expect(!copies.messages.contains { $0.id == hidden.id }, "a private message is not copied")

                    let reply = try await chat10.send("to first", to: JID(first.boundJID))
                    let receivedCopy = try await copies.first("the received carbon") { $0.id == reply.id }
                    #expect(receivedCopy.direction == .receivedCarbon)
                    #expect(receivedCopy.body == "to first")
                    #expect(receivedCopy.peer == JID(user10.boundJID))
                    #expect(receivedCopy.message.to == JID(first.boundJID))
                }
                try await chatSecond.disableCarbons(timeout: .seconds(5))
            }
        }
    }

    @Test("delivery receipts: user11 answers on its own; user12 gets the receipt for its message's id")
    func receipts() async throws {
        try await withSession("user11") { user11 in
            let chat11 = user11.chat(options: Chat.Options(receiptAnswering: .always))
            try await withSession("user12") { user12 in
                let chat12 = user12.chat()
                let inbox12 = ChatInbox(chat12.messages(from: JID(user11.boundJID.bare)))
                let inbox11 = ChatInbox(chat11.messages(from: JID(user12.boundJID.bare)))

                let sent = try await chat12.send(
                    "please confirm", to: JID(user11.boundJID), options: ChatSendOptions(requestsReceipt: true))
                let request = try await inbox11.first("the message") { $0.id == sent.id }
                #expect(request.requestsReceipt)

                let receipt = try await inbox12.first("the receipt") { $0.receipt != nil }
                #expect(receipt.receipt == DeliveryReceipt(id: sent.id))
                #expect(receipt.peer == JID(user11.boundJID))
                #expect(receipt.body == nil)
                #expect(receipt.originID != nil && receipt.originID?.id == receipt.id)

                // A message without a request gets no receipt; a second
                // request does (once).
                let quiet = try await chat12.send("no receipt needed", to: JID(user11.boundJID))
                let second = try await chat12.send(
                    "and this one?", to: JID(user11.boundJID), options: ChatSendOptions(requestsReceipt: true))
                _ = try await inbox12.first("the second receipt") { $0.receipt?.id == second.id }
                _ = try await inbox11.first("the quiet message") { $0.id == quiet.id }
                let receipts = inbox12.messages.compactMap(\.receipt?.id)
                #expect(receipts == [sent.id, second.id])
            }
        }
    }

    @Test("chat states, /me, a correction and reactions between user07 and user08")
    func statesCorrectionReactions() async throws {
        try await withSession("user08") { user08 in
            let chat08 = user08.chat()
            try await withSession("user07") { user07 in
                let chat07 = user07.chat()
                let inbox08 = ChatInbox(chat08.messages(from: JID(user07.boundJID.bare)))
                let inbox07 = ChatInbox(chat07.messages(from: JID(user08.boundJID)))
                let peer08 = JID(user08.boundJID)

                let composing = try await chat07.sendChatState(.composing, to: peer08)
                let typo = try await chat07.send("teh plan", to: peer08, options: ChatSendOptions(chatState: .active))
                let seenComposing = try await inbox08.first("composing") { $0.id == composing.id }
                #expect(seenComposing.chatState == .composing)
                #expect(seenComposing.body == nil)
                let seenTypo = try await inbox08.first("the first message") { $0.id == typo.id }
                #expect(seenTypo.chatState == .active)
                let order = inbox08.messages.map(\.id)
                #expect(order.firstIndex(of: composing.id) ?? 0 < order.firstIndex(of: typo.id) ?? 0)

                let fixed = try await chat07.correct(typo.id, to: peer08, with: "the plan")
                let seenFix = try await inbox08.first("the correction") { $0.id == fixed.id }
                #expect(seenFix.correction?.replacedID == typo.id)
                #expect(seenFix.body == "the plan")

                let action = try await chat07.send("/me waves", to: peer08)
                #expect(try await inbox08.first("the action") { $0.id == action.id }.meAction?.text == "waves")

                try await chat08.react(to: typo.id, of: JID(user07.boundJID), with: ["👍", "🐢"])
                let reactions = try await inbox07.first("the reactions") { $0.reactions != nil }
                #expect(reactions.reactions == MessageReactions(messageID: typo.id, emojis: ["👍", "🐢"]))

                let refused = await #expect(throws: ChatError.self) {
                    try await chat08.react(to: typo.id, of: JID(user07.boundJID), with: ["ok"])
                }
                #expect(refused?.code == .invalidReaction)
            }
        }
    }

    @Test("another user's forged carbon is ignored and its forged stanza-id not believed")
    func spoofing() async throws {
        let logs = IntegrationLogs()
        var logger = logs.logger
        logger.logLevel = .debug
        try await withSession("user07", logger: logger) { user07 in
            let chat07 = user07.chat()
            let inbox07 = ChatInbox(chat07.messages())
            let rawMarker = user07.elements { $0[attribute: "id"] == "forged-sid" }
            try await withSession("user08") { user08 in
                let victim = user07.boundJID.description
                let forgedCarbon = try XMLElement.parsedMessage("""
                    <message xmlns='jabber:client' to='\(victim)' id='forged-carbon' type='chat'>\
                    <received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>\
                    <message xmlns='jabber:client' from='boss@\(server.domain)/desk' to='\(victim)' type='chat'>\
                    <body>wire the money</body></message></forwarded></received></message>
                    """)
                try await user08.send(forgedCarbon)
                let forgedID = try XMLElement.parsedMessage("""
                    <message xmlns='jabber:client' to='\(victim)' id='forged-sid' type='chat'><body>marker</body>\
                    <stanza-id xmlns='urn:xmpp:sid:0' id='forged' by='\(user07.boundJID.bare)'/></message>
                    """)
                try await user08.send(forgedID)

                let marker = try await inbox07.first("the marker") { $0.id == "forged-sid" }
                var raw = rawMarker.makeAsyncIterator()
                let delivered = try #require(try await raw.next())
                let claimingUs = try Message(element: delivered).payloads(StanzaID.self)
                    .filter { $0.by == JID(user07.boundJID.bare) }
                // Prosody 0.12's mod_mam removes the forged stanza-id and then
                // archives (and delivers) its unstripped copy plus its own, so
                // two claim to be by user07: neither can be told apart, and
                // neither is kept. A server that strips leaves one: its own.
                if claimingUs.count == 1 {
                    #expect(marker.stanzaID == claimingUs.first)
                } else {
                    #expect(claimingUs.map(\.id).contains("forged"))
                    #expect(marker.stanzaID == nil)
                }
                #expect(marker.stanzaID?.id != "forged")
                #expect(!inbox07.messages.contains { $0.id == "forged-carbon" || $0.body == "wire the money" })
                #expect(logs.count(of: "XMPP chat message ignored") == 1)
            }
        }
    }
}

extension XMLElement {
    /// The first element of `xml`, read as the server would send it.
    static func parsedMessage(_ xml: String) throws -> XMLElement {
        let reader = XMLStreamReader()
        let header = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"
        for case .element(let element) in try reader.read(Array((header + xml).utf8)) {
            return element
        }
        throw XMLStreamChannelError("no element in \(xml)")
    }
}
