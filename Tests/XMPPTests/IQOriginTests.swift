import Testing
import XMPPCore

@testable import XMPP

/// Who may answer an IQ request (RFC 6120 §10.1, security.md P24, H74,
/// H75): the table, for alice@example.com bound as alice@example.com/r1.
@Suite struct IQOriginTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var to: String?
        var from: String?
        var accepted: Bool
        var why: String

        var testDescription: String {
            "to \(to ?? "(none)") ← from \(from ?? "(none)"): \(accepted ? "accept" : "refuse") (\(why))"
        }
    }

    static let cases: [Case] = [
        // Requests without `to`: our account answers, through our server.
        Case(to: nil, from: nil, accepted: true, why: "the server answers without from"),
        Case(to: nil, from: "alice@example.com", accepted: true, why: "our bare JID"),
        Case(to: nil, from: "example.com", accepted: true, why: "our server's domain"),
        Case(to: nil, from: "EXAMPLE.com", accepted: true, why: "the domain, normalised"),
        Case(to: nil, from: "Alice@Example.COM", accepted: true, why: "our bare JID, normalised"),
        Case(to: nil, from: "alice@example.com/r1", accepted: false, why: "our own full JID does not answer for the account"),
        Case(to: nil, from: "alice@example.com/laptop", accepted: false, why: "another resource of ours"),
        Case(to: nil, from: "mallory@example.com", accepted: false, why: "another user on our server (H75)"),
        Case(to: nil, from: "mallory@evil.example", accepted: false, why: "another user elsewhere (H75)"),
        Case(to: nil, from: "evil.example", accepted: false, why: "another server"),
        Case(to: nil, from: "example.com/admin", accepted: false, why: "a resource of the domain is not the domain"),
        Case(to: nil, from: "alice@other.example", accepted: false, why: "our localpart at another domain"),
        // Requests to our own bare JID (roster): the bare JID or no from.
        Case(to: "alice@example.com", from: "alice@example.com", accepted: true, why: "our bare JID"),
        Case(to: "alice@example.com", from: nil, accepted: true, why: "the server on behalf of the account"),
        Case(to: "alice@example.com", from: "alice@example.com/laptop", accepted: false, why: "another resource of ours"),
        Case(to: "alice@example.com", from: "example.com", accepted: false, why: "not who it was sent to"),
        Case(to: "alice@example.com", from: "mallory@evil.example", accepted: false, why: "another user"),
        // Requests to a full JID: exactly that full JID.
        Case(to: "bob@example.com/phone", from: "bob@example.com/phone", accepted: true, why: "the recipient"),
        Case(to: "bob@example.com/phone", from: "BOB@example.com/phone", accepted: true, why: "the recipient, normalised"),
        Case(to: "bob@example.com/phone", from: "bob@example.com", accepted: false, why: "the bare JID is not the full JID"),
        Case(to: "bob@example.com/phone", from: "bob@example.com/laptop", accepted: false, why: "another resource of bob's"),
        Case(to: "bob@example.com/phone", from: "bob@example.com/Phone", accepted: false, why: "resources are case-sensitive"),
        Case(to: "bob@example.com/phone", from: nil, accepted: false, why: "no from is our own server, not bob (H74)"),
        Case(to: "bob@example.com/phone", from: "example.com", accepted: false, why: "our server is not bob"),
        Case(to: "bob@example.com/phone", from: "alice@example.com", accepted: false, why: "our own bare JID is not bob"),
        Case(to: "bob@example.com/phone", from: "mallory@evil.example/phone", accepted: false, why: "spoofing user (H74)"),
        // Requests to a bare JID or a domain: exactly that address.
        Case(to: "bob@example.com", from: "bob@example.com", accepted: true, why: "the recipient"),
        Case(to: "bob@example.com", from: "bob@example.com/phone", accepted: false, why: "a full JID is not the bare JID asked"),
        Case(to: "example.com", from: "example.com", accepted: true, why: "the server, asked by name"),
        Case(to: "example.com", from: nil, accepted: false, why: "asked by name, the server must say so"),
        Case(to: "conference.example.com", from: "example.com", accepted: false, why: "the parent domain is another entity"),
        // Requests to our own full JID (to ourselves): exactly that.
        Case(to: "alice@example.com/r1", from: "alice@example.com/r1", accepted: true, why: "ourselves"),
        Case(to: "alice@example.com/r1", from: nil, accepted: false, why: "no from is not our full JID"),
    ]

    @Test("Who may answer", arguments: cases)
    func origin(_ test: Case) throws {
        let account = try BareJID("alice@example.com")
        let accepted = PendingIQLedger.acceptsResponse(
            from: try test.from.map { try JID($0) }, toRequestSentTo: try test.to.map { try JID($0) }, account: account)
        #expect(accepted == test.accepted, "\(test.why)")
    }

    @Test("Normalisation: an NFD spelling of our localpart is our bare JID (compared after normalisation, H81)")
    func unicode() throws {
        let account = try BareJID("\u{E9}lise@example.com")
        let decomposed = try JID("e\u{301}lise@example.com")
        #expect(PendingIQLedger.acceptsResponse(from: decomposed, toRequestSentTo: nil, account: account))
        let other = try JID("elise@example.com")
        #expect(!PendingIQLedger.acceptsResponse(from: other, toRequestSentTo: nil, account: account))
    }
}
