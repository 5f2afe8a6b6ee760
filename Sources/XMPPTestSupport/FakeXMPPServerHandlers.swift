internal import NIOCore
internal import Synchronization
internal import XMPPCore

/// What one connection's handlers (on its event loop) and the test script
/// (on any task) share: the client's parsed events, the transcript and a
/// few flags, behind a lock.
final class FakeXMPPServerConnectionState: Sendable {
    private struct Value {
        var transcript: [FakeXMPPServer.TranscriptEntry] = []
        var droppedEntries = 0
        var isClosed = false
        var closeRequestedByServer = false
        var clientEndedStream = false
        var stanzaCount = 0
        var streamCount = 1
        var isTLSActive = false
    }

    /// The transcript keeps this many entries; older ones are dropped (and counted).
    static let transcriptLimit = 10_000

    let events: FakeXMPPServerMailbox<XMLStreamEvent>
    private let value = Mutex(Value())

    init(eventLoop: any EventLoop) {
        events = FakeXMPPServerMailbox(eventLoop: eventLoop)
    }

    func record(_ source: FakeXMPPServer.TranscriptEntry.Source, _ text: String) {
        value.withLock { value in
            value.transcript.append(FakeXMPPServer.TranscriptEntry(source: source, text: text))
            if value.transcript.count > Self.transcriptLimit {
                value.transcript.removeFirst(value.transcript.count - Self.transcriptLimit)
                value.droppedEntries += 1
            }
        }
    }

    var transcript: [FakeXMPPServer.TranscriptEntry] { value.withLock { $0.transcript } }

    /// The last `characters` characters of the transcript, one entry a line.
    func transcriptTail(characters: Int = 4_000) -> String {
        let text = transcript.map(\.description).joined(separator: "\n")
        guard text.count > characters else { return text }
        return "…" + text.suffix(characters)
    }

    var isClosed: Bool { value.withLock { $0.isClosed } }
    var closeRequestedByServer: Bool { value.withLock { $0.closeRequestedByServer } }
    var clientEndedStream: Bool { value.withLock { $0.clientEndedStream } }
    var stanzaCount: Int { value.withLock { $0.stanzaCount } }
    var streamCount: Int { value.withLock { $0.streamCount } }
    var isTLSActive: Bool { value.withLock { $0.isTLSActive } }

    func serverWillClose() { value.withLock { $0.closeRequestedByServer = true } }
    func tlsStarted() { value.withLock { $0.isTLSActive = true } }

    func streamRestarted() {
        value.withLock {
            $0.streamCount += 1
            $0.stanzaCount = 0
        }
    }

    func received(_ event: XMLStreamEvent) {
        value.withLock { value in
            switch event {
            case .element(let element) where FakeXMPPServer.isStanza(element): value.stanzaCount += 1
            case .streamEnd: value.clientEndedStream = true
            default: break
            }
        }
        events.push(event)
    }

    func closed() {
        let byServer = value.withLock { value in
            value.isClosed = true
            return value.closeRequestedByServer
        }
        record(.note, byServer ? "connection closed by the fake server" : "connection closed by the client")
        let who = byServer ? "the fake server" : "the client"
        events.finish(FakeXMPPServerError(.connectionClosed, "the connection was closed by \(who)"))
    }
}

/// First in the pipeline, below TLS once it is added: closing or writing
/// through its context skips TLS (a FIN or RST without `close_notify`, raw
/// bytes inside the TLS stream).
final class FakeServerSocketHandler: ChannelOutboundHandler, Sendable {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
}

/// Last in the pipeline: records the client's plaintext and parses it into
/// stream events for the script.
final class FakeServerStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let state: FakeXMPPServerConnectionState
    private let reader = XMLStreamReader()
    private var readerFailed = false

    init(state: FakeXMPPServerConnectionState) {
        self.state = state
    }

    /// A new stream starts (after `<proceed/>` or SASL success): the next
    /// bytes must open with a stream header.
    func restartStream() {
        reader.reset()
        readerFailed = false
        state.streamRestarted()
        state.record(.note, "stream restarted")
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        state.record(.client, String(buffer: buffer))
        guard !readerFailed else { return }
        var events: [XMLStreamEvent] = []
        let result = buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(XMLStreamError) in try reader.read(bytes, into: &events) }
        }
        for event in events { state.received(event) }
        if case .failure(let error) = result {
            readerFailed = true
            state.record(.note, "malformed XML from the client: \(error)")
            state.events.finish(FakeXMPPServerError(.malformedXML, "the client sent malformed XML: \(error)"))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.closed()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        state.record(.note, "event \(event)")
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        state.record(.note, "error \(error)")
        context.close(promise: nil)
    }
}

extension FakeXMPPServer {
    /// Whether `element` is a message, presence or IQ of `jabber:client`.
    static func isStanza(_ element: XMLElement) -> Bool {
        element.name.namespace == XMLNamespace.client
            && ["message", "presence", "iq"].contains(element.name.localName)
    }
}
