import Logging
import NIOCore
import NIOEmbedded
import Testing
import XMPPCore

@testable import XMPP

/// XEP-0198 resumption through `XMPPChannelHandler`s on `EmbeddedChannel`s
/// that share one `SessionContinuity`, as an `XMPPClient` does across its
/// connections: acknowledgement waits outlive a lost connection while the
/// session is resumable and are settled by the next handler (`<resumed h/>`,
/// `<a h/>`, `<failed/>`), or fail at once when it is not; stanzas nobody
/// waits for are reported through the continuity's reporter.
@Suite struct SessionContinuityHandlerTests {
    typealias S = ScriptedServer

    static let smFeatures =
        "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/><sm xmlns='urn:xmpp:sm:3'/></stream:features>"
    static let enabledResumable = "<enabled xmlns='urn:xmpp:sm:3' id='sm-1' resume='true'/>"
    static let request = "<r xmlns='urn:xmpp:sm:3'/>"

    static func ack(_ h: Int) -> String { "<a xmlns='urn:xmpp:sm:3' h='\(h)'/>" }

    /// `<message id='m<n>'>` to bob and its bytes on the wire.
    static func message(_ n: Int) throws -> (element: XMLElement, xml: String) {
        let element = Message(type: .chat, to: try JID("bob@example.com/x"), id: "m\(n)", body: "\(n)").element
        return (element, "<message id='m\(n)' to='bob@example.com/x' type='chat'><body>\(n)</body></message>")
    }

    /// What a reset connection reports.
    struct Reset: Error {}

    /// Stanzas the continuity reported, with the error's code.
    final class Reports: Sendable {
        let entries = Locked<[(ids: [String], code: XMPPClientError.Code)]>([])

        func record(_ elements: [XMLElement], _ error: XMPPClientError) {
            entries.value.append((elements.map { $0[attribute: "id"] ?? "-" }, error.code))
        }
    }

    /// How each acknowledgement wait ended, by message number.
    final class Outcomes: Sendable {
        let results = Locked<[Int: Result<Void, XMPPClientError>]>([:])

        func watch(_ n: Int, _ future: EventLoopFuture<Void>) {
            future.whenComplete { result in
                self.results.value[n] = result.mapError { $0 as? XMPPClientError ?? .connectionClosed(detail: "other") }
            }
        }

        func isPending(_ n: Int) -> Bool { results.value[n] == nil }

        func succeeded(_ n: Int) -> Bool {
            if case .success? = results.value[n] { return true }
            return false
        }

        /// The error a wait failed with, if it failed.
        func failure(_ n: Int) -> XMPPClientError? {
            if case .failure(let error)? = results.value[n] { return error }
            return nil
        }
    }

    /// A continuity that records what it reports.
    static func continuity(_ reports: Reports) -> SessionContinuity {
        SessionContinuity { elements, error in reports.record(elements, error) }
    }

    /// PLAIN over direct TLS up to the features after authentication; then
    /// what the client wrote in answer to `features`.
    static func authenticate(_ harness: ContinuityHarness, features: String = smFeatures) throws -> String {
        _ = try harness.clientWrote()
        try harness.serverSends(S.header + S.plainFeatures)
        _ = try harness.clientWrote()
        try harness.serverSends(S.success)
        _ = try harness.clientWrote()
        try harness.serverSends(S.header + features)
        return try harness.clientWrote()
    }

    /// A new session, established with acknowledgements; resumable when the
    /// server's `<enabled/>` is `enabled`.
    static func establish(_ harness: ContinuityHarness, enabled: String = enabledResumable) throws {
        #expect(try authenticate(harness).hasPrefix("<iq id='bind-1'"))
        try harness.serverSends(S.bindResult)
        #expect(try harness.clientWrote() == "<enable xmlns='urn:xmpp:sm:3' resume='true'/>")
        try harness.serverSends(enabled)
        #expect(harness.session?.streamManagementEnabled == true)
    }

    /// Message `n` sent with a wait for its acknowledgement.
    static func sendAwaited(_ n: Int, on harness: ContinuityHarness, outcomes: Outcomes) throws {
        let (_, future) = try harness.handler.startAcknowledgedSend(.element(try message(n).element))
        outcomes.watch(n, future)
        #expect(try harness.clientWrote() == (try message(n).xml) + request)
    }

    /// Message `n` sent without waiting.
    static func send(_ n: Int, on harness: ContinuityHarness) throws {
        try harness.channel.writeAndFlush(XMPPChannelHandler.Request.send(try message(n).element)).wait()
        #expect(try harness.clientWrote() == (try message(n).xml))
    }

    /// A resumable session that sent 1 (awaited), 2 and 3 (awaited), handled
    /// one inbound stanza, then had its connection reset.
    static func lostResumable(_ continuity: SessionContinuity, outcomes: Outcomes) throws -> ContinuityHarness {
        let first = try ContinuityHarness(continuity: continuity)
        try establish(first)
        #expect(first.session?.resumable == true)
        try sendAwaited(1, on: first, outcomes: outcomes)
        try send(2, on: first)
        try sendAwaited(3, on: first, outcomes: outcomes)
        try first.serverSends(S.chat)
        first.channel.pipeline.fireErrorCaught(Reset())
        #expect(!first.channel.isActive)
        return first
    }

