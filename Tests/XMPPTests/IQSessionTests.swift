import Testing
import XMPPCore

@testable import XMPP

/// IQ traffic through the pure `SessionStateMachine`, as transcripts:
/// requests out, responses matched (or dropped), inbound requests routed,
/// deadlines, the end of the session. The account is alice@example.com,
/// bound as alice@example.com/r1; request ids are `q-1`, `q-2`, …
@Suite struct IQSessionTests {
    typealias T = SessionTest

    static let ping = XMLElement("ping", namespace: "urn:xmpp:ping")
    static let bob = try! JID("bob@example.com/phone")
    static let now = MonotonicInstant(nanoseconds: 1_000_000_000)

    static func instant(seconds: Int) -> MonotonicInstant {
        now.advanced(by: .seconds(seconds))
    }

    /// Parses server XML into the element the reader would produce.
    static func element(_ xml: String) throws -> XMLElement {
        try XMLTestParsing.element(xml)
    }

    /// An established machine with one ping in flight to `to`.
    static func pinging(_ to: JID? = bob, timeout: Duration? = nil) throws -> (SessionStateMachine, String) {
        var machine = T.established()
        let (id, _) = try machine.sendRequest(.get, payload: ping, to: to, timeout: timeout, now: now)
        return (machine, id)
    }

    // MARK: Sending

    @Test("A request: the IQ with a fresh id, and the timer at now + the configured 30 s")
    func send() throws {
        var machine = T.established()
        let (id, actions) = try machine.sendRequest(.get, payload: Self.ping, to: Self.bob, timeout: nil, now: Self.now)
        #expect(id == "q-1")
        let iq = IQ(type: .get, id: "q-1", to: Self.bob, payload: Self.ping)
        #expect(actions == [.writeElement(iq.element), .scheduleRequestTimer(Self.instant(seconds: 30))])

        let (second, more) = try machine.sendRequest(.set, payload: Self.ping, to: nil, timeout: .seconds(60), now: Self.now)
        #expect(second == "q-2")
        #expect(more == [.writeElement(IQ(type: .set, id: "q-2", payload: Self.ping).element)], "a later deadline: no new timer")

        let (_, sooner) = try machine.sendRequest(.get, payload: Self.ping, to: nil, timeout: .seconds(5), now: Self.now)
        #expect(sooner.last == .scheduleRequestTimer(Self.instant(seconds: 5)), "an earlier deadline moves the timer")
    }

    @Test("No request before the session is established or after it closed; none with a timeout that is not positive")
    func sendRefused() throws {
        var binding = T.binding()
        let early = #expect(throws: XMPPClientError.self) {
            try binding.sendRequest(.get, payload: Self.ping, to: nil, timeout: nil, now: Self.now)
        }
        #expect(early?.code == .connectionClosed)

