import Testing
import XMPPCore

@testable import XMPP

/// Inbound IQ requests through the pure machine (routing, the automatic
/// answers) and `IQRequestHandler.reply(to:)` (what a handler's outcome
/// becomes on the wire).
@Suite struct IQInboundRoutingTests {
    typealias T = SessionTest
    typealias Key = IQRequestRoutes.Key

    static let pingKey = Key(namespace: "urn:xmpp:ping", localName: "ping")

    static func get(_ payload: String, id: String = "s1", from: String? = "bob@example.com/phone") throws -> XMLElement {
        try XMLTestParsing.element(
            "<iq type='get' id='\(id)'\(from.map { " from='\($0)'" } ?? "") to='alice@example.com/r1'>\(payload)</iq>")
    }

    // MARK: Routing

    @Test("No handler: service-unavailable to the sender, same id, no from; nothing delivered")
    func unhandled() throws {
        var machine = T.established()
        let request = try Self.get("<query xmlns='jabber:iq:version'/>")
        let actions = machine.received(element: request, bytesFollowing: 0)
        let answer = try XMLTestParsing.element(
            "<iq id='s1' to='bob@example.com/phone' type='error'><error type='cancel'>"
                + "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>")
        #expect(actions == [.dropped(request, .unhandledRequest), .writeElement(answer)])
    }

    @Test("A request from our own server (no from) is answered without to")
    func unhandledFromServer() throws {
        var machine = T.established()
        let request = try Self.get("<ping xmlns='urn:xmpp:ping'/>", from: nil)
        let written = machine.received(element: request, bytesFollowing: 0).writtenElements
        #expect(written.count == 1)
        #expect(written.first?[attribute: "to"] == nil)
        #expect(written.first?[attribute: "from"] == nil)
        #expect(written.first?[attribute: "type"] == "error")
    }

    @Test("A registered handler gets the request; an exact name wins over its namespace")
    func handled() throws {
        var machine = T.established()
        let wildcard = try machine.registerRequestHandler(Key(namespace: "urn:xmpp:ping", localName: nil)) { _ in nil }
        let exact = try machine.registerRequestHandler(Self.pingKey) { _ in nil }

        let ping = try Self.get("<ping xmlns='urn:xmpp:ping'/>")
        #expect(machine.received(element: ping, bytesFollowing: 0) == [.handleRequest(try IQ(element: ping), exact)])
        let other = try Self.get("<pong xmlns='urn:xmpp:ping'/>")
        #expect(machine.received(element: other, bytesFollowing: 0) == [.handleRequest(try IQ(element: other), wildcard)])

        machine.unregisterRequestHandler(exact)
        #expect(machine.received(element: ping, bytesFollowing: 0) == [.handleRequest(try IQ(element: ping), wildcard)])
        machine.unregisterRequestHandler(wildcard)
        #expect(machine.received(element: ping, bytesFollowing: 0).writtenElements.count == 1, "service-unavailable again")
    }

    @Test("One handler per payload: a second registration is refused; a stale unregister keeps the newer handler")
    func registration() throws {
        var machine = T.established()
        let first = try machine.registerRequestHandler(Self.pingKey) { _ in nil }
        let error = #expect(throws: XMPPClientError.self) {
            try machine.registerRequestHandler(Self.pingKey) { _ in nil }
        }
        #expect(error?.code == .handlerAlreadyRegistered)
        #expect(error?.description.contains("{urn:xmpp:ping}ping") == true)

