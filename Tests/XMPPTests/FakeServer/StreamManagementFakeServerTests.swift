import Testing
import XMPPCore
import XMPPTestSupport

@testable import XMPP

/// XEP-0198 edge cases (security.md H88–H95, P30–P37) over real sockets:
/// the real client, STARTTLS verified against the test CA, SASL PLAIN, and
/// the scripted fake server, which checks every element the client writes
/// and answers with exactly the counters, ids and failures each case
/// needs. The unit suites check the same rules on the ledger and on an
/// embedded channel; these check that they hold end to end, through the
/// reconnecting ``XMPPClient`` where resumption is concerned.
@Suite("XEP-0198 edge cases against the fake server", .timeLimit(.minutes(1)))
struct StreamManagementFakeServerTests {
    typealias T = FakeServerTest
    typealias F = SMFake

    // MARK: P30, H95: counters wrap

    /// A detached session restored as from a snapshot: handled and sent
    /// counts at 2^32 − 3, the server's last `h` two behind, so `w1` and
    /// `w2` (numbers 2^32 − 4 and 2^32 − 3) wait for an acknowledgement.
    static func sessionNearWrap() throws -> DetachedSession {
        let sent = StanzaCount(UInt32.max - 2)
        let acknowledged = StanzaCount(UInt32.max - 4)
        let stanzas = try ["w1", "w2"].enumerated().map { offset, id in
            TrackedStanza(
                token: OutboundStanzaToken(number: UInt64(offset) + 1, isAwaited: false),
                stanza: .element(try F.message(id).element), state: .sent,
                sequenceNumber: acknowledged.advanced(by: UInt32(offset) + 1))
        }
        let snapshot = StreamManagementLedger<OutboundStanzaToken>.Snapshot(
            session: .init(id: "sm-wrap", maximumResumption: nil, location: nil),
            sentCount: sent, acknowledgedCount: acknowledged, handledCount: sent, stanzas: stanzas)
        let ledger = try StreamManagementLedger<OutboundStanzaToken>(
            restoring: snapshot, configuration: StreamManagementConfiguration(requestsResumption: true))
        return DetachedSession(ledger: ledger, boundJID: try FullJID("alice@xmpp.test/r1"), lastOutboundToken: 2)
    }

    @Test("P30/H95: a session resumed at 2^32-3 wraps both counts: <a h/> goes 4294967295, 0, 1, 2; <a h='1'/> completes sendAcknowledged")
    func counterWrap() async throws {
        try await T.withClient(detached: try Self.sessionNearWrap()) { server, harness in
            let connection = try await server.nextConnection()
            try await F.scripted(connection) {
                let resume = try await F.expectResume(connection)
                #expect(resume[attribute: "previd"] == "sm-wrap")
                #expect(resume[attribute: "h"] == "4294967293")
                // h = 2^32 − 4: w1 arrived, w2 did not.
                try await connection.send("<resumed xmlns='urn:xmpp:sm:3' previd='sm-wrap' h='4294967292'/>")
                #expect(F.describe(try await F.read(2, from: connection)) == ["message w2", "r"])
                try await connection.send(F.ack("4294967293"))
                try await harness.waitForSession()
                #expect(harness.sessionsStarted.map(\.resumed) == [true])
                #expect(harness.sessionsStarted.first?.jid.description == "alice@xmpp.test/r1")

                // Inbound: the handled count carries over, then wraps.
                var handled = [try await F.requestAck(connection)]
                for n in 1...5 {
                    handled.append(try await F.requestAck(connection, after: T.chat(id: "in\(n)", body: "\(n)")))
                }
                #expect(handled == ["4294967293", "4294967294", "4294967295", "0", "1", "2"])
                try await harness.messages.wait(for: "5 messages") { $0.count == 5 }
                #expect(harness.messages.all.map(\.id) == ["in1", "in2", "in3", "in4", "in5"])

                // Outbound: o1…o5 are numbered 4294967294, 4294967295, 0, 1, 2.
                for id in ["o1", "o2", "o3"] { try await harness.client.send(try F.message(id)) }
                // Below the request threshold (5): no <r/> between them.
                #expect(F.describe(try await F.read(3, from: connection)) == ["message o1", "message o2", "message o3"])
                harness.sendAcknowledged(try F.message("o4"))
                #expect(F.describe(try await F.read(2, from: connection)) == ["message o4", "r"])
                #expect(harness.acknowledgements.all.isEmpty, "nothing acknowledged o4 yet")
                try await connection.send(F.ack("1"))
                let outcomes = try await harness.acknowledgements.wait(for: "o4's acknowledgement") { !$0.isEmpty }
                #expect(outcomes.map(\.id) == ["o4"])
                #expect((try? outcomes.first?.result.get()) != nil, "<a h='1'/> after the wrap covers o4")

                try await harness.client.send(try F.message("o5"))
                #expect(F.describe([try await connection.read()]) == ["message o5"])
                try await connection.send(F.ack("2"))
                // A round trip, so that the client has taken <a h='2'/> before it closes.
                #expect(try await F.requestAck(connection) == "2")
                let written = try await harness.stop(closing: connection)
                #expect(F.describe(written) == ["a h='2'"], "the final <a/>, no <r/>: nothing is outstanding")
            }
            #expect(harness.notDelivered.isEmpty)
            #expect(F.SessionCheck.disconnections(harness).isEmpty)
        }
    }