        var closing = T.established()
        _ = closing.closeRequested()
        let late = #expect(throws: XMPPClientError.self) {
            try closing.sendRequest(.get, payload: Self.ping, to: nil, timeout: nil, now: Self.now)
        }
        #expect(late?.code == .connectionClosed)

        var machine = T.established()
        for timeout in [Duration.zero, .seconds(-1)] {
            let error = #expect(throws: XMPPClientError.self) {
                try machine.sendRequest(.get, payload: Self.ping, to: nil, timeout: timeout, now: Self.now)
            }
            #expect(error?.code == .invalidConfiguration)
        }
        #expect(machine.requests.isEmpty)
    }

    @Test("timeouts.iq: 30 s by default, configurable, refused unless positive")
    func configuredTimeout() throws {
        var configuration = XMPPConnection.Configuration(jid: try BareJID("alice@example.com"), password: "p")
        #expect(configuration.timeouts.iq == .seconds(30))
        #expect(configuration.timeouts.description.contains("iq: 30.0 seconds"))
        configuration.timeouts.iq = .seconds(3)
        #expect(try configuration.sessionConfiguration().timeouts.duration(of: .iqRequest) == .seconds(3))
        configuration.timeouts.iq = .zero
        let error = #expect(throws: XMPPClientError.self) { try configuration.sessionConfiguration() }
        #expect(error?.code == .invalidConfiguration)
    }

    // MARK: Responses

    @Test("The result from the recipient completes the request; it is not delivered")
    func result() throws {
        var (machine, id) = try Self.pinging()
        let result = try Self.element("<iq type='result' id='\(id)' from='bob@example.com/phone' to='alice@example.com/r1'/>")
        let actions = machine.received(element: result, bytesFollowing: 0)
        #expect(actions == [.completeRequest(id, .response(try IQ(element: result)))])
        #expect(machine.requests.isEmpty)
    }

    @Test("An error answer fails the request with stanzaError carrying the condition")
    func errorAnswer() throws {
        var (machine, id) = try Self.pinging()
        let answer = try Self.element(
            "<iq type='error' id='\(id)' from='bob@example.com/phone'><error type='cancel'>"
                + "<feature-not-implemented xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>")
        let actions = machine.received(element: answer, bytesFollowing: 0)
        guard case .completeRequest(id, .failed(let error))? = actions.first, actions.count == 1 else {
            Issue.record("\(actions)")
            return
        }
        #expect(error.code == .stanzaError)
        #expect(error.stanzaError?.condition == .featureNotImplemented)
        #expect(error.stanzaError?.type == .cancel)
    }

    @Test("A spoofed result from another user is dropped; the request keeps waiting; the real one completes it (H74)")
    func spoofedThenReal() throws {
        var (machine, id) = try Self.pinging()
        for from in ["mallory@evil.example/phone", "bob@example.com", "bob@example.com/laptop", nil] {
            let spoof = try Self.element(
                "<iq type='result' id='\(id)'\(from.map { " from='\($0)'" } ?? "")><query xmlns='evil'/></iq>")
            #expect(machine.received(element: spoof, bytesFollowing: 0) == [.dropped(spoof, .unexpectedOrigin)])
        }
        #expect(machine.requests.entries[id] != nil)
        let real = try Self.element("<iq type='result' id='\(id)' from='bob@example.com/phone'/>")
        #expect(machine.received(element: real, bytesFollowing: 0) == [.completeRequest(id, .response(try IQ(element: real)))])
    }

    @Test("A request without to: answered by our server (no from) but not by a spoofer on our server (H75)")
    func withoutTo() throws {
        var (machine, id) = try Self.pinging(nil)
        let spoof = try Self.element("<iq type='result' id='\(id)' from='mallory@example.com'/>")
        #expect(machine.received(element: spoof, bytesFollowing: 0) == [.dropped(spoof, .unexpectedOrigin)])
        let real = try Self.element("<iq type='result' id='\(id)'/>")
        #expect(machine.received(element: real, bytesFollowing: 0) == [.completeRequest(id, .response(try IQ(element: real)))])
    }

    @Test("A late answer to one of ours is dropped; an answer to an IQ the application sent itself is delivered")
    func unmatched() throws {
        var (machine, id) = try Self.pinging()
        _ = machine.finishRequest(id, .cancelled)
        let late = try Self.element("<iq type='result' id='\(id)' from='bob@example.com/phone'/>")
        #expect(machine.received(element: late, bytesFollowing: 0) == [.dropped(late, .lateResponse)])
        let foreign = try Self.element("<iq type='result' id='app-7' from='bob@example.com/phone'/>")
        #expect(machine.received(element: foreign, bytesFollowing: 0) == [.deliver(foreign)])
    }

    @Test("Messages and presences are delivered as before")
    func otherStanzas() throws {
        var machine = T.established()
        #expect(machine.received(element: T.chat, bytesFollowing: 0) == [.deliver(T.chat)])
        let presence = Presence(from: Self.bob).element
        #expect(machine.received(element: presence, bytesFollowing: 0) == [.deliver(presence)])
    }

    // MARK: Time, cancellation, the end of the session

    @Test("The timer fires: the request fails with timeout(iqRequest); the session goes on")
    func timeout() throws {
        var (machine, id) = try Self.pinging(timeout: .seconds(5))
        let actions = machine.requestTimerFired(at: Self.instant(seconds: 5))
        #expect(actions == [.completeRequest(id, .failed(.timeout(.iqRequest)))])
        if case .completeRequest(_, .failed(let error))? = actions.first {
            #expect(error.step == .iqRequest)
        }
        #expect(machine.isEstablished)
        #expect(try machine.send(stanza: T.chat) == [.writeElement(T.chat)])
    }

    @Test("Cancelled: completed as cancelled once; a second cancel does nothing")
    func cancelled() throws {
        var (machine, id) = try Self.pinging()
        #expect(machine.finishRequest(id, .cancelled) == [.completeRequest(id, .cancelled)])
        #expect(machine.finishRequest(id, .cancelled) == [])
    }

    @Test("A stream error ends the session: every request fails with it, oldest first, before the session's failure")
    func streamErrorFailsAll() throws {
        var (machine, first) = try Self.pinging()
        let (second, _) = try machine.sendRequest(.get, payload: Self.ping, to: nil, timeout: nil, now: Self.now)
        let actions = machine.received(element: T.streamError(.conflict), bytesFollowing: 0)
        let error = XMPPClientError.streamError(StreamError(.conflict))
        #expect(
            actions == [
                .writeStreamClose, .completeRequest(first, .failed(error)), .completeRequest(second, .failed(error)),
                .cancelRequestTimer, .fail(error), .closeConnection,
            ])
    }

    @Test("The connection drops: every request fails with connectionClosed")
    func channelInactiveFailsAll() throws {
        var (machine, id) = try Self.pinging()
        let actions = machine.channelInactive()
        guard case .completeRequest(id, .failed(let error)) = actions.first else {
            Issue.record("\(actions)")
            return
        }
        #expect(error.code == .connectionClosed)
        #expect(actions.contains(.cancelRequestTimer))
        #expect(actions.failure?.code == .connectionClosed)
    }

    @Test("The application closes: requests fail with connectionClosed; the handlers are gone")
    func closeFailsAll() throws {
        var (machine, id) = try Self.pinging()
        _ = try machine.registerRequestHandler(.init(namespace: "urn:xmpp:ping", localName: nil)) { _ in nil }
        let actions = machine.closeRequested()
        #expect(actions.first == .writeStreamClose)
        #expect(actions.contains(.completeRequest(id, .failed(.connectionClosed(detail: "the session was closed")))))
        #expect(machine.requestHandlers.isEmpty)
    }
}
