import Foundation
import Testing
import XMPPCore
import XMPPTestSupport

@testable import XMPP

/// security.md §6 group H (transport faults), over real loopback sockets:
/// a reconnecting ``XMPPClient`` reaches the scripted ``FakeXMPPServer``
/// through the ``ChaosProxy``, with verified TLS throughout. The fake
/// server's transcript (plaintext on its side of TLS) and its reads are
/// the record of what arrived; its `h` is what it handled.
///
/// Serialized: several cases check timing (backoff delays, liveness
/// bounds), which parallel TLS handshakes on two cores would blur.
@Suite("Hostile transport faults (group H)", .serialized, .timeLimit(.minutes(2)))
struct HostileTransportTests {
    typealias TT = TransportTest
    typealias Features = FakeXMPPServer.Features

    // MARK: H96

    /// Where the first connection is cut (with a TCP RST).
    enum NegotiationStep: String, CaseIterable, Sendable {
        case afterHeader, afterFeatures, afterStartTLS, midTLS, afterAuth, afterSuccess, afterBind, afterEnable
        case afterEnabled
        /// After `<enabled/>` and the first stanza (m1, unacknowledged):
        /// the resend after `<resumed/>` holds m1 and nothing of the
        /// negotiation (SMACK-706: bind in the resend queue).
        case afterFirstStanza

        /// Whether the client holds a resumable session when the cut comes.
        var isResumable: Bool { self == .afterEnabled || self == .afterFirstStanza }
    }