    // MARK: P31, H90: h too high

    @Test("P31/H90: <a h='10'/> after 2 stanzas: stream error with handled-count-too-high h='10' send-count='2', session ends")
    func handledCountTooHigh() async throws {
        try await T.withServer { server in
            async let script: (XMLElement, String) = {
                let connection = try await server.nextConnection()
                return try await F.scripted(connection) {
                    try await connection.establishSession(
                        resource: "r1", streamManagementAnswer: "<enabled xmlns='urn:xmpp:sm:3'/>")
                    #expect(F.stanzaIDs(try await F.read(2, from: connection)) == ["m1", "m2"])
                    try await connection.send(F.ack("10"))
                    let error = try await connection.expect(localName: "error", namespace: XMLNamespace.streams)
                    #expect(try await connection.expectStreamEnd().isEmpty)
                    try await connection.waitUntilClosed()
                    #expect(connection.isClosedByClient)
                    let written = connection.transcript.filter { $0.source == .client }.map(\.text).joined()
                    return (error, written)
                }
            }()
            var failure: XMPPClientError?
            do {
                try await XMPPConnection.withConnection(configuration: try T.configuration(port: server.port, resource: "r1")) {
                    connection in
                    try await connection.send(try F.message("m1"))
                    try await connection.send(try F.message("m2"))
                    for try await _ in connection.messages() {}
                }
            } catch let error as XMPPClientError {
                failure = error
            }
            let (error, written) = try await script
            #expect(error.elements.first?.name == XMLQualifiedName("undefined-condition", namespace: XMLNamespace.streamErrors))
            let condition = error.firstChild(named: "handled-count-too-high", namespace: F.namespace)
            #expect(condition?[attribute: "h"] == "10")
            #expect(condition?[attribute: "send-count"] == "2")
            // The exact bytes, as the code writes them (the text child in between is free prose).
            #expect(written.contains("<stream:error><undefined-condition xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"))
            #expect(written.contains("<handled-count-too-high xmlns='urn:xmpp:sm:3' h='10' send-count='2'/></stream:error>"))
            #expect(written.hasSuffix("</stream:error></stream:stream>"))
            #expect(failure?.code == .streamManagementViolation)
            #expect(failure?.sentCondition == .undefinedCondition)
        }
    }

    // MARK: H93, H94: <failed/> to <resume/>

