import Testing
import XMPP
import XMPPCore

@testable import XMPPExtensions

/// security.md §6 group F, carbon cases: spoofed carbons are ignored, not
/// unwrapped, and nothing surfaces as coming from the forged sender.
@Suite struct HostileCarbonsTests {
    func carbon(from: String) -> String {
        """
        <message from='\(from)' to='alice@example.com/phone' type='chat'>\
        <received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>\
        <message xmlns='jabber:client' from='boss@corp.example' to='alice@example.com/laptop' type='chat' id='c1'>\
        <body>wire the money</body></message></forwarded></received></message>
        """
    }

    @Test("H72: a carbon from mallory@evil is ignored; nothing surfaces as from boss")
    func H72_carbonFromStranger() throws {
        let reading = try ChatAccount.read(carbon(from: "mallory@evil.example"))
        #expect(reading.ignoredReason == .untrustedCarbon)
        #expect(reading.message?.peer != (try JID("boss@corp.example")))
        #expect(reading.message?.body != "wire the money")
    }

    @Test("H73: a carbon from our own full JID or our server domain is ignored (bare JID only)", arguments: [
        "alice@example.com/laptop", "example.com",
    ])
    func H73_carbonFromFullJIDOrDomain(from: String) throws {
        let reading = try ChatAccount.read(carbon(from: from))
        #expect(reading.ignoredReason == .untrustedCarbon)
        #expect(reading.message == nil)
    }

    @Test("H72/H73 positive control: the same carbon from our bare JID is unwrapped")
    func carbonFromBareJID() throws {
        let reading = try ChatAccount.read(carbon(from: "alice@example.com"))
        #expect(reading.message?.peer == (try JID("boss@corp.example")))
    }
}

/// security.md §6 H78: a forged stanza-id is never trusted unless our
/// server advertises urn:xmpp:sid:0; one "by" someone else never is.
@Suite struct HostileStanzaIDTests {
    static let forged = """
        <message from='mallory@evil.example/x' to='alice@example.com/phone' type='chat' id='m1'>\
        <body>hi</body><stanza-id xmlns='urn:xmpp:sid:0' id='X' by='alice@example.com'/>\
        <origin-id xmlns='urn:xmpp:sid:0' id='O'/></message>
        """

    @Test("H78: a stanza-id by our bare JID sent by a remote user is dropped unless sid:0 is advertised")
    func H78_forgedStanzaID() throws {
        let reading = try ChatAccount.read(Self.forged)
        #expect(reading.message != nil, "the message itself is delivered")
        #expect(reading.resolved(trustingStanzaIDs: false)?.stanzaID == nil)
    }
}