    @Test("H96: a RST at each negotiation step: backoff, no credentials in the clear, resume only past <enabled resume/>, no duplicate bind",
        arguments: NegotiationStep.allCases)
    func H96_resetAtEachStep(step: NegotiationStep) async throws {
        // Straight to the fake server, so that its reset() is a RST at the
        // client; mid-TLS needs the proxy to slow the handshake and cuts
        // with the proxy's own RST.
        try await TransportHarness.run(direct: step != .midTLS) { h in
            if step == .midTLS {
                // The server's bytes trickle (8 bytes every 20 ms), so its
                // TLS flight (kilobytes: seconds at this rate) takes far
                // longer to arrive than the script takes to cut once the
                // ClientHello went through, even on a loaded machine.
                h.proxy.setPlan { index in
                    index == 0 ? .fragment(.serverToClient, maximumWriteSize: 8, delay: .milliseconds(20)) : .passThrough
                }
            }
            // Queued before run(): it goes out on the first session that
            // comes up, resumed or not, exactly once.
            try await h.client.send(try TT.message("m1"))
            h.start()

            let c0 = try await h.server.nextConnection()
            let cutAt = try await Self.cut(c0, at: step, proxy: h.proxy)
            try await h.events.waitForDisconnections(1)

            let c1 = try await h.server.nextConnection()
            // Taken after the accept, so never earlier than it.
            let secondConnectionSeen = ContinuousClock.now
            try await c1.negotiateUntilAuthenticated(streamFeatures: Features.bindAndStreamManagement)
            let first = try await c1.read()
            let resumed = first.name.localName == "resume"
            if resumed {
                #expect(first[attribute: "previd"] == TT.firstSessionID)
                try await c1.send(TT.resumed(handled: 0))
            } else {
                try await c1.answerBind(first)
                try await c1.answerEnable(with: TT.enabled(id: "sm-2"))
            }
            #expect(resumed == step.isResumable, "resumed: \(resumed) after a cut \(step)")
            let stanzas = try await c1.readStanzas(1, handledBefore: 0)
            await h.client.stop()
            let extra = try await c1.acceptClose(handledBefore: 1)
            #expect(TT.ids(stanzas + extra) == ["m1"], "m1 exactly once, whether resent or flushed from the queue")

            // Backoff: one failure, so the first delay, and the client
            // really waited it.
            let disconnections = h.events.disconnections
            #expect(disconnections.count == 1)
            #expect(h.events.reconnectDelays.first == TT.firstReconnectDelay)
            let secondAttempt = h.events.states.first { item in
                if case .connecting(attempt: 2) = item.state { return true }
                return false
            }
            #expect(secondAttempt != nil, "no second attempt after the cut")
            // The client cannot notice the cut before it happens, and then
            // sleeps the whole delay before connecting again: the gap from
            // just before the cut to just after the new accept is at least
            // the delay, however late either task runs. (The events' own
            // timestamps are taken where the log reads them: a late read of
            // the disconnection shortened that gap below the delay.)
            #expect(cutAt.duration(to: secondConnectionSeen) >= TT.firstReconnectDelay)
            // The log is filled by its own task, which may not have taken
            // the last session's event yet (seen once in a full run): wait
            // for the sessions this step makes, a new one and, after a
            // resumable cut, the resumed one.
            let sessions = try await h.events.waitForSessions(step.isResumable ? 2 : 1)
            #expect(sessions.last?.resumed == step.isResumable)
            #expect(sessions.filter { !$0.resumed }.count == 1, "one new session in all")

            // No credentials before TLS on either connection; no bind in a
            // resumed stream, at most one per connection.
            for connection in [c0, c1] {
                let clear = connection.clientPlaintextBeforeTLS
                #expect(!clear.contains("<auth") && !clear.contains(TT.plainCredentials) && !clear.contains(TT.password),
                    "credentials in the clear on connection \(connection.index):\n\(connection.transcriptText)")
                #expect(connection.bindRequestCount <= 1)
            }
            #expect(c1.bindRequestCount == (resumed ? 0 : 1))
            if step == .afterFirstStanza {
                #expect(c0.clientText.contains("body of m1"), "m1 was written before the cut, so it was resent")
            }
            #expect(h.server.acceptedCount == 2)

            if step == .midTLS {
                let proxied = try #require(h.proxy.connection(0))
                // The ClientHello went out (more than the plaintext), and the
                // handshake never completed (no stream opened under TLS).
                #expect(proxied.bytesForwarded(.clientToServer) > c0.clientPlaintextBeforeTLS.utf8.count)
                #expect(!c0.clientWroteAfterTLS, "the cut was meant to land inside the handshake")
            }
        }
    }

    @Test("H96: a RST while a new session starts up (presence written, a session-start handler's roster request unanswered): the resumed session finishes the start-up")
    func H96_resetDuringSessionStart() async throws {
        let starts = SharedCounter()
        let completions = SharedCounter()
        try await TransportHarness.run(direct: true, configure: { $0.initialPresence = Presence() }) { h in
            await h.client.onSessionStart { connection in
                starts.increment()
                _ = try await connection.roster().fetch()
                completions.increment()
            }
            h.start()
            let c0 = try await h.server.nextConnection()
            try await c0.establishResumable()
            let first = try await c0.readStanzas(2, handledBefore: 0, answeringRequests: false)
            #expect(first.map(\.name.localName) == ["presence", "iq"])
            // The roster request is never answered: the connection dies
            // under the handler, after <enabled resume/>.
            try await c0.reset()
            try await h.events.waitForDisconnections(1)

            let c1 = try await h.server.nextConnection()
            #expect(try await c1.expectResume()[attribute: "previd"] == TT.firstSessionID)
            // The server handled both stanzas (its roster answer died with
            // the connection): nothing is resent, presence included.
            try await c1.send(TT.resumed(handled: 2))
            let again = try await c1.readStanzas(1, handledBefore: 2)
            let query = try #require(again.first)
            #expect(query.name.localName == "iq" && query[attribute: "type"] == "get", "the handler runs again")
            try await c1.send(
                "<iq type='result' id='\(FakeXMPPServer.Connection.escaped(query[attribute: "id"] ?? ""))'><query xmlns='jabber:iq:roster'/></iq>")
            let sessions = try await h.events.waitForSessions(1)
            #expect(sessions.map(\.resumed) == [true])
            #expect(starts.count == 2 && completions.count == 1, "starts \(starts.count), completions \(completions.count)")
            await h.client.stop()
            let extra = try await c1.acceptClose(handledBefore: 3)
            #expect(extra.isEmpty)
        }
    }

    @Test("H96: a RST right after <enabled resume/> with an initial presence configured: the resumed session's server gets the presence once")
    func H96_resetBeforeInitialPresence() async throws {
        try await TransportHarness.run(direct: true, configure: { $0.initialPresence = Presence() }) { h in
            h.start()
            let c0 = try await h.server.nextConnection()
            try await c0.negotiateUntilAuthenticated(streamFeatures: Features.bindAndStreamManagement)
            try await c0.answerBind(try await c0.read())
            try await c0.answerEnable(with: TT.enabled())
            try await c0.reset()
            try await h.events.waitForDisconnections(1)

            let c1 = try await h.server.nextConnection()
            #expect(try await c1.expectResume()[attribute: "previd"] == TT.firstSessionID)
            // Handled nothing: the presence comes now, resent from the
            // ledger if it was written before the RST, else sent anew.
            try await c1.send(TT.resumed(handled: 0))
            let stanzas = try await c1.readStanzas(1, handledBefore: 0)
            try await h.events.wait("a resumed session") { $0.sessions.last?.resumed == true }
            await h.client.stop()
            let extra = try await c1.acceptClose(handledBefore: 1)
            #expect((stanzas + extra).map(\.name.localName) == ["presence"])
        }
    }

    /// The first connection's script: negotiate up to `step`, then reset.
    /// - Returns: The instant just before the reset.
    static func cut(
        _ c0: FakeXMPPServer.Connection, at step: NegotiationStep, proxy: ChaosProxy
    ) async throws -> ContinuousClock.Instant {
        let sm = "urn:xmpp:sm:3"
        switch step {
        case .afterHeader:
            _ = try await c0.readStreamHeader()
            try await c0.send(c0.streamHeader)
        case .afterFeatures:
            try await c0.openStream(features: Features.startTLSRequired)
        case .afterStartTLS:
            try await c0.openStream(features: Features.startTLSRequired)
            try await c0.expect(localName: "starttls", namespace: XMLNamespace.tls)
        case .midTLS:
            try await c0.openStream(features: Features.startTLSRequired)
            try await c0.startTLS()
            let proxied = try #require(proxy.connection(0))
            let plaintext = c0.clientPlaintextBeforeTLS.utf8.count
            // The client's first TLS bytes reached the server: cut now, in
            // the proxy (a RST to both sides), while the server's answer
            // is still trickling towards the client.
            let deadline = ContinuousClock.now.advanced(by: .seconds(5))
            while proxied.bytesForwarded(.clientToServer) <= plaintext, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(1))
            }
            let cutAt = ContinuousClock.now
            await proxied.cut(mode: .reset)
            try await c0.waitUntilClosed()
            return cutAt
        case .afterAuth:
            try await c0.openStream(features: Features.startTLSRequired)
            try await c0.startTLS()
            try await c0.openStream(features: Features.plainMechanism)
            try await c0.expect(localName: "auth", namespace: XMLNamespace.sasl)
        case .afterSuccess:
            try await c0.openStream(features: Features.startTLSRequired)
            try await c0.startTLS()
            try await c0.openStream(features: Features.plainMechanism)
            try await c0.authenticate()
        case .afterBind:
            try await c0.negotiateUntilAuthenticated(streamFeatures: Features.bindAndStreamManagement)
            try await c0.answerBind(try await c0.read())
        case .afterEnable:
            try await c0.negotiateUntilAuthenticated(streamFeatures: Features.bindAndStreamManagement)
            try await c0.answerBind(try await c0.read())
            try await c0.expect(localName: "enable", namespace: sm)
        case .afterEnabled:
            try await c0.negotiateUntilAuthenticated(streamFeatures: Features.bindAndStreamManagement)
            try await c0.answerBind(try await c0.read())
            let enable = try await c0.answerEnable(with: TT.enabled())
            #expect(enable[attribute: "resume"] == "true")
        case .afterFirstStanza:
            try await c0.establishResumable()
            #expect(TT.ids(try await c0.readStanzas(1, handledBefore: 0, answeringRequests: false)) == ["m1"])
        }
        let cutAt = ContinuousClock.now
        try await c0.reset()
        return cutAt
    }

    // MARK: H97, H98

    /// How the server ends an established resumable session without
    /// `</stream:stream>`.
    enum AbruptClose: Sendable {
        case fin, closeNotifyThenFIN
    }

    @Test("H97: FIN without </stream:stream> on a resumable session: the resume path, not a logout")
    func H97_finWithoutStreamEnd() async throws {
        try await Self.closeWithoutStreamEnd(.fin)
    }

    @Test("H98: close_notify then FIN without </stream:stream>: the resume path, not a logout")
    func H98_closeNotifyWithoutStreamEnd() async throws {
        try await Self.closeWithoutStreamEnd(.closeNotifyThenFIN)
    }

    /// A session with m1 and m2 sent (the server handled both, acked m1),
    /// closed `how`; m3 sent meanwhile. The next connection must resume:
    /// m2 retired by `h`, nothing resent, m3 once.
    static func closeWithoutStreamEnd(_ how: AbruptClose) async throws {
        try await TransportHarness.run { h in
            h.start()
            let c0 = try await h.server.nextConnection()
            try await c0.establishResumable()
            try await h.events.waitForSessions(1)
            try await h.client.send(try TT.message("m1"))
            try await h.client.send(try TT.message("m2"))
            #expect(TT.ids(try await c0.readStanzas(2, handledBefore: 0)) == ["m1", "m2"])
            try await c0.send("<a xmlns='urn:xmpp:sm:3' h='1'/>")
            switch how {
            case .fin: try await c0.closeTCP()
            case .closeNotifyThenFIN: try await c0.closeNotifyWithoutStreamEnd()
            }
            let lost = try await h.events.waitForDisconnections(1)
            // Never the clean `streamClosedByPeer`; the two closes differ
            // only in TLS, which shows the close_notify was there.
            let expected: XMPPClientError.Code = how == .fin ? .tlsFailed : .connectionClosed
            #expect(lost.first?.error.code == expected, "\(lost.first.map { "\($0.error)" } ?? "")")
            try await h.client.send(try TT.message("m3"))

            let c1 = try await h.server.nextConnection()
            let resume = try await c1.expectResume()
            #expect(resume[attribute: "previd"] == TT.firstSessionID)
            try await c1.send(TT.resumed(handled: 2))
            let stanzas = try await c1.readStanzas(1, handledBefore: 2)
            let sessions = try await h.events.waitForSessions(2)
            #expect(sessions.map(\.resumed) == [false, true])
            #expect(h.events.notDelivered.isEmpty, "nothing reported: \(h.events.notDelivered)")
            await h.client.stop()
            let extra = try await c1.acceptClose(handledBefore: 3)
            #expect(TT.ids(stanzas + extra) == ["m3"], "m1 and m2 were handled: not resent")
            #expect(c1.bindRequestCount == 0)
        }
    }

    // MARK: H99

    @Test("H99: every client byte forwarded alone for a whole session, four tasks sending at once: every stanza whole, none interleaved")
    func H99_partialWrites() async throws {
        try await TransportHarness.run { h in
            h.proxy.setPlan { _ in .fragment(.clientToServer, maximumWriteSize: 1) }
            h.start()
            let c0 = try await h.server.nextConnection()
            try await c0.establishResumable()
            try await h.events.waitForSessions(1)
            let senders = 4
            let perSender = 8
            let client = h.client
            try await withThrowingTaskGroup(of: Void.self) { group in
                for sender in 0..<senders {
                    group.addTask {
                        for sequence in 0..<perSender {
                            try await client.send(
                                try TT.message("s\(sender)-\(sequence)", body: Self.body(sender, sequence)))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let stanzas = try await c0.readStanzas(senders * perSender, handledBefore: 0, timeout: .seconds(20))
            await h.client.stop()
            let extra = try await c0.acceptClose(handledBefore: senders * perSender)
            #expect(extra.isEmpty)

            var next = Array(repeating: 0, count: senders)
            for stanza in stanzas {
                let id = stanza[attribute: "id"] ?? ""
                let parts = id.dropFirst().split(separator: "-").compactMap { Int($0) }
                guard id.hasPrefix("s"), parts.count == 2, (0..<senders).contains(parts[0]) else {
                    Issue.record("unexpected stanza \(id)")
                    continue
                }
                let (sender, sequence) = (parts[0], parts[1])
                #expect(sequence == next[sender], "sender \(sender): \(sequence) after \(next[sender] - 1)")
                next[sender] = sequence + 1
                let body = stanza.firstChild(named: "body", namespace: XMLNamespace.client)?.text
                #expect(body == Self.body(sender, sequence), "stanza \(id) arrived altered")
            }
            #expect(next == Array(repeating: perSender, count: senders))
            let counters = try #require(h.proxy.connection(0)).counters(.clientToServer)
            #expect(counters.largestWrite == 1 && counters.writeCount == counters.bytesForwarded)
            #expect(counters.bytesForwarded > 5_000, "the whole session went through byte by byte")
        }
    }

    /// A body long enough to span many TLS fragments, naming its sender
    /// and position everywhere, so that any interleaving shows.
    static func body(_ sender: Int, _ sequence: Int) -> String {
        String(repeating: "<s\(sender)q\(sequence)&>", count: 20)
    }

    // MARK: H100, H101

    @Test("H100: our direction blackholed, the server's stanzas still arriving: the <r/> deadline ends the session, the next one resumes")
    func H100_outboundBlackholed() async throws {
        try await TransportHarness.run(configure: { configuration in
            configuration.connection.liveness = .init(
                whitespaceKeepaliveInterval: nil, probeAfterSilence: .seconds(10), probeTimeout: .seconds(1))
            configuration.connection.streamManagement.ackRequestThreshold = 1
        }) { h in
            let inbound = SharedCounter()
            let messages = h.client.messages()
            let reader = Task {
                for try await _ in messages { inbound.increment() }
            }
            defer { reader.cancel() }
            h.start()
            let c0 = try await h.server.nextConnection()
            try await c0.establishResumable()
            try await h.events.waitForSessions(1)
            await h.proxy.blackhole(.clientToServer)
            // The server keeps talking: silence never sets in.
            let feeder = Task {
                for number in 1...100 {
                    do {
                        try await c0.send(TT.inbound("in-\(number)"))
                        try await Task.sleep(for: .milliseconds(100))
                    } catch {
                        return
                    }
                }
            }
            defer { feeder.cancel() }
            let sent = ContinuousClock.now
            try await h.client.send(try TT.message("m1"))
            let lost = try await h.events.waitForDisconnections(1)
            feeder.cancel()
            let error = try #require(lost.first?.error)
            #expect(error.code == .peerUnresponsive)
            #expect(error.description.contains("no <a/> within"), "\(error)")
            let elapsed = sent.duration(to: try #require(lost.first?.at))
            #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(4), "detected after \(elapsed)")
            #expect(inbound.count >= 1, "the server's stanzas arrived during the blackhole")

            let c1 = try await h.server.nextConnection()
            let resume = try await c1.expectResume()
            #expect(resume[attribute: "previd"] == TT.firstSessionID)
            #expect(Int(resume[attribute: "h"] ?? "") ?? 0 >= 1, "the inbound stanzas were counted")
            // The server never saw m1: it is resent, once.
            try await c1.send(TT.resumed(handled: 0))
            let stanzas = try await c1.readStanzas(1, handledBefore: 0)
            try await h.events.waitForSessions(2)
            #expect(h.events.sessions.map(\.resumed) == [false, true])
            await h.client.stop()
            let extra = try await c1.acceptClose(handledBefore: 1)
            #expect(TT.ids(stanzas + extra) == ["m1"])
            // (Its one stanza on that stream is the bind request.)
            #expect(!c0.clientText.contains("body of m1"), "nothing of ours reached the server through the blackhole")
        }
    }

    @Test("H101: the server's direction blackholed: the silence probe goes unanswered, the session ends in time, the next one resumes")
    func H101_inboundBlackholed() async throws {
        let silence = Duration.milliseconds(600)
        let probeTimeout = Duration.milliseconds(600)
        try await TransportHarness.run(configure: { configuration in
            configuration.connection.liveness = .init(
                whitespaceKeepaliveInterval: nil, probeAfterSilence: silence, probeTimeout: probeTimeout)
        }) { h in
            h.start()
            let c0 = try await h.server.nextConnection()
            try await c0.establishResumable()
            let started = try await h.events.waitForSessions(1)
            await h.proxy.blackhole(.serverToClient)
            // Our direction still works: the server handles m1.
            try await h.client.send(try TT.message("m1"))
            #expect(TT.ids(try await c0.readStanzas(1, handledBefore: 0)) == ["m1"])
            let lost = try await h.events.waitForDisconnections(1)
            let error = try #require(lost.first?.error)
            #expect(error.code == .peerUnresponsive, "\(error)")
            let elapsed = try #require(started.first?.at).duration(to: try #require(lost.first?.at))
            // Nothing read since <enabled/>: a probe after `silence`, the
            // end `probeTimeout` later (plus scheduling slack).
            #expect(elapsed >= probeTimeout && elapsed < silence + probeTimeout + .seconds(2), "detected after \(elapsed)")

            let c1 = try await h.server.nextConnection()
            let resume = try await c1.expectResume()
            #expect(resume[attribute: "previd"] == TT.firstSessionID)
            // The server handled m1: retired, not resent.
            try await c1.send(TT.resumed(handled: 1))
            try await h.events.waitForSessions(2)
            try await h.client.send(try TT.message("m2"))
            let stanzas = try await c1.readStanzas(1, handledBefore: 1)
            #expect(h.events.sessions.map(\.resumed) == [false, true])
            await h.client.stop()
            let extra = try await c1.acceptClose(handledBefore: 2)
            #expect(TT.ids(stanzas + extra) == ["m2"])
        }
    }

    // MARK: H102

    @Test("H102: three connections refused: growing, jittered delays, then a session")
    func H102_refusedThenBackoff() async throws {
        try await TransportHarness.run(configure: { configuration in
            configuration.reconnect = ReconnectPolicy(
                initialDelay: .milliseconds(10), maximumDelay: .seconds(1), multiplier: 4, jitter: 0.5)
        }) { h in
            h.proxy.refuseNext(3)
            h.start()
            let c0 = try await h.server.nextConnection()
            try await c0.establishResumable()
            try await h.events.waitForSessions(1)
            #expect(h.proxy.connections.map(\.wasRefused) == [true, true, true, false])
            #expect(h.events.disconnections.count == 3)
            // Bases 10, 40, 160 ms, each shortened by up to half: the
            // ranges do not overlap, so the delays grow whatever the jitter.
            let delays = h.events.reconnectDelays
            let ranges: [ClosedRange<Duration>] = [
                .milliseconds(5) ... .milliseconds(10), .milliseconds(20) ... .milliseconds(40),
                .milliseconds(80) ... .milliseconds(160),
            ]
            #expect(delays.count == 3)
            for (delay, range) in zip(delays, ranges) {
                #expect(range.contains(delay), "delay \(delay) outside \(range)")
            }
            await h.client.stop()
            try await c0.acceptClose(handledBefore: 0)
        }
    }

    @Test("H102: a retry budget of 2 with 3 refusals: run() throws a typed error after exactly 2 attempts")
    func H102_retryBudget() async throws {
        try await TransportHarness.run(configure: { configuration in
            configuration.reconnect.maximumConsecutiveFailures = 2
        }) { h in
            h.proxy.refuseNext(3)
            h.start()
            let result = try await h.runResult()
            guard case .failure(let failure) = result else {
                Issue.record("run() returned normally")
                return
            }
            let error = try #require(failure as? XMPPClientError, "\(failure)")
            #expect(!XMPPClient.isPermanent(error), "a transport failure, given up for the budget: \(error)")
            #expect(h.proxy.acceptedCount == 2)
            #expect(h.server.acceptedCount == 0)
            let attempts = h.events.states.filter { item in
                if case .connecting = item.state { return true }
                return false
            }
            #expect(attempts.count == 2)
            #expect(h.events.reconnectDelays.count == 1)
            #expect(h.events.states.last?.state == .stopped)
        }
    }

    // MARK: H103, H104

    @Test("H103: the connection dies right after the server wrote <resumed/>: the queue is kept, the next resume delivers each stanza once")
    func H103_cutAfterResumed() async throws {
        try await TransportHarness.run { h in
            h.start()
            let c0 = try await h.server.nextConnection()
            try await c0.establishResumable()
            try await h.events.waitForSessions(1)
            try await h.client.send(try TT.message("m1"))
            let handled0 = try await c0.readStanzas(1, handledBefore: 0)
            // m2 and m3 are written by the client but never reach the server.
            let proxied0 = try #require(h.proxy.connection(0))
            await proxied0.blackhole(.clientToServer)
            try await h.client.send(try TT.message("m2"))
            try await h.client.send(try TT.message("m3"))
            await proxied0.cut(mode: .reset)
            try await h.events.waitForDisconnections(1)
            try await h.client.send(try TT.message("m4"))

            // The server resumes (it handled m1) and writes <resumed/>, but
            // the connection dies before a byte of it reaches the client.
            let c1 = try await h.server.nextConnection()
            #expect(try await c1.expectResume()[attribute: "previd"] == TT.firstSessionID)
            let proxied1 = try #require(h.proxy.connection(1))
            await proxied1.blackhole(.serverToClient)
            try await c1.send(TT.resumed(handled: 1))
            try await c1.reset()
            try await h.events.waitForDisconnections(2)

            let c2 = try await h.server.nextConnection()
            let resume = try await c2.expectResume()
            #expect(resume[attribute: "previd"] == TT.firstSessionID, "the session was kept for another resume")
            try await c2.send(TT.resumed(handled: 1))
            let handled2 = try await c2.readStanzas(3, handledBefore: 1)
            try await h.events.waitForSessions(2)
            #expect(h.events.notDelivered.isEmpty, "nothing reported: \(h.events.notDelivered)")
            await h.client.stop()
            let extra = try await c2.acceptClose(handledBefore: 4)

            #expect(c1.receivedStanzaCount == 0, "the client sent nothing before reading <resumed/>")
            let delivered = TT.ids(handled0 + handled2 + extra)
            #expect(delivered == ["m1", "m2", "m3", "m4"], "each once, in order")
            #expect(h.events.sessions.map(\.resumed) == [false, true])
            #expect([c1, c2].allSatisfy { $0.bindRequestCount == 0 })
        }
    }

    @Test("H104: the connection dies during the resend after <resumed/>: the next resume retires what the server handled and resends the rest once")
    func H104_cutDuringResend() async throws {
        try await TransportHarness.run { h in
            // The second connection's client bytes trickle, so that the cut
            // lands while the resend is still on its way.
            h.proxy.setPlan { index in
                index == 1 ? .fragment(.clientToServer, maximumWriteSize: 16, delay: .milliseconds(2)) : .passThrough
            }
            h.start()
            let c0 = try await h.server.nextConnection()
            try await c0.establishResumable()
            try await h.events.waitForSessions(1)
            try await h.client.send(try TT.message("m1"))
            let handled0 = try await c0.readStanzas(1, handledBefore: 0)
            let proxied0 = try #require(h.proxy.connection(0))
            await proxied0.blackhole(.clientToServer)
            for number in 2...6 { try await h.client.send(try TT.message("m\(number)")) }
            await proxied0.cut(mode: .reset)
            try await h.events.waitForDisconnections(1)

            // Resumed with h=1: m2…m6 are resent; the server handles two
            // of them, then its connection dies.
            let c1 = try await h.server.nextConnection()
            _ = try await c1.expectResume()
            try await c1.send(TT.resumed(handled: 1))
            let handled1 = try await c1.readStanzas(2, handledBefore: 1, timeout: .seconds(10))
            try await c1.reset()
            try await h.events.waitForDisconnections(2)

            let c2 = try await h.server.nextConnection()
            #expect(try await c2.expectResume()[attribute: "previd"] == TT.firstSessionID)
            try await c2.send(TT.resumed(handled: 3))
            let handled2 = try await c2.readStanzas(3, handledBefore: 3)
            try await h.events.waitForSessions(3)
            #expect(h.events.notDelivered.isEmpty, "nothing reported: \(h.events.notDelivered)")
            await h.client.stop()
            let extra = try await c2.acceptClose(handledBefore: 6)

            #expect(TT.ids(handled1) == ["m2", "m3"])
            #expect(TT.ids(handled2) == ["m4", "m5", "m6"], "only what h=3 did not cover, once")
            let delivered = TT.ids(handled0 + handled1 + handled2 + extra)
            #expect(delivered == (1...6).map { "m\($0)" }, "each once, in order")
            #expect(h.events.sessions.map(\.resumed) == [false, true, true])
            #expect([c1, c2].allSatisfy { $0.bindRequestCount == 0 })
        }
    }

    // MARK: H105

    @Test("H105: the server restarted and answers <resume/> with item-not-found: unacknowledged stanzas reported, new bind, presence again")
    func H105_serverRestart() async throws {
        try await TransportHarness.run(configure: { configuration in
            configuration.initialPresence = Presence()
        }) { h in
            h.start()
            let c0 = try await h.server.nextConnection()
            try await c0.establishResumable()
            #expect(try await c0.readStanzas(1, handledBefore: 0).first?.name.localName == "presence")
            try await h.events.waitForSessions(1)
            let client = h.client
            // m1 and m3 are awaited by their callers; m2 and m4 are not.
            // Each is read before the next is sent, to fix the order; the
            // client's <r/> go unanswered: the server acks only what it
            // acks below before it goes away.
            let acknowledged = Task { try await client.sendAcknowledged(try TT.message("m1")) }
            _ = try await c0.readStanzas(1, handledBefore: 1, answeringRequests: false)
            try await client.send(try TT.message("m2"))
            _ = try await c0.readStanzas(1, handledBefore: 2, answeringRequests: false)
            let refused = Task { try await client.sendAcknowledged(try TT.message("m3")) }
            _ = try await c0.readStanzas(1, handledBefore: 3, answeringRequests: false)
            try await client.send(try TT.message("m4"))
            _ = try await c0.readStanzas(1, handledBefore: 4, answeringRequests: false)
            // Presence and m1 acknowledged, then the server goes away.
            try await c0.send("<a xmlns='urn:xmpp:sm:3' h='2'/>")
            try await acknowledged.value
            try await c0.reset()

            let c1 = try await h.server.nextConnection()
            #expect(try await c1.expectResume()[attribute: "previd"] == TT.firstSessionID)
            try await c1.send(TT.failedItemNotFound)
            try await c1.answerBind(try await c1.read())
            try await c1.answerEnable(with: TT.enabled(id: "sm-2"))
            let fresh = try await c1.readStanzas(1, handledBefore: 0)
            #expect(fresh.first?.name.localName == "presence", "a new session announces presence again")
            let sessions = try await h.events.waitForSessions(2)

            #expect(sessions.map(\.resumed) == [false, false])
            let failure = try #require(sessions.last?.resumptionFailure)
            #expect(failure.code == .resumptionRefused)
            #expect(failure.resumptionRefusalCondition == .itemNotFound)
            let reported = h.events.notDelivered
            #expect(reported.map(\.ids) == [["m2", "m4"]])
            #expect(reported.first?.error.code == .resumptionRefused)
            let refusal = await refused.result
            guard case .failure(let thrown) = refusal, let error = thrown as? XMPPClientError else {
                Issue.record("sendAcknowledged(m3) did not fail: \(refusal)")
                return
            }
            #expect(error.code == .notAcknowledged)
            #expect((error.underlying as? XMPPClientError)?.code == .resumptionRefused)

            await h.client.stop()
            let extra = try await c1.acceptClose(handledBefore: 1)
            #expect(extra.isEmpty, "never resent blindly: \(TT.ids(extra))")
            #expect(c1.bindRequestCount == 1)
        }
    }
}