    // MARK: Surviving the loss

    @Test("A wait survives a lost connection while the session is resumable, and <resumed h/> on the next handler completes it")
    func waitSurvivesAndCompletes() throws {
        let reports = Reports()
        let continuity = Self.continuity(reports)
        let outcomes = Outcomes()
        let first = try Self.lostResumable(continuity, outcomes: outcomes)
        #expect(outcomes.isPending(1) && outcomes.isPending(3), "not failed: the session may be resumed")
        #expect(continuity.isResumable && continuity.waiterCount == 2)
        #expect(continuity.detached?.ledger.stanzas.count == 3)
        #expect(reports.entries.value.isEmpty)
        #expect(try first.clientWrote() == "", "a reset: nothing more is written, no </stream:stream>")

        let second = try ContinuityHarness(continuity: continuity)
        #expect(try Self.authenticate(second) == "<resume xmlns='urn:xmpp:sm:3' previd='sm-1' h='1'/>")
        #expect(outcomes.isPending(1))
        try second.serverSends("<resumed xmlns='urn:xmpp:sm:3' previd='sm-1' h='1'/>")
        #expect(outcomes.succeeded(1), "covered by h")
        #expect(outcomes.isPending(3), "resent, still waiting")
        #expect(try second.clientWrote() == (try Self.message(2).xml) + (try Self.message(3).xml) + Self.request, "in order, then <r/>")
        #expect(try second.session?.resumed == true && second.session?.boundJID == FullJID("alice@example.com/r1"))
        #expect(!continuity.isResumable && continuity.waiterCount == 1)

        try second.serverSends(Self.ack(3))
        #expect(outcomes.succeeded(3))
        #expect(continuity.waiterCount == 0 && reports.entries.value.isEmpty)
        #expect(second.channel.isActive)
    }

    @Test("The old handler's late teardown does not fail the waits of the session the next handler resumed")
    func lateTeardownOfOldHandler() throws {
        let reports = Reports()
        let continuity = Self.continuity(reports)
        let outcomes = Outcomes()
        // The first channel's handlers are removed on its event loop, which
        // runs only when told to: here, after the second handler resumed.
        let first = try Self.lostResumable(continuity, outcomes: outcomes)
        let second = try ContinuityHarness(continuity: continuity)
        _ = try Self.authenticate(second)
        try second.serverSends("<resumed xmlns='urn:xmpp:sm:3' previd='sm-1' h='0'/>")
        _ = try second.clientWrote()
        try Self.sendAwaited(4, on: second, outcomes: outcomes)

        first.channel.embeddedEventLoop.run()
        #expect(outcomes.isPending(1) && outcomes.isPending(3) && outcomes.isPending(4), "the first handler had finished already")
        #expect(continuity.waiterCount == 3)
        try second.serverSends(Self.ack(4))
        #expect(outcomes.succeeded(1) && outcomes.succeeded(3) && outcomes.succeeded(4))
    }

    @Test("Lost again while <resume/> waits: the waits go on, and a third handler resumes and completes them")
    func lostWhileResuming() throws {
        let reports = Reports()
        let continuity = Self.continuity(reports)
        let outcomes = Outcomes()
        _ = try Self.lostResumable(continuity, outcomes: outcomes)
        let second = try ContinuityHarness(continuity: continuity)
        _ = try Self.authenticate(second)
        second.channel.pipeline.fireChannelInactive()
        #expect(second.failure?.code == .connectionClosed)
        #expect(outcomes.isPending(1) && continuity.isResumable && continuity.waiterCount == 2)

        let third = try ContinuityHarness(continuity: continuity)
        #expect(try Self.authenticate(third) == "<resume xmlns='urn:xmpp:sm:3' previd='sm-1' h='1'/>")
        try third.serverSends("<resumed xmlns='urn:xmpp:sm:3' previd='sm-1' h='3'/>")
        #expect(outcomes.succeeded(1) && outcomes.succeeded(3))
        #expect(try third.clientWrote() == "", "everything was handled: nothing to resend")
        #expect(reports.entries.value.isEmpty)
    }

    // MARK: Ends that are final

    @Test("A session that cannot be resumed fails its waits with notAcknowledged; unawaited stanzas go to the reporter")
    func notResumableFails() throws {
        let reports = Reports()
        let continuity = Self.continuity(reports)
        let outcomes = Outcomes()
        let harness = try ContinuityHarness(continuity: continuity)
        try Self.establish(harness, enabled: "<enabled xmlns='urn:xmpp:sm:3'/>")
        #expect(harness.session?.resumable == false)
        try Self.sendAwaited(1, on: harness, outcomes: outcomes)
        try Self.send(2, on: harness)
        harness.channel.pipeline.fireErrorCaught(Reset())

        let failure = try #require(outcomes.failure(1))
        #expect(failure.code == .notAcknowledged)
        #expect((failure.underlying as? XMPPClientError)?.code == .connectionClosed)
        #expect(!continuity.isResumable && continuity.waiterCount == 0)
        #expect(reports.entries.value.map(\.ids) == [["m2"]])
        #expect(reports.entries.value.map(\.code) == [.connectionClosed])
    }