    /// Connection 0: a resumable session `sm-1` on which the client writes
    /// `ids` (those in `awaited` with `sendAcknowledged`), read in order by
    /// the fake server, which then resets the connection. Connection 1
    /// reads `<resume previd='sm-1' h='0'/>`, answers `failed`, and expects
    /// a new bind and `<enable resume='true'/>`, answered with `sm-2`.
    /// - Returns: Connection 1, its session started, for the test to close.
    static func refuseResumption(
        _ server: FakeXMPPServer, _ harness: SMFakeClient, ids: [String], awaited: Set<String>, failed: String
    ) async throws -> FakeXMPPServer.Connection {
        let first = try await server.nextConnection()
        try await F.scripted(first) {
            try await first.establishSession(resource: "r1", streamManagementAnswer: F.enabledResumable("sm-1"))
            try await harness.waitForSession()
            for id in ids {
                // Each read before the next send, so the wire order is the test's.
                if awaited.contains(id) {
                    harness.sendAcknowledged(try F.message(id))
                    #expect(F.describe(try await F.read(2, from: first)) == ["message \(id)", "r"])
                } else {
                    try await harness.client.send(try F.message(id))
                    #expect(F.describe([try await first.read()]) == ["message \(id)"])
                }
            }
            try await first.reset()
        }
        try await harness.waitForDisconnection()
        let second = try await server.nextConnection()
        try await F.scripted(second) {
            let resume = try await F.expectResume(second)
            #expect(resume[attribute: "previd"] == "sm-1" && resume[attribute: "h"] == "0")
            try await second.send(failed)
            let bind = try await second.read()
            #expect(bind.firstChild(named: "bind", namespace: XMLNamespace.bind) != nil, "a new bind follows the refusal")
            try await second.answerBind(bind)
            let enable = try await second.answerEnable(with: F.enabledResumable("sm-2"))
            #expect(enable[attribute: "resume"] == "true")
            try await harness.waitForSession(number: 2)
        }
        return second
    }

    @Test("H93: <failed h='2'/> with 4 unacknowledged: 2 retired, 2 reported (awaited and not), none resent, a new session")
    func failedWithHandledCount() async throws {
        try await T.withClient { server, harness in
            let failed =
                "<failed xmlns='urn:xmpp:sm:3' h='2'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>"
            let second = try await Self.refuseResumption(
                server, harness, ids: ["m1", "m2", "m3", "m4"], awaited: ["m1", "m3"], failed: failed)
            try await F.scripted(second) {
                let outcomes = try await harness.acknowledgements.wait(for: "both awaited outcomes") { $0.count == 2 }
                let byID = Dictionary(outcomes.map { ($0.id, $0.result) }, uniquingKeysWith: { first, _ in first })
                #expect((try? byID["m1"]?.get()) != nil, "h='2' covers m1: its sendAcknowledged returns")
                let m3 = F.SessionCheck.failure(byID["m3"])
                #expect(m3?.code == .notAcknowledged)
                let reason = m3?.underlying as? XMPPClientError
                #expect(reason?.code == .resumptionRefused)
                #expect(reason?.resumptionRefusalCondition == .itemNotFound)

                let reported = harness.notDelivered
                #expect(reported.map(\.ids) == [["m4"]], "m2 was acknowledged, m3 went to its caller")
                #expect(reported.first?.reason.code == .resumptionRefused)
                let sessions = harness.sessionsStarted
                #expect(sessions.map(\.resumed) == [false, false])
                #expect(sessions.last?.failure?.code == .resumptionRefused)
                #expect(sessions.last?.failure?.resumptionRefusalCondition == .itemNotFound)
                let jid = try FullJID("alice@xmpp.test/r1")
                #expect(await harness.client.state == .connected(boundJID: jid, resumed: false))
                #expect(harness.client.continuity.waiterCount == 0)

                let written = try await harness.stop(closing: second)
                #expect(F.stanzaIDs(written).isEmpty, "none of the four is resent")
                #expect(F.describe(written) == ["a h='0'"])
            }
        }
    }

