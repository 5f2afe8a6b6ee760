import Logging
public import NIOCore
import NIOEmbedded
import Synchronization
public import XMPPCore

/// Why the inbound-path harness could not run.
public struct InboundPathError: Error, CustomStringConvertible {
    public let description: String
}

/// The library's whole inbound path for one established session: the
/// channel handler (reader, session machine, Stream Management ledger,
/// router) on an `EmbeddedChannel`, with `messages()` and `presences()`
/// subscribed and consumed as an application would. ``sendBurst(_:)``
/// drives the outbound path of the same session.
///
/// The negotiation is played by a scripted server (PLAIN over a stream
/// declared direct-TLS, bind, and XEP-0198 when asked for), so what is
/// measured afterwards is only the steady state of a live session.
public final class InboundPathHarness {
    private let channel = EmbeddedChannel()
    private let handler: XMPPChannelHandler
    private var messages: XMPPStanzaStream<Message>.AsyncIterator
    private var presences: XMPPStanzaStream<Presence>.AsyncIterator
    private let deliveredMessages = DeliveryCount()
    private let deliveredPresences = DeliveryCount()
    /// Stanzas taken from the subscriptions so far.
    public private(set) var consumedMessages = 0
    public private(set) var consumedPresences = 0
    /// Whether XEP-0198 was enabled for the session.
    public private(set) var streamManagementEnabled = false
    /// Stanzas sent through ``sendBurst(_:)`` so far.
    public private(set) var sentStanzas = 0

