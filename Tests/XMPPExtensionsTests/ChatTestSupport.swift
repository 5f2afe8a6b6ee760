import XMPPCore

@testable import XMPPExtensions

/// The account of the chat tests: alice@example.com, bound as /phone.
enum ChatAccount {
    static let bare = "alice@example.com"
    static let full = "alice@example.com/phone"
    static func reader() throws -> ChatMessageReader { ChatMessageReader(account: try BareJID(bare)) }

    /// What the reader makes of `xml`.
    static func read(_ xml: String) throws -> ChatMessageReader.Reading {
        try reader().read(TestXML.element(xml))
    }
}

extension ChatMessageReader.Reading {
    /// The reason, when ignored.
    var ignoredReason: ChatMessageReader.IgnoredReason? {
        if case .ignored(let reason) = self { return reason }
        return nil
    }

    /// The message, when one was read (stanza-id not trusted).
    var message: ChatMessage? { resolved(trustingStanzaIDs: false) }
}

/// A generator that always returns the same bits, for reproducible ids.
struct FixedBitsGenerator: RandomNumberGenerator {
    var value: UInt64
    mutating func next() -> UInt64 { value }
}