    @Test("The server ends a resumable session with a stream error: waits fail, nothing is kept")
    func streamErrorEnds() throws {
        let reports = Reports()
        let continuity = Self.continuity(reports)
        let outcomes = Outcomes()
        let harness = try ContinuityHarness(continuity: continuity)
        try Self.establish(harness)
        try Self.sendAwaited(1, on: harness, outcomes: outcomes)
        try Self.send(2, on: harness)
        try harness.serverSends(
            "<stream:error><system-shutdown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>")
        #expect(outcomes.failure(1)?.code == .notAcknowledged)
        #expect(!continuity.isResumable && continuity.waiterCount == 0)
        #expect(reports.entries.value.map(\.code) == [.streamError])
    }

    @Test("<failed h/> on the next handler: covered waits complete, the others fail as resumptionRefused, unawaited ones are reported")
    func refusedOnNextHandler() throws {
        let reports = Reports()
        let continuity = Self.continuity(reports)
        let outcomes = Outcomes()
        _ = try Self.lostResumable(continuity, outcomes: outcomes)
        let second = try ContinuityHarness(continuity: continuity)
        _ = try Self.authenticate(second)
        try second.serverSends(
            "<failed xmlns='urn:xmpp:sm:3' h='1'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>")
        #expect(outcomes.succeeded(1))
        let refused = try #require(outcomes.failure(3))
        #expect(refused.code == .notAcknowledged)
        #expect((refused.underlying as? XMPPClientError)?.resumptionRefusalCondition == .itemNotFound)
        #expect(reports.entries.value.map(\.ids) == [["m2"]])
        #expect(reports.entries.value.map(\.code) == [.resumptionRefused])
        #expect(!continuity.isResumable && continuity.waiterCount == 0)
        #expect(try second.clientWrote().hasPrefix("<iq id='bind-1'"), "a new resource, nothing resent")

        try second.serverSends(S.bindResult)
        #expect(try second.clientWrote() == "<enable xmlns='urn:xmpp:sm:3' resume='true'/>")
        try second.serverSends(Self.enabledResumable)
        #expect(second.session?.resumed == false)
        #expect(second.session?.resumptionFailure == .refused(.itemNotFound))
    }
}

/// An `XMPPChannelHandler` on an `EmbeddedChannel` whose machine asks for
/// resumption and resumes what `continuity` holds, the way
/// `XMPPConnection.connect` sets up each connection of an `XMPPClient`.
final class ContinuityHarness {
    let channel = EmbeddedChannel()
    let handler: XMPPChannelHandler
    private let outcomeBox = Locked<Result<XMPPChannelHandler.NegotiationOutcome, any Error>?>(nil)

    init(continuity: SessionContinuity) throws {
        var configuration = SessionTest.configuration(streamManagement: StreamManagementConfiguration(requestsResumption: true))
        configuration.resumption = continuity.detached
        let promise = channel.eventLoop.makePromise(of: XMPPChannelHandler.NegotiationOutcome.self)
        let box = outcomeBox
        promise.futureResult.whenComplete { result in box.value = result }
        let requests = InboundIQRequests()
        handler = XMPPChannelHandler(
            machine: SessionStateMachine(configuration: configuration),
            transport: .tls(SessionTest.encrypted),
            limits: XMLStreamReader.Limits(),
            makeTLSHandler: { throw SessionHandlerHarness.NoTLS() },
            negotiation: promise,
            holdLimit: 16,
            requests: requests,
            continuity: continuity,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 5222)).wait()
    }

    /// Tears the channel down, as `SessionHandlerHarness` does (the
    /// embedded loop removes the handlers only when it runs).
    deinit {
        channel.close(promise: nil)
        channel.embeddedEventLoop.advanceTime(by: .hours(1))
    }

    /// The session, once established.
    var session: SessionStateMachine.EstablishedSession? {
        guard case .success(.established(let session)) = outcomeBox.value else { return nil }
        return session
    }

    /// The error negotiation failed with.
    var failure: XMPPClientError? {
        guard case .failure(let error) = outcomeBox.value else { return nil }
        return error as? XMPPClientError
    }

    func serverSends(_ text: String) throws {
        try channel.writeInbound(ByteBuffer(string: text))
    }

    /// Everything the client wrote since the last call.
    func clientWrote() throws -> String {
        // A real loop runs the turn's queued tasks, the handler's
        // end-of-turn flush among them.
        channel.embeddedEventLoop.run()
        var bytes: [UInt8] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            bytes += buffer.readableBytesView
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
