/// XEP-0245 the `/me` command: a message body starting with `"/me "` is an
/// action to show as "*Alice waves*" rather than as a quote.
///
/// ```swift
/// if let action = MeAction(body: message.body) { print("* \(sender) \(action.text)") }
/// ```
public struct MeAction: Hashable, Sendable {
    /// What XEP-0245 looks for at the very start of the body, space included.
    public static let prefix = "/me "

    /// The action, the body after `"/me "`: `"waves"` for `"/me waves"`.
    public var text: String

    /// The action in a body, if the body is one.
    ///
    /// The prefix must be the first four characters, exactly (`"/me "`,
    /// lower case, one space); a body that has nothing after it is no
    /// action.
    /// - Parameter body: The message body.
    public init?(body: String?) {
        guard let body, body.hasPrefix(Self.prefix) else { return nil }
        let text = String(body.dropFirst(Self.prefix.count))
        guard !text.isEmpty else { return nil }
        self.text = text
    }
}