    @Test("H94: <failed/> without h: every unacknowledged stanza is reported, none resent")
    func failedWithoutHandledCount() async throws {
        try await T.withClient { server, harness in
            let second = try await Self.refuseResumption(
                server, harness, ids: ["m1", "m2", "m3"], awaited: ["m1"], failed: "<failed xmlns='urn:xmpp:sm:3'/>")
            try await F.scripted(second) {
                let outcomes = try await harness.acknowledgements.wait(for: "m1's outcome") { !$0.isEmpty }
                let m1 = F.SessionCheck.failure(outcomes.first?.result)
                #expect(m1?.code == .notAcknowledged)
                #expect((m1?.underlying as? XMPPClientError)?.code == .resumptionRefused)
                let reported = harness.notDelivered
                #expect(reported.map(\.ids) == [["m2", "m3"]])
                #expect(reported.first?.reason.code == .resumptionRefused)
                #expect(reported.first?.reason.resumptionRefusalCondition == nil)
                #expect(harness.sessionsStarted.last.map { !$0.resumed && $0.failure?.code == .resumptionRefused } == true)

                let written = try await harness.stop(closing: second)
                #expect(F.stanzaIDs(written).isEmpty, "none of the three is resent")
            }
        }
    }

    // MARK: H88: <resumed/> with another SM-ID

    @Test("H88: <resumed previd='other'/>: stream error undefined-condition, session ends; the next attempt binds anew, never resumes sm-1 twice")
    func resumedWithOtherID() async throws {
        try await T.withClient { server, harness in
            let first = try await server.nextConnection()
            try await F.scripted(first) {
                try await first.establishSession(resource: "r1", streamManagementAnswer: F.enabledResumable("sm-1"))
                try await harness.waitForSession()
                try await harness.client.send(try F.message("m1"))
                try await harness.client.send(try F.message("m2"))
                #expect(F.stanzaIDs(try await F.read(2, from: first)) == ["m1", "m2"])
                try await first.reset()
            }
            try await harness.waitForDisconnection()

            let second = try await server.nextConnection()
            try await F.scripted(second) {
                let resume = try await F.expectResume(second)
                #expect(resume[attribute: "previd"] == "sm-1")
                try await second.send("<resumed xmlns='urn:xmpp:sm:3' previd='other' h='0'/>")
                let error = try await second.expect(localName: "error", namespace: XMLNamespace.streams)
                #expect(error.elements.first?.name == XMLQualifiedName("undefined-condition", namespace: XMLNamespace.streamErrors))
                #expect(try await second.expectStreamEnd().isEmpty, "nothing resent on a stream resumed under another id")
                try await second.waitUntilClosed()
                #expect(second.isClosedByClient)
            }
            let violation = try await harness.waitForDisconnection(number: 2)
            #expect(violation?.code == .streamManagementViolation)
            #expect(violation?.sentCondition == .undefinedCondition)

            let third = try await server.nextConnection()
            try await F.scripted(third) {
                try await third.negotiateUntilAuthenticated(streamFeatures: FakeXMPPServer.Features.bindAndStreamManagement)
                let bind = try await third.read()
                #expect(bind.firstChild(named: "bind", namespace: XMLNamespace.bind) != nil, "a bind, not a second <resume/>")
                try await third.answerBind(bind)
                let enable = try await third.answerEnable(with: F.enabledResumable("sm-3"))
                #expect(enable[attribute: "resume"] == "true")
                try await harness.waitForSession(number: 2)
                let written = try await harness.stop(closing: third)
                #expect(F.stanzaIDs(written).isEmpty, "m1 and m2 are reported, not resent")
            }
            let resumes = server.connections.map { connection in
                connection.transcript.filter { $0.source == .client }.map(\.text).joined().ranges(of: "<resume ").count
            }
            #expect(resumes == [0, 1, 0], "sm-1 was asked for once")
            #expect(harness.sessionsStarted.map(\.resumed) == [false, false])
            #expect(harness.notDelivered.map(\.ids) == [["m1", "m2"]])
            #expect(harness.notDelivered.first?.reason.code == .streamManagementViolation)
        }
    }

    // MARK: P37, H89: a stanza before <enabled/>

