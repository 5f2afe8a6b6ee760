import Testing
import XMPP
import XMPPCore

@testable import XMPPExtensions

/// XEP-0191 blocking: the requests, the blocklist answer, the rules for
/// pushes, and what a change changes.
@Suite(.timeLimit(.minutes(1))) struct BlockingTests {
    static let namespace = "urn:xmpp:blocking"
    let account: BareJID

    init() throws {
        account = try BareJID("alice@example.com")
    }

    func jids(_ strings: String...) throws -> [JID] {
        try strings.map { try JID($0) }
    }

    @Test("Requests: blocklist get, block with items, unblock with items or none (all)")
    func requests() throws {
        #expect(BlocklistRequest().type == .get)
        #expect(BlocklistRequest().payload == XMLElement("blocklist", namespace: Self.namespace))
        let block = BlockRequest(try jids("romeo@example.net", "example.org", "iago@example.com/evil"))
        #expect(block.type == .set)
        #expect(block.payload.name == XMLQualifiedName("block", namespace: Self.namespace))
        #expect(block.payload.children(named: "item", namespace: Self.namespace).map { $0[attribute: "jid"] } == [
            "romeo@example.net", "example.org", "iago@example.com/evil",
        ])
        #expect(UnblockRequest(try jids("romeo@example.net")).payload.elements.count == 1)
        #expect(UnblockRequest([]).payload == XMLElement("unblock", namespace: Self.namespace))
    }

    @Test("The blocklist answer: items in order, invalid or missing jids skipped, repeats merged")
    func blocklistAnswer() throws {
        let result = try TestXML.iq("""
            <iq type='result' id='b1'><blocklist xmlns='urn:xmpp:blocking'>
              <item jid='romeo@example.net'/><item jid='bad@@jid'/><item/><item jid='Romeo@Example.NET'/>
              <item jid='example.org'/><other xmlns='urn:x' jid='x@example.com'/>
            </blocklist></iq>
            """)
        #expect(try BlocklistRequest().response(from: result) == jids("romeo@example.net", "example.org"))
        #expect(try BlocklistRequest().response(from: TestXML.iq("<iq type='result' id='b1'><blocklist xmlns='urn:xmpp:blocking'/></iq>")).isEmpty)
        #expect(throws: StanzaParseError.self) { try BlocklistRequest().response(from: TestXML.iq("<iq type='result' id='b1'/>")) }
        #expect(throws: StanzaParseError.self) {
            try BlocklistRequest().response(from: TestXML.iq("<iq type='result' id='b1'><block xmlns='urn:xmpp:blocking'/></iq>"))
        }
    }

    func push(_ payload: String, from: String? = nil, type: String = "set") throws -> IQ {
        let fromAttribute = from.map { " from='\($0)'" } ?? ""
        return try TestXML.iq("<iq type='\(type)' id='push'\(fromAttribute) to='alice@example.com/phone'>\(payload)</iq>")
    }

    @Test(
        "A push without from or from our bare JID is accepted",
        arguments: [nil, "alice@example.com", "ALICE@example.COM"] as [String?])
    func pushAccepted(from: String?) throws {
        let block = try push("<block xmlns='urn:xmpp:blocking'><item jid='romeo@example.net'/><item jid='example.org'/></block>", from: from)
        #expect(try BlocklistPush.change(in: block, account: account) == .blocked(jids("romeo@example.net", "example.org")))
        let unblock = try push("<unblock xmlns='urn:xmpp:blocking'><item jid='romeo@example.net'/></unblock>", from: from)
        #expect(try BlocklistPush.change(in: unblock, account: account) == .unblocked(jids("romeo@example.net")))
        let all = try push("<unblock xmlns='urn:xmpp:blocking'/>", from: from)
        #expect(try BlocklistPush.change(in: all, account: account) == .unblockedAll)
    }

    @Test(
        "A push from anyone else (another user, our server, our own other resource) is service-unavailable",
        arguments: ["mallory@example.com", "example.com", "alice@example.com/laptop", "alice@example.org"])
    func pushSpoofed(from: String) throws {
        let block = try push("<block xmlns='urn:xmpp:blocking'><item jid='romeo@example.net'/></block>", from: from)
        #expect(throws: StanzaError(.serviceUnavailable)) { try BlocklistPush.change(in: block, account: account) }
    }

    @Test("Malformed pushes are bad-request: a get, an empty block, an invalid or missing jid, another payload")
    func pushMalformed() throws {
        let cases = [
            try push("<block xmlns='urn:xmpp:blocking'><item jid='romeo@example.net'/></block>", type: "get"),
            try push("<block xmlns='urn:xmpp:blocking'/>"),
            try push("<block xmlns='urn:xmpp:blocking'><item jid='romeo@example.net'/><item jid='bad@@jid'/></block>"),
            try push("<unblock xmlns='urn:xmpp:blocking'><item/></unblock>"),
            try push("<blocklist xmlns='urn:xmpp:blocking'><item jid='romeo@example.net'/></blocklist>"),
        ]
        for request in cases {
            #expect(throws: StanzaError(.badRequest)) { try BlocklistPush.change(in: request, account: account) }
        }
    }

    @Test("A change reports only what it changes; repeating it changes nothing")
    func stateChanges() throws {
        var state = BlocklistState()
        state.replace(with: try jids("romeo@example.net", "romeo@example.net", "example.org"))
        #expect(state.jids == (try jids("romeo@example.net", "example.org")))
        #expect(state.apply(.blocked(try jids("romeo@example.net", "iago@example.com"))) == .blocked(try jids("iago@example.com")))
        #expect(state.apply(.blocked(try jids("iago@example.com"))) == nil)
        #expect(state.apply(.unblocked(try jids("nobody@example.com", "example.org"))) == .unblocked(try jids("example.org")))
        #expect(state.apply(.unblocked(try jids("example.org"))) == nil)
        #expect(state.apply(.unblockedAll) == .unblockedAll)
        #expect(state.jids.isEmpty)
        #expect(state.apply(.unblockedAll) == nil)
    }

    @Test("Matching: a listed JID, its bare JID, or its domain blocks it")
    func matching() throws {
        var state = BlocklistState()
        state.replace(with: try jids("romeo@example.net", "example.org", "iago@example.com/evil"))
        for blocked in ["romeo@example.net", "romeo@example.net/orchard", "anyone@example.org/x", "example.org", "iago@example.com/evil"] {
            #expect(state.blocks(try JID(blocked)), "\(blocked)")
        }
        for free in ["juliet@example.net", "iago@example.com", "iago@example.com/good", "example.net"] {
            #expect(!state.blocks(try JID(free)), "\(free)")
        }
    }

    @Test("An error with <blocked xmlns='urn:xmpp:blocking:errors'/> is recognised")
    func blockedError() throws {
        let message = try Message(element: TestXML.element("""
            <message type='error' from='romeo@example.net'><error type='cancel'>
              <not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
              <blocked xmlns='urn:xmpp:blocking:errors'/>
            </error></message>
            """))
        #expect(message.error?.isBlockedError == true)
        #expect(StanzaError(.notAcceptable).isBlockedError == false)
        #expect(BlockingError.notSupported.description == "blocking: not supported by the server")
    }

    @Test("Hostile sizes: blocking and unblocking 20,000 JIDs against a list of 20,000 costs linear time")
    func hostileSizes() throws {
        let count = 20_000
        let listed = try (0..<count).map { try JID("user\($0)@example.com") }
        let pushed = try (count / 2..<count + count / 2).map { try JID("user\($0)@example.com") }
        var state = BlocklistState()
        state.replace(with: listed)
        #expect(state.apply(.blocked(pushed)) == .blocked(Array(pushed[(count / 2)...])))
        #expect(state.jids.count == count + count / 2)
        #expect(state.apply(.unblocked(listed)) == .unblocked(listed))
        #expect(state.jids == Array(pushed[(count / 2)...]))
    }
}
