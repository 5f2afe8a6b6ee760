/// Why ``Chat`` refused to send something: a local check failed and
/// nothing went out. (Failures of the connection itself are
/// `XMPPClientError`s.)
public struct ChatError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kinds of refusal. A struct rather than an enum so kinds can be
    /// added without breaking code that switches over them.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case invalidReaction, receiptNotAllowed, missingMessageID
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A reaction is not a single emoji (XEP-0444; see
        /// ``MessageReactions/isSingleEmoji(_:)``).
        public static let invalidReaction = Code(.invalidReaction)
        /// A delivery receipt may not be asked for or given here: never on
        /// `error` or `groupchat` messages, never for a message without an
        /// `id` or a sender, never for a carbon copy (XEP-0184 §5.4).
        public static let receiptNotAllowed = Code(.receiptNotAllowed)
        /// The id of the message to correct or react to is empty.
        public static let missingMessageID = Code(.missingMessageID)

        /// The code's name.
        public var description: String {
            switch base {
            case .invalidReaction: "invalidReaction"
            case .receiptNotAllowed: "receiptNotAllowed"
            case .missingMessageID: "missingMessageID"
            }
        }
    }

    /// What kind of refusal this is.
    public let code: Code
    /// What was refused, in a few words.
    public let detail: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: The kind of refusal.
    ///   - detail: What was refused.
    public init(_ code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    /// The code and the detail.
    public var description: String { "\(code): \(detail)" }
}