    @Test("P37/H89: a message between <enable/> and <enabled/> is delivered but not counted: <a h='0'/>, then h='1'")
    func messageBeforeEnabled() async throws {
        try await T.withServer { server in
            let (gate, open) = AsyncStream<Void>.makeStream()
            async let script: [String?] = {
                defer { open.finish() }
                let connection = try await server.nextConnection()
                return try await F.scripted(connection) {
                    try await connection.negotiateUntilAuthenticated(
                        streamFeatures: FakeXMPPServer.Features.bindAndStreamManagement)
                    try await connection.answerBind(try await connection.read())
                    try await connection.expect(localName: "enable", namespace: F.namespace)
                    try await connection.send(T.chat(id: "early", body: "before enabled"))
                    try await connection.send("<enabled xmlns='urn:xmpp:sm:3'/>")
                    let handled = [
                        try await F.requestAck(connection),
                        try await F.requestAck(connection, after: T.chat(id: "late", body: "after enabled")),
                    ]
                    open.yield()
                    try await T.acceptClose(connection)
                    return handled
                }
            }()
            var received: [String?] = []
            try await XMPPConnection.withConnection(configuration: try T.configuration(port: server.port, resource: "r1")) {
                connection in
                #expect(connection.isStreamManagementEnabled)
                var messages = connection.messages().makeAsyncIterator()
                received.append(try await messages.next()?.id)
                received.append(try await messages.next()?.id)
                // Open until the script has both answers (or gave up).
                for await _ in gate { break }
            }
            #expect(try await script == ["0", "1"])
            #expect(received == ["early", "late"])
        }
    }

    // MARK: P33: exact resend

    @Test("P33: <resumed h='1'/> with 3 outstanding: exactly 2 and 3 again, in order, then <r/>, then what was queued meanwhile")
    func resumedResendsExactly() async throws {
        try await T.withClient { server, harness in
            let first = try await server.nextConnection()
            try await F.scripted(first) {
                try await first.establishSession(resource: "r1", streamManagementAnswer: F.enabledResumable("sm-1"))
                try await harness.waitForSession()
                for id in ["m1", "m2", "m3"] { try await harness.client.send(try F.message(id)) }
                #expect(F.stanzaIDs(try await F.read(3, from: first)) == ["m1", "m2", "m3"])
                try await first.reset()
            }
            try await harness.waitForDisconnection()
            // No session now: these wait in the client's queue.
            try await harness.client.send(try F.message("q1"))
            try await harness.client.send(try F.message("q2"))

            let second = try await server.nextConnection()
            try await F.scripted(second) {
                let resume = try await F.expectResume(second)
                #expect(resume[attribute: "previd"] == "sm-1" && resume[attribute: "h"] == "0")
                try await second.send("<resumed xmlns='urn:xmpp:sm:3' previd='sm-1' h='1'/>")
                let order = F.describe(try await F.read(5, from: second))
                #expect(order == ["message m2", "message m3", "r", "message q1", "message q2"])
                // m2, m3 keep numbers 2 and 3, q1 and q2 get 4 and 5: an h
                // of 5 is exactly everything, and the session goes on.
                try await second.send(F.ack("5"))
                #expect(try await F.requestAck(second) == "0")
                try await harness.waitForSession(number: 2)
                #expect(harness.sessionsStarted.map(\.resumed) == [false, true])
                #expect(harness.sessionsStarted.last?.failure == nil)
                let written = try await harness.stop(closing: second)
                #expect(F.describe(written) == ["a h='0'"], "nothing outstanding, nothing resent twice")
            }
            #expect(harness.notDelivered.isEmpty)
            #expect(F.SessionCheck.disconnections(harness).count == 1)
        }
    }
}

extension SMFake {
    /// Small readers of what the client reported.
    enum SessionCheck {
        /// The error of a failed outcome; `nil` for a success or none.
        static func failure(_ result: Result<Void, XMPPClientError>?) -> XMPPClientError? {
            guard case .failure(let error)? = result else { return nil }
            return error
        }

        /// The `disconnected` events so far.
        static func disconnections(_ harness: SMFakeClient) -> [XMPPClientError] {
            SMFakeClient.disconnections(harness.events.all)
        }
    }
}