    /// Negotiates a session; `streamManagement` makes the server offer XEP-0198.
    public init(streamManagement: Bool) throws(InboundPathError) {
        let jid: BareJID
        do { jid = try BareJID("alice@example.com") } catch { throw InboundPathError(description: "\(error)") }
        let configuration = SessionStateMachine.Configuration(
            jid: jid, requestedResource: "bench",
            sasl: SASLConfiguration(username: "alice", password: "secret", allowedMechanisms: [.plain]),
            timeouts: XMPPConnection.Configuration.Timeouts(), maximumRedirects: 0,
            requestIdentifierPrefix: "q-",
            // As XMPPConnection's default: acknowledgements, no resumption.
            streamManagement: streamManagement ? StreamManagementConfiguration(requestsResumption: false) : nil)
        // No log output: the level check is all a quiet logger costs.
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let negotiation = channel.eventLoop.makePromise(of: XMPPChannelHandler.NegotiationOutcome.self)
        let requests = InboundIQRequests()
        handler = XMPPChannelHandler(
            machine: SessionStateMachine(configuration: configuration),
            transport: .tls(SASLTransportSecurity(isEncrypted: true)), limits: XMLStreamReader.Limits(),
            makeTLSHandler: { throw InboundPathError(description: "no STARTTLS here") },
            negotiation: negotiation, holdLimit: 256, requests: requests, logger: logger)
        let outcome = Outcome()
        negotiation.futureResult.whenComplete { outcome.value = $0 }

        let (messageStream, messageQueue) = InboundElements.makeStream()
        let (presenceStream, presenceQueue) = InboundElements.makeStream()
        messages = XMPPStanzaStream<Message>(messageStream, logger: logger).makeAsyncIterator()
        presences = XMPPStanzaStream<Presence>(presenceStream, logger: logger).makeAsyncIterator()
        // The filters `connection.messages()` and `presences()` install,
        // counting what they accept so `drain` knows what to wait for.
        let messageFilter = XMPPConnection.stanzaFilter(Message.self, from: nil)
        let presenceFilter = XMPPConnection.stanzaFilter(Presence.self, from: nil)
        let messageCount = deliveredMessages
        let presenceCount = deliveredPresences
        _ = handler.router.subscribe(filter: { messageCount.accepted(messageFilter($0)) }, queue: messageQueue)
        _ = handler.router.subscribe(
            filter: { presenceCount.accepted(presenceFilter($0)) }, queue: presenceQueue)

        do {
            try channel.pipeline.syncOperations.addHandler(handler)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 5223)).wait()
            try negotiate(streamManagement: streamManagement, outcome: outcome)
        } catch let error as InboundPathError {
            throw error
        } catch {
            throw InboundPathError(description: "negotiation: \(error)")
        }
    }

    /// Plays the server until the session is established.
    private func negotiate(streamManagement: Bool, outcome: Outcome) throws {
        let header = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
            + "xmlns:stream='http://etherx.jabber.org/streams' from='example.com' id='s1' version='1.0'>"
        let sm = streamManagement ? "<sm xmlns='urn:xmpp:sm:3'/>" : ""
        try serverSends(header + "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
            + "<mechanism>PLAIN</mechanism></mechanisms></stream:features>")
        guard try clientWrote().contains("<auth") else { throw InboundPathError(description: "no <auth/>") }
        try serverSends("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>")
        _ = try clientWrote()
        try serverSends(header + "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>\(sm)</stream:features>")
        let bind = try clientWrote()
        guard let id = Self.attribute("id", in: bind) else { throw InboundPathError(description: "no bind request") }
        try serverSends("<iq type='result' id='\(id)'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
            + "<jid>alice@example.com/bench</jid></bind></iq>")
        if try clientWrote().contains("<enable") {
            streamManagementEnabled = true
            try serverSends("<enabled xmlns='urn:xmpp:sm:3'/>")
            _ = try clientWrote()
        }
        guard case .success(.established)? = outcome.value else {
            throw InboundPathError(description: "not established: \(String(describing: outcome.value))")
        }
    }

    /// One socket read: channelRead, channelReadComplete; whatever the
    /// client answers (pongs, acks) is taken off the channel, as a socket would.
    public func receive(_ buffer: ByteBuffer) throws(InboundPathError) {
        do {
            try channel.writeInbound(buffer)
            channel.pipeline.fireChannelReadComplete()
            // The end of the loop's turn: the handler's deferred flush.
            channel.embeddedEventLoop.run()
            while try channel.readOutbound(as: ByteBuffer.self) != nil {}
        } catch {
            throw InboundPathError(description: "read: \(error)")
        }
        guard channel.isActive else { throw InboundPathError(description: "the session closed") }
    }

    /// Takes every delivered message and presence out of the subscriptions,
    /// parsed into the typed model as `messages()` and `presences()` yield them.
    public func drain(isolation: isolated (any Actor)? = #isolation) async throws {
        while consumedMessages < deliveredMessages.count {
            guard try await messages.next(isolation: isolation) != nil else { return }
            consumedMessages += 1
        }
        while consumedPresences < deliveredPresences.count {
            guard try await presences.next(isolation: isolation) != nil else { return }
            consumedPresences += 1
        }
    }

    /// Sends `elements` as an application loop does within one event-loop
    /// turn: each through the handler's coalescing submission (what
    /// `XMPPConnection.send` runs: serialised, counted by the XEP-0198
    /// ledger, flushed at the coalescing limit), then the turn's end (the
    /// deferred flush). Takes what the client wrote off the channel, and
    /// then, with XEP-0198 on, the server acknowledges every stanza so far
    /// (as Prosody answers the client's `<r/>`), so that the ledger's
    /// window never fills. Returns the bytes the client wrote.
    public func sendBurst(_ elements: [XMLElement]) throws(InboundPathError) -> Int {
        try sendBurst(elements.map(OutboundStanza.element))
    }

    /// ``sendBurst(_:)-([XMLElement])`` for messages, as
    /// `XMPPConnection.send(_: Message)` sends them: serialised from the
    /// model, without their elements.
    public func sendBurst(_ messages: [Message]) throws(InboundPathError) -> Int {
        try sendBurst(messages.map(OutboundStanza.message))
    }

    private func sendBurst(_ stanzas: [OutboundStanza]) throws(InboundPathError) -> Int {
        var written = 0
        do {
            for stanza in stanzas { try handler.submitCoalesced(stanza) }
            channel.embeddedEventLoop.run()
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) { written += buffer.readableBytes }
            sentStanzas += stanzas.count
            if streamManagementEnabled {
                try serverSends("<a xmlns='urn:xmpp:sm:3' h='\(sentStanzas)'/>")
                while try channel.readOutbound(as: ByteBuffer.self) != nil {}
            }
        } catch {
            throw InboundPathError(description: "send: \(error)")
        }
        guard channel.isActive else { throw InboundPathError(description: "the session closed") }
        return written
    }

    /// An allocator like the channel's, for the benchmark's read buffers.
    public var allocator: ByteBufferAllocator { channel.allocator }

    /// Closes the channel the way the handler closes (its deadline passes).
    public func close() {
        channel.close(promise: nil)
        channel.embeddedEventLoop.advanceTime(by: .hours(1))
    }

    private func serverSends(_ text: String) throws {
        try channel.writeInbound(ByteBuffer(string: text))
        channel.pipeline.fireChannelReadComplete()
        channel.embeddedEventLoop.run()
    }

    private func clientWrote() throws -> String {
        var bytes: [UInt8] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { bytes += buffer.readableBytesView }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The value of the first `name='…'` or `name="…"` in `text`.
    private static func attribute(_ name: String, in text: String) -> String? {
        for quote in ["'", "\""] {
            guard let start = text.firstRange(of: " \(name)=\(quote)")?.upperBound else { continue }
            guard let end = text[start...].firstIndex(of: Character(quote)) else { continue }
            return String(text[start..<end])
        }
        return nil
    }
}

/// The negotiation's outcome, set by the promise's callback (which runs on
/// the embedded loop, that is, on this thread).
private final class Outcome: @unchecked Sendable {
    var value: Result<XMPPChannelHandler.NegotiationOutcome, any Error>?
}

/// Counts the elements a subscription's filter accepted.
private final class DeliveryCount: Sendable {
    private let value = Mutex(0)

    var count: Int { value.withLock { $0 } }

    /// Passes `accepted` through, counting it when true.
    func accepted(_ accepted: Bool) -> Bool {
        if accepted { value.withLock { $0 += 1 } }
        return accepted
    }
}
