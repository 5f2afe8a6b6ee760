import NIOCore
import NIOGnuTLS
import NIOTLS
import XMPPCore

/// What an ``XMLStreamHandler`` saw, in the order it happened.
enum XMLStreamItem: Sendable {
    /// A stream header, a top-level element or the stream end, as the
    /// reader parsed it.
    case event(XMLStreamEvent)
    /// A TLS event from a TLS handler ahead in the pipeline (a finished
    /// handshake, the peer's `close_notify`).
    case tls(TLSUserEvent)
    /// An error: the reader's (bad XML) or one from a handler ahead (TLS).
    case error(any Error)
    /// The channel closed; nothing follows.
    case inactive
}

/// Feeds a channel's inbound bytes into an `XMLStreamReader` and reports
/// what it parses, with errors, TLS events and the channel closing, through
/// an `AsyncStream`.
///
/// Test support for talking to a real server by hand, not a session layer:
/// it neither judges nor answers anything. It sits at the end of the
/// pipeline; a TLS handler added later goes in front of it.
final class XMLStreamHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    /// The reader; only touched on the channel's event loop.
    let reader = XMLStreamReader()
    private let continuation: AsyncStream<XMLStreamItem>.Continuation
    /// Once the reader has failed every later read repeats the same error,
    /// so later bytes are dropped rather than reported again and again.
    private var readerFailed = false

    /// Creates a handler that reports into `continuation`.
    init(continuation: AsyncStream<XMLStreamItem>.Continuation) {
        self.continuation = continuation
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // A channel that closed before we got here never sends us
        // channelInactive; say so now, or a waiter would only time out.
        if !context.channel.isActive {
            continuation.yield(.inactive)
            continuation.finish()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        continuation.finish()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard !readerFailed else { return }
        var events: [XMLStreamEvent] = []
        var failure: (any Error)?
        buffer.withUnsafeReadableBytes { bytes in
            do {
                try reader.read(bytes, into: &events)
            } catch {
                failure = error
            }
        }
        // The reader hands over what it completed before a failure, so the
        // events go first, in order, then the error.
        for event in events {
            continuation.yield(.event(event))
        }
        if let failure {
            readerFailed = true
            continuation.yield(.error(failure))
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent {
            continuation.yield(.tls(tlsEvent))
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The last handler: reported here, not passed to the pipeline's tail.
        continuation.yield(.error(error))
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.yield(.inactive)
        continuation.finish()
        context.fireChannelInactive()
    }
}

/// Why waiting on an ``XMLStreamChannel`` did not give the test what it
/// wanted.
struct XMLStreamChannelError: Error, CustomStringConvertible {
    /// What happened instead.
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// A connected channel with an ``XMLStreamHandler`` at the end of its
/// pipeline: send stream headers and elements, wait (bounded) for what the
/// server answers, upgrade to TLS in place.
///
/// Waits are sequential: one `next` at a time (an `AsyncStream` has a single
/// consumer).
struct XMLStreamChannel: Sendable {
    /// How long a wait lasts by default; a live loopback server answers in
    /// milliseconds, so this only bounds a broken run.
    static let defaultTimeout: Duration = .seconds(5)

    /// The underlying channel.
    let channel: any Channel
    private let items: AsyncStream<XMLStreamItem>

    /// Appends an ``XMLStreamHandler`` to `channel`'s pipeline. Add it before
    /// sending anything, so that no answer can arrive before it is there.
    init(attachingTo channel: any Channel) async throws {
        let (items, continuation) = AsyncStream.makeStream(of: XMLStreamItem.self)
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(XMLStreamHandler(continuation: continuation))
        }.get()
        self.channel = channel
        self.items = items
    }

    // MARK: Waiting

    /// The next item, or an ``XMLStreamChannelError`` if none arrives within
    /// `timeout` or the stream has finished (after ``XMLStreamItem/inactive``).
    ///
    /// After a timeout the stream is finished too (cancelling a waiting
    /// `AsyncStream` consumer ends it), which is fine: the test has failed.
    func next(timeout: Duration = defaultTimeout) async throws -> XMLStreamItem {
        let items = self.items
        let result: XMLStreamItem?? = try await withThrowingTaskGroup(of: XMLStreamItem?.self) { group in
            group.addTask {
                var iterator = items.makeAsyncIterator()
                return await iterator.next()
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw XMLStreamChannelError("nothing arrived within \(timeout)")
            }
            defer { group.cancelAll() }
            return try await group.next()
        }
        guard let item = result ?? nil else {
            throw XMLStreamChannelError("the stream has finished: the channel closed earlier")
        }
        return item
    }

    /// The next parsed event. An error item is thrown as it is (a TLS or XML
    /// failure surfaces with its own type); a TLS event or the channel
    /// closing throws ``XMLStreamChannelError``.
    func nextEvent(timeout: Duration = defaultTimeout) async throws -> XMLStreamEvent {
        switch try await next(timeout: timeout) {
        case .event(let event): return event
        case .error(let error): throw error
        case .tls(let event): throw XMLStreamChannelError("expected XML, got the TLS event \(event)")
        case .inactive: throw XMLStreamChannelError("expected XML, but the channel closed")
        }
    }

    /// The next event, which must be a stream header.
    func nextHeader(timeout: Duration = defaultTimeout) async throws -> XMLStreamHeader {
        let event = try await nextEvent(timeout: timeout)
        guard case .streamStart(let header) = event else {
            throw XMLStreamChannelError("expected a stream header, got \(event)")
        }
        return header
    }

    /// The next event, which must be a top-level element.
    func nextElement(timeout: Duration = defaultTimeout) async throws -> XMLElement {
        let event = try await nextEvent(timeout: timeout)
        guard case .element(let element) = event else {
            throw XMLStreamChannelError("expected an element, got \(event)")
        }
        return element
    }

    /// Waits for `TLSUserEvent.handshakeCompleted` and returns the ALPN
    /// protocol it names. A TLS failure (a refused certificate) is thrown as
    /// the handler reported it.
    func handshakeCompleted(timeout: Duration = defaultTimeout) async throws -> String? {
        let item = try await next(timeout: timeout)
        switch item {
        case .tls(.handshakeCompleted(let negotiatedProtocol)): return negotiatedProtocol
        case .error(let error): throw error
        default: throw XMLStreamChannelError("expected the TLS handshake to complete, got \(item)")
        }
    }

    /// Waits until the channel closes; returns the items that came before.
    func closed(timeout: Duration = defaultTimeout) async throws -> [XMLStreamItem] {
        var before: [XMLStreamItem] = []
        while true {
            let item = try await next(timeout: timeout)
            if case .inactive = item { return before }
            before.append(item)
        }
    }

    // MARK: Sending

    /// Writes and flushes raw bytes.
    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
    }

    /// Writes one element in the scope of a client stream header.
    func send(_ element: XMLElement) async throws {
        try await send(XMLWriter().bytes(element))
    }

    /// Opens a client stream to `domain` (RFC 6120 §4.7: `to`, version 1.0,
    /// `jabber:client`), with an XML declaration.
    func sendStreamHeader(to domain: String) async throws {
        let header = XMLStreamHeader(
            name: XMLQualifiedName("stream", namespace: XMLNamespace.streams),
            attributes: [
                XMLAttribute("to", value: domain),
                XMLAttribute("version", value: "1.0"),
                XMLAttribute(.xmlLang, value: "en"),
            ],
            namespaceDeclarations: ["": XMLNamespace.client, "stream": XMLNamespace.streams])
        try await send(XMLWriter.streamOpening(header))
    }

    // MARK: The reader

    /// The reader's ``XMLStreamReader/unconsumedByteCount`` after the last
    /// chunk; read on the event loop, where the reader lives.
    func unconsumedByteCount() async throws -> Int {
        try await channel.eventLoop.submit { [channel] in
            try channel.pipeline.syncOperations.handler(type: XMLStreamHandler.self).reader.unconsumedByteCount
        }.get()
    }

    /// Resets the reader for the restarted stream (after TLS or SASL).
    func resetReader() async throws {
        try await channel.eventLoop.submit { [channel] in
            try channel.pipeline.syncOperations.handler(type: XMLStreamHandler.self).reader.reset()
        }.get()
    }

    // MARK: TLS

    /// STARTTLS after `<proceed/>`: puts a `GnuTLSClientHandler` at the front
    /// of the pipeline, which starts the handshake at once; await
    /// ``handshakeCompleted(timeout:)`` next. The handler is made on the
    /// event loop, where it must live.
    func startTLS(context: GnuTLSContext, serverName: String, verificationName: String? = nil) async throws {
        try await channel.eventLoop.submit { [channel] in
            let handler = try GnuTLSClientHandler(context: context, serverName: serverName, verificationName: verificationName)
            try channel.pipeline.syncOperations.addHandler(handler, position: .first)
        }.get()
    }

    /// What the TLS handshake negotiated, or `nil` before it completed.
    func connectionInfo() async throws -> GnuTLSConnectionInfo? {
        try await channel.eventLoop.submit { [channel] in
            try channel.pipeline.syncOperations.gnuTLSConnectionInfo()
        }.get()
    }

    /// Closes the channel (a TLS handler sends `close_notify` first); a
    /// channel the server already closed is fine.
    func close() async {
        do {
            try await channel.close()
        } catch ChannelError.alreadyClosed {
            // Closed by the peer or by a failed handshake: nothing to do.
        } catch {
            // A close that fails still leaves the channel closed.
        }
    }
}

/// Runs `body` with an ``XMLStreamChannel`` on `channel` and closes the
/// channel afterwards, whether `body` returned or threw.
func withXMLStream<T>(on channel: any Channel, _ body: (XMLStreamChannel) async throws -> T) async throws -> T {
    let stream: XMLStreamChannel
    do {
        stream = try await XMLStreamChannel(attachingTo: channel)
    } catch {
        try? await channel.close()
        throw error
    }
    do {
        let result = try await body(stream)
        await stream.close()
        return result
    } catch {
        await stream.close()
        throw error
    }
}
