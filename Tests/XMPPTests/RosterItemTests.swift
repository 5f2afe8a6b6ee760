import Testing
import XMPPCore

@testable import XMPP

/// RFC 6121 §2.1.2: `<item/>` vectors, valid and invalid, and the elements
/// built for caches and roster sets.
@Suite struct RosterItemTests {
    static func item(_ xml: String) throws -> RosterItem {
        try RosterItem(element: XMLTestParsing.element(xml))
    }

    @Test("A full item: normalised JID, name, subscription, ask, groups without duplicates")
    func full() throws {
        let item = try Self.item(
            "<item xmlns='jabber:iq:roster' jid='Carol@Example.COM' name='Carol' subscription='both' ask='subscribe'>"
                + "<group>Friends</group><group>Work</group><group>Friends</group></item>")
        #expect(item.jid == (try BareJID("carol@example.com")))
        #expect(item.name == "Carol")
        #expect(item.subscription == .both)
        #expect(item.isSubscriptionPending)
        #expect(item.groups == ["Friends", "Work"])
    }

    @Test("A minimal item: subscription none, no name (an empty name is none), not pending, no groups")
    func minimal() throws {
        let item = try Self.item("<item xmlns='jabber:iq:roster' jid='example.org' name=''/>")
        #expect(item == RosterItem(jid: try BareJID("example.org")))
        #expect(item.subscription == .none && item.name == nil && !item.isSubscriptionPending && item.groups.isEmpty)
    }

    @Test("Every subscription value", arguments: RosterItem.Subscription.allCases)
    func subscriptions(_ subscription: RosterItem.Subscription) throws {
        let item = try Self.item("<item xmlns='jabber:iq:roster' jid='bob@example.com' subscription='\(subscription.rawValue)'/>")
        #expect(item.subscription == subscription)
    }

    @Test(
        "Invalid items are refused with a StanzaParseError, never a crash",
        arguments: [
            ("<item xmlns='jabber:iq:roster'/>", StanzaParseError.Kind.missingAttribute),
            ("<item xmlns='jabber:iq:roster' jid='bob@example.com/phone'/>", .malformedAddress),
            ("<item xmlns='jabber:iq:roster' jid='@example.com'/>", .malformedAddress),
            ("<item xmlns='jabber:iq:roster' jid='bob@'/>", .malformedAddress),
            ("<item xmlns='jabber:iq:roster' jid=''/>", .malformedAddress),
            ("<item xmlns='jabber:iq:roster' jid='bob@exa mple.com'/>", .malformedAddress),
            ("<item xmlns='jabber:iq:roster' jid='bob@example.com' subscription='sometimes'/>", .invalidAttribute),
            ("<item xmlns='jabber:iq:roster' jid='bob@example.com' subscription='Both'/>", .invalidAttribute),
            ("<item xmlns='jabber:iq:roster' jid='bob@example.com' ask='unsubscribe'/>", .invalidAttribute),
            ("<item xmlns='jabber:iq:roster' jid='bob@example.com' approved='yes'/>", .invalidAttribute),
            ("<item xmlns='jabber:iq:roster' jid='bob@example.com'><group/></item>", .invalidChild),
            ("<item xmlns='urn:other' jid='bob@example.com'/>", .unexpectedElement),
            ("<contact xmlns='jabber:iq:roster' jid='bob@example.com'/>", .unexpectedElement),
        ])
    func invalid(xml: String, kind: StanzaParseError.Kind) throws {
        let element = try XMLTestParsing.element(xml)
        let error = #expect(throws: StanzaParseError.self) { try RosterItem(element: element) }
        #expect(error?.kind == kind)
    }

    @Test("The built element round-trips; a roster set leaves out subscription and ask except remove")
    func build() throws {
        let item = RosterItem(
            jid: try BareJID("carol@example.com"), name: "Carol <3", subscription: .to, isSubscriptionPending: true,
            isPreApproved: true, groups: ["Friends", "Work & Play"])
        let element = item.element
        #expect(element.name == XMLQualifiedName("item", namespace: "jabber:iq:roster"))
        #expect(element[attribute: "subscription"] == "to" && element[attribute: "ask"] == "subscribe")
        #expect(element[attribute: "approved"] == "true")
        #expect(try RosterItem(element: element) == item)

        let set = item.setElement
        #expect(set[attribute: "jid"] == "carol@example.com" && set[attribute: "name"] == "Carol <3")
        #expect(set[attribute: "subscription"] == nil && set[attribute: "ask"] == nil && set[attribute: "approved"] == nil)
        #expect(set.children(named: "group", namespace: "jabber:iq:roster").map(\.text) == ["Friends", "Work & Play"])

        let removal = RosterItem(jid: try BareJID("carol@example.com"), subscription: .remove)
        #expect(removal.setElement[attribute: "subscription"] == "remove")
        #expect(RosterItem(jid: try BareJID("example.org")).element[attribute: "subscription"] == nil)
    }

    @Test("approved: 'true' and '1' pre-approve, 'false', '0' and absence do not", arguments: [
        ("true", true), ("1", true), ("false", false), ("0", false),
    ])
    func preApproval(value: String, expected: Bool) throws {
        let element = try XMLTestParsing.element(
            "<item xmlns='jabber:iq:roster' jid='bob@example.com' approved='\(value)'/>")
        #expect(try RosterItem(element: element).isPreApproved == expected)
        #expect(try RosterItem(element: XMLTestParsing.element("<item xmlns='jabber:iq:roster' jid='bob@example.com'/>")).isPreApproved == false)
    }

    @Test("InMemoryRosterCache: nothing, then the last store")
    func cache() throws {
        let cache = InMemoryRosterCache()
        #expect(cache.load() == nil)
        let bob = RosterItem(jid: try BareJID("bob@example.com"))
        cache.store(version: "1", items: [bob])
        cache.store(version: "2", items: [])
        #expect(cache.load()?.version == "2" && cache.load()?.items == [])
    }
}
