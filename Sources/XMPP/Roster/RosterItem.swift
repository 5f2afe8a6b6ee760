public import XMPPCore

/// One contact of the roster (RFC 6121 §2.1.2): an `<item/>` of
/// `jabber:iq:roster`.
///
/// ```swift
/// var carol = RosterItem(jid: try BareJID("carol@example.com"), name: "Carol")
/// carol.groups = ["Friends"]
/// try await roster.setItem(carol)
/// ```
public struct RosterItem: Hashable, Sendable {
    /// The roster namespace, `jabber:iq:roster`.
    public static let namespace = "jabber:iq:roster"

    /// The presence subscription between the user and the contact
    /// (RFC 6121 §2.1.2.5).
    public enum Subscription: String, Hashable, Sendable, CaseIterable {
        /// Neither sees the other's presence.
        case none
        /// The user sees the contact's presence.
        case to
        /// The contact sees the user's presence.
        case from
        /// Both see each other's presence.
        case both
        /// The item is being removed (in a set or a roster push only).
        case remove
    }

    /// The contact's bare JID, the item's key.
    public var jid: BareJID
    /// The name the user gave the contact, if any.
    public var name: String?
    /// The subscription state; the server manages it.
    public var subscription: Subscription
    /// Whether the user asked to see the contact's presence and the contact
    /// has not answered yet (`ask='subscribe'`).
    public var isSubscriptionPending: Bool
    /// Whether the user pre-approved the contact's subscription request
    /// (`approved='true'`, RFC 6121 §2.1.2.1, §3.4); only servers that offer
    /// pre-approval may report it (Prosody 0.12 keeps it to itself).
    public var isPreApproved: Bool
    /// The groups the contact is in, in document order, without duplicates.
    public var groups: [String]

    /// Creates an item.
    /// - Parameters:
    ///   - jid: The contact's bare JID.
    ///   - name: The name for the contact, if any.
    ///   - subscription: The subscription state; `.none` for a new contact.
    ///   - isSubscriptionPending: Whether a subscription request is pending.
    ///   - isPreApproved: Whether the contact's subscription is pre-approved.
    ///   - groups: The groups the contact is in.
    public init(
        jid: BareJID,
        name: String? = nil,
        subscription: Subscription = .none,
        isSubscriptionPending: Bool = false,
        isPreApproved: Bool = false,
        groups: [String] = []
    ) {
        self.jid = jid
        self.name = name
        self.subscription = subscription
        self.isSubscriptionPending = isSubscriptionPending
        self.isPreApproved = isPreApproved
        self.groups = groups
    }

    /// Reads an `<item xmlns='jabber:iq:roster'/>` strictly.
    ///
    /// The `jid` must be a valid bare JID; `subscription` (absent: `none`)
    /// `ask` (absent, or `subscribe`) and `approved` (absent, `true`,
    /// `false`, `1` or `0`) must have known values; group
    /// names must not be empty (RFC 6121 §2.1.2.2). Duplicate groups are
    /// kept once. An empty `name` counts as no name.
    /// - Parameter element: The `<item/>` element.
    /// - Throws: ``StanzaParseError`` saying what is wrong.
    public init(element: XMLElement) throws(StanzaParseError) {
        guard element.name == XMLQualifiedName("item", namespace: Self.namespace) else {
            throw StanzaParseError.unexpectedElement(element.name)
        }
        guard let jidText = element[attribute: "jid"] else {
            throw StanzaParseError(.missingAttribute, subject: "jid")
        }
        do {
            jid = try BareJID(jidText)
        } catch {
            throw StanzaParseError(.malformedAddress, subject: "jid", addressError: error)
        }
        let nameText = element[attribute: "name"]
        name = nameText?.isEmpty == false ? nameText : nil
        if let value = element[attribute: "subscription"] {
            guard let subscription = Subscription(rawValue: value) else {
                throw StanzaParseError(.invalidAttribute, subject: "subscription")
            }
            self.subscription = subscription
        } else {
            subscription = .none
        }
        switch element[attribute: "ask"] {
        case nil: isSubscriptionPending = false
        case "subscribe": isSubscriptionPending = true
        default: throw StanzaParseError(.invalidAttribute, subject: "ask")
        }
        switch element[attribute: "approved"] {
        case nil, "false", "0": isPreApproved = false
        case "true", "1": isPreApproved = true
        default: throw StanzaParseError(.invalidAttribute, subject: "approved")
        }
        var groups: [String] = []
        for group in element.children(named: "group", namespace: Self.namespace) {
            let text = group.text
            guard !text.isEmpty else { throw StanzaParseError(.invalidChild, subject: "{\(Self.namespace)}group") }
            if !groups.contains(text) { groups.append(text) }
        }
        self.groups = groups
    }

    /// The item as an `<item xmlns='jabber:iq:roster'/>` with everything it
    /// holds (`subscription` only when not `none`, `ask` only when pending,
    /// `approved` only when pre-approved).
    public var element: XMLElement {
        element(includingState: true)
    }

    /// The item as sent in a roster set (RFC 6121 §2.3.2): without
    /// `subscription`, `ask` and `approved`, which the server manages, except
    /// `subscription='remove'`.
    var setElement: XMLElement {
        element(includingState: false)
    }

    private func element(includingState: Bool) -> XMLElement {
        var attributes = [XMLAttribute("jid", value: jid.description)]
        if let name { attributes.append(XMLAttribute("name", value: name)) }
        if subscription == .remove || (includingState && subscription != .none) {
            attributes.append(XMLAttribute("subscription", value: subscription.rawValue))
        }
        if includingState && isSubscriptionPending { attributes.append(XMLAttribute("ask", value: "subscribe")) }
        if includingState && isPreApproved { attributes.append(XMLAttribute("approved", value: "true")) }
        let children = groups.map { XMLNode.element(XMLElement("group", namespace: Self.namespace, text: $0)) }
        return XMLElement(
            name: XMLQualifiedName("item", namespace: Self.namespace), attributes: attributes, children: children)
    }
}