        machine.unregisterRequestHandler(first)
        let second = try machine.registerRequestHandler(Self.pingKey) { _ in nil }
        machine.unregisterRequestHandler(first)
        let ping = try Self.get("<ping xmlns='urn:xmpp:ping'/>")
        #expect(machine.received(element: ping, bytesFollowing: 0) == [.handleRequest(try IQ(element: ping), second)])
    }

    @Test("No registration before the session is established")
    func registrationTooEarly() {
        var machine = T.binding()
        #expect(throws: XMPPClientError.self) { try machine.registerRequestHandler(Self.pingKey) { _ in nil } }
    }

    @Test(
        "A malformed request is answered with the parse error's condition and not delivered",
        arguments: [
            ("<iq type='get' id='m1' from='bob@example.com/phone'/>", "bad-request"),
            ("<iq type='set' id='m2' from='bob@example.com/phone'><a xmlns='x'/><b xmlns='x'/></iq>", "bad-request"),
            ("<iq type='get' id='m3' from='bob@@example.com'><ping xmlns='urn:xmpp:ping'/></iq>", "jid-malformed"),
            ("<iq type='subscribe' id='m4' from='bob@example.com/phone'><ping xmlns='urn:xmpp:ping'/></iq>", "bad-request"),
        ])
    func malformedRequest(xml: String, condition: String) throws {
        var machine = T.established()
        let element = try XMLTestParsing.element(xml)
        let actions = machine.received(element: element, bytesFollowing: 0)
        guard case .dropped(element, .malformed)? = actions.first else {
            Issue.record("\(actions)")
            return
        }
        let answer = try #require(actions.writtenElements.first)
        #expect(answer[attribute: "type"] == "error")
        #expect(answer[attribute: "id"] == element[attribute: "id"])
        #expect(answer[attribute: "from"] == nil)
        let error = try #require(answer.elements.first)
        #expect(error.elements.first?.name.localName == condition)
    }

    @Test("A malformed response is dropped without an answer (never answer a response)")
    func malformedResponse() throws {
        var machine = T.established()
        for xml in ["<iq type='error' id='q-9'/>", "<iq type='result' id='q-9' from='a@@b'/>", "<iq type='result'/>"] {
            let element = try XMLTestParsing.element(xml)
            let actions = machine.received(element: element, bytesFollowing: 0)
            #expect(actions.count == 1)
            #expect(actions.writtenElements.isEmpty)
            if case .dropped(_, .malformed) = actions.first {} else { Issue.record("\(xml): \(actions)") }
        }
    }

    @Test("After our stream close a request can no longer be answered: dropped; a message is still delivered")
    func closing() throws {
        var machine = T.established()
        _ = try machine.registerRequestHandler(Self.pingKey) { _ in nil }
        _ = machine.closeRequested()
        let ping = try Self.get("<ping xmlns='urn:xmpp:ping'/>")
        #expect(machine.received(element: ping, bytesFollowing: 0) == [.dropped(ping, .sessionClosing)])
        #expect(machine.received(element: T.chat, bytesFollowing: 0) == [.deliver(T.chat)])
    }

    // MARK: What a handler's outcome becomes

    static func handler(_ body: @escaping IQRequestHandler.Body) -> IQRequestHandler {
        IQRequestHandler(key: pingKey, registration: 1, body: body)
    }

    static let request = IQ(
        type: .get, id: "v1", to: try! JID("alice@example.com/r1"), from: try! JID("bob@example.com/phone"),
        payload: XMLElement("query", namespace: "jabber:iq:version"))

    @Test("A returned element becomes the result's payload; to the sender, same id, no from")
    func replyWithPayload() async throws {
        let version = XMLElement(
            "query", namespace: "jabber:iq:version",
            children: [.element(XMLElement("name", namespace: "jabber:iq:version", text: "swift-xmpp"))])
        let reply = await Self.handler { _ in version }.reply(to: Self.request)
        #expect(reply == IQ(type: .result, id: "v1", to: try JID("bob@example.com/phone"), payload: version))
    }

    @Test("nil becomes an empty result")
    func replyEmpty() async throws {
        let reply = await Self.handler { _ in nil }.reply(to: Self.request)
        #expect(reply == IQ(type: .result, id: "v1", to: try JID("bob@example.com/phone")))
    }

    @Test("A thrown StanzaError is sent as it is, text and application condition included")
    func replyStanzaError() async throws {
        let refusal = StanzaError(
            .forbidden, text: "not for you", applicationCondition: XMLElement("quota", namespace: "urn:example"))
        let reply = await Self.handler { _ in throw refusal }.reply(to: Self.request)
        #expect(reply.type == .error)
        #expect(reply.error == refusal)
        #expect(reply.to == (try JID("bob@example.com/phone")) && reply.from == nil && reply.id == "v1")
    }

    @Test("Any other error becomes internal-server-error without text: nothing of the application leaks")
    func replyOtherError() async throws {
        let reply = await Self.handler { _ in throw SecretDatabaseFailure() }.reply(to: Self.request)
        #expect(reply.error == StanzaError(.internalServerError))
        #expect(reply.error?.text == nil)
        #expect(!"\(reply.element)".contains("secret"))
        let cancelled = await Self.handler { _ in throw CancellationError() }.reply(to: Self.request)
        #expect(cancelled.error?.condition == .internalServerError)
    }
}
