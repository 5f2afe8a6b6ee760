import Logging
import NIOCore
import NIOEmbedded
import Synchronization
import XMPPCore
import XMPPTransport

@testable import XMPP

/// An `XMPPChannelHandler` on an `EmbeddedChannel`, with the server played
/// by the test: it feeds bytes in, reads what the client wrote, advances
/// the clock for deadlines.
final class SessionHandlerHarness {
    let channel = EmbeddedChannel()
    let logs = RecordedLogs()
    private let outcomeBox = Locked<Result<XMPPChannelHandler.NegotiationOutcome, any Error>?>(nil)
    let inbound: InboundElements
    /// Inbound IQ requests the machine gave to a handler.
    let requests: AsyncStream<InboundIQRequest>
    /// Where the handler hands them over (and stops at the session's end).
    let handedOver = InboundIQRequests()
    /// The handler, for the calls the connection makes on the event loop.
    let handler: XMPPChannelHandler
    let tlsHandlersMade = Locked(0)

    init(
        transport: SessionStateMachine.Transport,
        configuration: SessionStateMachine.Configuration = SessionTest.configuration(),
        makeTLSHandler: @escaping XMPPChannelHandler.TLSHandlerFactory = { throw SessionHandlerHarness.NoTLS() },
        quickAcknowledgements: XMPPConnection.Configuration.QuickAcknowledgements? = nil
    ) throws {
        let (stream, queue) = InboundElements.makeStream()
        inbound = stream
        let (requestStream, requestContinuation) = AsyncStream<InboundIQRequest>.makeStream()
        requests = requestStream
        // What the handler hands over, as the test reads it.
        handedOver.answer(with: { requestContinuation.yield($0) }, preferring: nil)
        let promise = channel.eventLoop.makePromise(of: XMPPChannelHandler.NegotiationOutcome.self)
        let box = outcomeBox
        promise.futureResult.whenComplete { result in box.value = result }
        var logger = Logger(label: "test", factory: { [logs] _ in RecordingLogHandler(logs: logs) })
        logger.logLevel = .trace
        let counter = tlsHandlersMade
        let handler = XMPPChannelHandler(
            machine: SessionStateMachine(configuration: configuration),
            transport: transport,
            limits: XMLStreamReader.Limits(),
            makeTLSHandler: {
                counter.value += 1
                return try makeTLSHandler()
            },
            negotiation: promise,
            holdLimit: 256,
            quickAcknowledgements: quickAcknowledgements ?? .whileNegotiating,
            requests: handedOver,
            logger: logger)
        self.handler = handler
        // As the connector sets a channel up: quick ACKs first in line.
        if quickAcknowledgements != nil {
            try channel.pipeline.syncOperations.addHandler(QuickAckHandler(), name: QuickAckHandler.name)
        }
        // Everything delivered, as `connection.elements()` would see it.
        _ = handler.router.subscribe(filter: { _ in true }, queue: queue)
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 5222)).wait()
    }

    /// Tears the channel down. `EmbeddedChannel` removes its handlers (which
    /// breaks the cycle between its pipeline and their contexts) in a task
    /// on its event loop, and that loop runs only when told to: without this
    /// every harness leaked its channel, handler and reader (LeakSanitizer).
    /// A channel still open is closed the way the handler closes (its close
    /// deadline passes).
    deinit {
        channel.close(promise: nil)
        channel.embeddedEventLoop.advanceTime(by: .hours(1))
    }

    struct NoTLS: Error {}

    /// How negotiation ended, or `nil` while it runs.
    var outcome: Result<XMPPChannelHandler.NegotiationOutcome, any Error>? { outcomeBox.value }

    /// The error negotiation failed with, as an `XMPPClientError`.
    var failure: XMPPClientError? {
        guard case .failure(let error) = outcome else { return nil }
        return error as? XMPPClientError
    }

    /// The session, once established.
    var session: SessionStateMachine.EstablishedSession? {
        guard case .success(.established(let session)) = outcome else { return nil }
        return session
    }

    /// The server sends `text` in one read.
    func serverSends(_ text: String) throws {
        try channel.writeInbound(ByteBuffer(string: text))
    }

    /// The server sends `text` one byte per read.
    func serverSendsBytewise(_ text: String) throws {
        for byte in Array(text.utf8) {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
        }
    }

    /// Everything the client wrote since the last call, as text.
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

    /// Everything the client wrote since the last call, as raw bytes.
    func clientWroteBytes() throws -> [UInt8] {
        // A real loop runs the turn's queued tasks, the handler's
        // end-of-turn flush among them.
        channel.embeddedEventLoop.run()
        var bytes: [UInt8] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            bytes += buffer.readableBytesView
        }
        return bytes
    }

    /// Reads the inbound stream to its end (it must end: the channel closed).
    func drainInbound() async -> (elements: [XMLElement], error: (any Error)?) {
        var elements: [XMLElement] = []
        do {
            for try await element in inbound { elements.append(element) }
            return (elements, nil)
        } catch {
            return (elements, error)
        }
    }
}

/// Server lines for the scripted tests.
enum ScriptedServer {
    static let header =
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
        + "from='example.com' id='s1' version='1.0'>"
    static let startTLSFeatures =
        "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>"
    static let plainFeatures =
        "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>"
    static let proceed = "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
    static let success = "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"
    static let bindFeatures =
        "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
        + "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session></stream:features>"
    static let bindResult =
        "<iq type='result' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>alice@example.com/r1</jid></bind></iq>"
    static let chat =
        "<message from='bob@example.com/x' to='alice@example.com/r1' type='chat' id='m1'><body>hi</body></message>"
    static let end = "</stream:stream>"
}

/// A value behind a lock, shareable between a test and callbacks.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    var value: Value {
        get { mutex.withLock { $0 } }
        set { mutex.withLock { $0 = newValue } }
    }
}

/// Log records, shared between a test and its handlers.
final class RecordedLogs: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let records = Mutex<[Record]>([])

    func append(_ record: Record) { records.withLock { $0.append(record) } }
    var all: [Record] { records.withLock { $0 } }
}

/// A swift-log handler that records everything into ``RecordedLogs``.
struct RecordingLogHandler: LogHandler {
    let logs: RecordedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        for (key, value) in event.metadata ?? [:] { merged[key] = value }
        logs.append(.init(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
    }
}
