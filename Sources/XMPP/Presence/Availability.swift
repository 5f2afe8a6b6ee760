public import XMPPCore

/// What we announce about ourselves while available (RFC 6121 §4.7.2):
/// the `show` sub-state, status texts and the resource's priority.
///
/// ```swift
/// try await tracker.becomeAvailable(Availability(show: .away, status: "At lunch", priority: 5, language: "en"))
/// ```
///
/// A ``PresenceTracker`` turns it into an available `<presence/>`, either
/// broadcast (``PresenceTracker/becomeAvailable(_:)``) or directed
/// (``PresenceTracker/sendDirectedPresence(_:to:)``).
public struct Availability: Hashable, Sendable {
    /// The sub-state; `nil` means plain "online".
    public var show: Presence.Show?
    /// The status texts, at most one per language.
    public var statuses: [LanguageTaggedText]
    /// The priority of this resource, -128…127 (RFC 6121 §4.7.2.3): the
    /// server routes messages for the bare JID to the highest one, and
    /// never to a negative one. 0, the default, is not written.
    public var priority: Int8
    /// The language (`xml:lang`) of the stanza, which untagged statuses
    /// are in.
    public var language: String?
    /// Further child elements, for example XEP-0172's `<nick/>`. Standing
    /// extensions set with
    /// ``XMPPConnection/setAvailablePresenceExtension(_:forKey:)`` are added
    /// when sent.
    public var extensions: [XMLElement]

    /// Creates an availability with at most one status text.
    /// - Parameters:
    ///   - show: The sub-state; `nil` for plain "online".
    ///   - status: A status text in `language`, if any.
    ///   - priority: The resource's priority; 0 by default.
    ///   - language: The stanza's language (`xml:lang`), if stated.
    ///   - extensions: Further child elements.
    public init(
        show: Presence.Show? = nil,
        status: String? = nil,
        priority: Int8 = 0,
        language: String? = nil,
        extensions: [XMLElement] = []
    ) {
        self.init(
            show: show, statuses: status.map { [LanguageTaggedText($0)] } ?? [], priority: priority,
            language: language, extensions: extensions)
    }

    /// Creates an availability with status texts in several languages.
    /// - Parameters:
    ///   - show: The sub-state; `nil` for plain "online".
    ///   - statuses: The status texts, at most one per language.
    ///   - priority: The resource's priority.
    ///   - language: The stanza's language (`xml:lang`), if stated.
    ///   - extensions: Further child elements.
    public init(
        show: Presence.Show?,
        statuses: [LanguageTaggedText],
        priority: Int8 = 0,
        language: String? = nil,
        extensions: [XMLElement] = []
    ) {
        self.show = show
        self.statuses = statuses
        self.priority = priority
        self.language = language
        self.extensions = extensions
    }

    /// The status text in the stanza's language (see ``Presence/status``).
    public var status: String? {
        statuses.text(forLanguage: nil) ?? language.flatMap { statuses.text(forLanguage: $0) } ?? statuses.first?.text
    }

    /// The available presence that announces this, to `recipient` (directed)
    /// or to nobody in particular (broadcast).
    /// - Parameter recipient: The address of a directed presence; `nil` for
    ///   a broadcast.
    /// - Returns: The presence; `priority` is written only when not 0.
    public func presence(to recipient: JID? = nil) -> Presence {
        Presence(
            type: .available, to: recipient, language: language, show: show, statuses: statuses,
            priority: priority == 0 ? nil : priority, extensions: extensions)
    }
}
