import Logging
public import XMPP
import XMPPCore

/// One-to-one messaging on a session: sending messages and the payloads of
/// the chat XEPs (chat states, receipts, corrections, reactions, carbons),
/// and receiving ``ChatMessage``s.
///
/// ```swift
/// let chat = connection.chat(options: Chat.Options(receiptAnswering: .always))
/// try await chat.enableCarbons()
/// let sent = try await chat.send("Hi Bob", to: try JID("bob@example.com"))
/// for try await message in chat.messages(from: try JID("bob@example.com")) {
///     print(message.body ?? "", message.receipt?.id == sent.id ? "(delivered)" : "")
/// }
/// ```
///
/// **Why an actor, and how it relates to the connection.** `Chat` keeps a
/// little state that its streams share: whether our server vouches for
/// `<stanza-id/>`s (asked once with disco#info and cached) and which
/// receipts were already answered. It runs on the connection's event loop,
/// like ``XMPPConnection`` and `Roster`, so it adds no thread hop. It
/// registers nothing with the connection; each ``messages(from:)`` call is
/// a new subscription (``XMPPConnection/elements(where:)``) read through
/// this actor, and ends when the session ends. Make one `Chat` per session,
/// so that a receipt is answered once.
///
/// **Outgoing messages** all get a fresh `id` that is also their XEP-0359
/// origin-id (``SentMessage/id``).
///
/// **Receipts** are answered, when ``Options/receiptAnswering`` allows it,
/// as the message is read from one of this chat's streams: a message
/// nobody reads is not acknowledged.
public final actor Chat {
    /// How a ``Chat`` behaves.
    public struct Options: Sendable {
        /// Whether to answer delivery receipt requests on our own;
        /// ``ReceiptAnswering/never`` by default.
        public var receiptAnswering: ReceiptAnswering

        /// Creates options.
        /// - Parameter receiptAnswering: Whether and whom to answer
        ///   receipt requests.
        public init(receiptAnswering: ReceiptAnswering = .never) {
            self.receiptAnswering = receiptAnswering
        }
    }

    /// What we know about our server's `<stanza-id/>`s.
    enum StanzaIDSupport {
        case unknown
        /// The disco#info request is out; `nil` if it failed.
        case asking(Task<Bool?, Never>)
        case known(Bool)
    }

    /// The session.
    public nonisolated let connection: XMPPConnection
    /// How this chat behaves.
    public nonisolated let options: Options
    nonisolated let reader: ChatMessageReader
    var stanzaIDSupport = StanzaIDSupport.unknown
    /// The receipts answered lately, so two streams that both read a
    /// message answer it once.
    var answeredReceipts = RecentKeys(limit: 512)

    /// Runs on the connection's event loop, like the connection.
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        connection.unownedExecutor
    }

    init(connection: XMPPConnection, options: Options) {
        self.connection = connection
        self.options = options
        reader = ChatMessageReader(account: connection.boundJID.bare)
    }

    /// Whether our account advertises `urn:xmpp:sid:0` (XEP-0359), so that
    /// our server removes forged `<stanza-id by='our bare JID'/>`s and the
    /// ones left are its own. Asked with disco#info to our bare JID on the
    /// first call and cached; a failed question (a timeout, the session
    /// ending) counts as no, and is asked again next time.
    public func trustsOwnStanzaIDs() async -> Bool {
        switch stanzaIDSupport {
        case .known(let answer):
            return answer
        case .asking(let task):
            return await task.value ?? false
        case .unknown:
            let connection = self.connection
            let logger = connection.logger
            let task = Task<Bool?, Never> {
                do {
                    let info = try await connection.request(DiscoInfoRequest(), to: JID(connection.boundJID.bare))
                    return info.features.contains(OriginID.namespace)
                } catch let error as XMPPClientError where error.code == .stanzaError || error.code == .invalidResponse {
                    return false   // a definite answer: the account says nothing about stanza-ids
                } catch {
                    logger.debug("XMPP chat could not ask the account about stanza-ids", metadata: ["error": "\(error)"])
                    return nil
                }
            }
            stanzaIDSupport = .asking(task)
            let answer = await task.value
            stanzaIDSupport = answer.map { .known($0) } ?? .unknown
            return answer ?? false
        }
    }

    /// Turns on XEP-0280 carbons for this resource: from now on, messages
    /// our other resources send and receive arrive here too, as
    /// ``ChatMessage/Direction/sentCarbon`` and
    /// ``ChatMessage/Direction/receivedCarbon``.
    /// - Parameter timeout: How long to wait for the server; `nil` for the
    ///   connection's IQ timeout.
    /// - Throws: ``XMPPClientError``, for example ``XMPPClientError/Code/stanzaError``
    ///   when the server has no carbons.
    public func enableCarbons(timeout: Duration? = nil) async throws {
        try await connection.request(CarbonsRequest.enable, timeout: timeout)
    }

    /// Turns XEP-0280 carbons off for this resource.
    /// - Parameter timeout: How long to wait for the server; `nil` for the
    ///   connection's IQ timeout.
    /// - Throws: ``XMPPClientError``.
    public func disableCarbons(timeout: Duration? = nil) async throws {
        try await connection.request(CarbonsRequest.disable, timeout: timeout)
    }
}

extension XMPPConnection {
    /// One-to-one messaging on this session; see ``Chat``.
    ///
    /// Nothing is registered or sent: messages arrive through the chat's
    /// ``Chat/messages(from:)`` streams. Make one per session.
    /// - Parameter options: Whether to answer receipt requests on our own.
    /// - Returns: The chat.
    public nonisolated func chat(options: Chat.Options = Chat.Options()) -> Chat {
        Chat(connection: self, options: options)
    }
}
