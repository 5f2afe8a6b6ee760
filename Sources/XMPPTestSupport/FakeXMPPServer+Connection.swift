internal import Glibc
internal import NIOCore
public import XMPPCore

extension FakeXMPPServer {
    /// One client connection, driven by the test script: read what the
    /// client sends, write raw XML, close it in the way the test needs.
    ///
    /// One task at a time may wait on a connection's input (a second waiter
    /// fails with kind `concurrentWait`). Writes may come from any task.
    public final class Connection: Sendable {
        /// The position in accept order, from 0.
        public let index: Int
        /// The server's identity and account.
        public let settings: Settings
        let channel: any Channel
        let state: FakeXMPPServerConnectionState

        init(index: Int, channel: any Channel, state: FakeXMPPServerConnectionState, settings: Settings) {
            self.index = index
            self.channel = channel
            self.state = state
            self.settings = settings
        }

        // MARK: Observation

        /// Everything read and written, in order (plaintext: after TLS for
        /// the client's bytes, before TLS for ours), with notes.
        public var transcript: [TranscriptEntry] { state.transcript }

        /// The transcript as text, one entry a line (`C:`, `S:`, `--`).
        public var transcriptText: String { transcript.map(\.description).joined(separator: "\n") }

        /// Whether the connection has closed.
        public var isClosed: Bool { state.isClosed }

        /// Whether the connection closed without the script asking for it.
        public var isClosedByClient: Bool { state.isClosed && !state.closeRequestedByServer }

        /// Whether the client sent `</stream:stream>`.
        public var clientEndedStream: Bool { state.clientEndedStream }

        /// Whether TLS was started on this connection.
        public var isTLSActive: Bool { state.isTLSActive }

        /// Stanzas (message, presence, iq) the client sent on the current
        /// stream, counted as they arrive, read or not: the `h` a server
        /// acknowledging all of them would send, when stream management was
        /// enabled before the first.
        public var receivedStanzaCount: Int { state.stanzaCount }

        /// The id the server's current stream header carries.
        public var streamID: String { "fake-\(index)-\(state.streamCount)" }

        /// Events the client sent that the script has not read yet.
        public var unreadEventCount: Int { state.events.count }

        /// `error` with the transcript's tail attached.
        func failure(_ error: FakeXMPPServerError) -> FakeXMPPServerError {
            error.with(transcriptTail: state.transcriptTail())
        }

        /// A failure of `kind` with the transcript's tail attached.
        func failure(_ kind: FakeXMPPServerError.Kind, _ detail: String) -> FakeXMPPServerError {
            failure(FakeXMPPServerError(kind, detail))
        }

        // MARK: Reading

        /// The next thing the client sent: a stream header, a top-level
        /// element, or the stream's end.
        /// - Throws: ``FakeXMPPServerError``: `timeout`, `connectionClosed`
        ///   (once everything sent before the close was read), `malformedXML`.
        public func nextEvent(timeout: Duration = .seconds(5)) async throws(FakeXMPPServerError) -> XMLStreamEvent {
            do {
                return try await state.events.next(timeout: timeout, what: "input from the client")
            } catch {
                throw failure(error)
            }
        }

        /// The next top-level element the client sent.
        /// - Throws: ``FakeXMPPServerError``; kind `unexpected` for a stream
        ///   header or the stream's end.
        public func read(timeout: Duration = .seconds(5)) async throws(FakeXMPPServerError) -> XMLElement {
            switch try await nextEvent(timeout: timeout) {
            case .element(let element): return element
            case .streamStart(let header): throw failure(.unexpected, "expected an element, got a stream header \(header)")
            case .streamEnd: throw failure(.unexpected, "expected an element, got </stream:stream>")
            }
        }

        /// The client's next stream header.
        public func readStreamHeader(timeout: Duration = .seconds(5)) async throws(FakeXMPPServerError) -> XMLStreamHeader {
            switch try await nextEvent(timeout: timeout) {
            case .streamStart(let header): return header
            case .element(let element): throw failure(.unexpected, "expected a stream header, got \(Self.describe(element))")
            case .streamEnd: throw failure(.unexpected, "expected a stream header, got </stream:stream>")
            }
        }

        /// The next element, which must be `localName` in `namespace`.
        /// - Throws: ``FakeXMPPServerError`` of kind `unexpected` naming what came instead.
        @discardableResult
        public func expect(
            localName: String, namespace: String, timeout: Duration = .seconds(5)
        ) async throws(FakeXMPPServerError) -> XMLElement {
            let element = try await read(timeout: timeout)
            guard element.name.localName == localName, element.name.namespace == namespace else {
                throw failure(.unexpected, "expected {\(namespace)}\(localName), got \(Self.describe(element))")
            }
            return element
        }

        /// Reads until an element matching `predicate` arrives, within one
        /// overall deadline.
        /// - Returns: The match and the elements read before it.
        public func read(
            until predicate: (XMLElement) -> Bool, timeout: Duration = .seconds(5)
        ) async throws(FakeXMPPServerError) -> (match: XMLElement, skipped: [XMLElement]) {
            let deadline = ContinuousClock.now.advanced(by: timeout)
            var skipped: [XMLElement] = []
            // Bounded by the deadline: each pass waits at most what is left.
            while true {
                let left = ContinuousClock.now.duration(to: deadline)
                guard left > .zero else {
                    throw failure(.timeout, "no matching element within \(timeout); skipped \(skipped.count)")
                }
                let element = try await read(timeout: left)
                if predicate(element) { return (element, skipped) }
                skipped.append(element)
            }
        }

        /// Waits for the client's `</stream:stream>`, skipping elements (a
        /// final `<a/>`, say) on the way.
        /// - Returns: The elements skipped.
        @discardableResult
        public func expectStreamEnd(timeout: Duration = .seconds(5)) async throws(FakeXMPPServerError) -> [XMLElement] {
            let deadline = ContinuousClock.now.advanced(by: timeout)
            var skipped: [XMLElement] = []
            while true {
                let left = ContinuousClock.now.duration(to: deadline)
                guard left > .zero else { throw failure(.timeout, "no </stream:stream> within \(timeout)") }
                switch try await nextEvent(timeout: left) {
                case .streamEnd: return skipped
                case .element(let element): skipped.append(element)
                case .streamStart(let header): throw failure(.unexpected, "expected </stream:stream>, got a header \(header)")
                }
            }
        }

        /// Waits until the connection is closed (by either side).
        public func waitUntilClosed(timeout: Duration = .seconds(5)) async throws(FakeXMPPServerError) {
            do {
                try await FakeXMPPServer.bounded(channel.closeFuture, timeout: timeout, what: "waiting for the close")
            } catch {
                throw failure(error)
            }
        }

        /// `<{namespace}name …>`, for failure messages.
        static func describe(_ element: XMLElement) -> String {
            let attributes = element.attributes.map { "\($0.name.localName)='\($0.value)'" }.joined(separator: " ")
            return "<{\(element.name.namespace)}\(element.name.localName)\(attributes.isEmpty ? "" : " " + attributes)>"
        }

        // MARK: Writing

        /// Writes `text` as is (through TLS once started).
        public func send(_ text: String, timeout: Duration = .seconds(5)) async throws(FakeXMPPServerError) {
            try await write(Array(text.utf8), restartingStream: false, timeout: timeout)
        }

        /// Writes `bytes` as is (through TLS once started).
        public func send(bytes: [UInt8], timeout: Duration = .seconds(5)) async throws(FakeXMPPServerError) {
            try await write(bytes, restartingStream: false, timeout: timeout)
        }

        /// Writes `bytes` straight to the socket, under TLS: garbage in the
        /// middle of the record stream.
        public func sendBypassingTLS(_ bytes: [UInt8], timeout: Duration = .seconds(5)) async throws(FakeXMPPServerError) {
            let channel = self.channel
            let state = self.state
            let future = channel.eventLoop.flatSubmit { () -> EventLoopFuture<Void> in
                state.record(.note, "\(bytes.count) raw bytes written under TLS")
                do {
                    let socket = try channel.pipeline.syncOperations.context(handlerType: FakeServerSocketHandler.self)
                    return socket.writeAndFlush(NIOAny(channel.allocator.buffer(bytes: bytes)))
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            do {
                try await FakeXMPPServer.bounded(future, timeout: timeout, what: "writing under TLS")
            } catch {
                throw failure(error)
            }
        }

        /// Writes `bytes`; with `restartingStream`, the reader expects a new
        /// stream header from then on. The reset happens on the event loop
        /// before the write, so the client's answer cannot come first.
        func write(
            _ bytes: [UInt8], restartingStream: Bool, timeout: Duration
        ) async throws(FakeXMPPServerError) {
            let channel = self.channel
            let state = self.state
            let future = channel.eventLoop.flatSubmit { () -> EventLoopFuture<Void> in
                do {
                    if restartingStream {
                        try channel.pipeline.syncOperations.handler(type: FakeServerStreamHandler.self).restartStream()
                    }
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
                state.record(.server, String(decoding: bytes, as: UTF8.self))
                return channel.writeAndFlush(channel.allocator.buffer(bytes: bytes))
            }
            do {
                try await FakeXMPPServer.bounded(future, timeout: timeout, what: "writing to the client")
            } catch {
                throw failure(error)
            }
        }

        // MARK: Closing

        /// Closes with a TCP RST (`SO_LINGER` {1, 0}), no `close_notify`, no
        /// stream close: a crashed server or a middlebox dropping state.
        public func reset(timeout: Duration = .seconds(5)) async throws(FakeXMPPServerError) {
            try await closeBelowTLS(note: "fake server resets the connection", timeout: timeout) { channel, socket in
                if let provider = channel as? any SocketOptionProvider {
                    // On the loop this sets the option at once.
                    _ = provider.setSoLinger(linger(l_onoff: 1, l_linger: 0))
                }
                socket.close(promise: nil)
            }
        }

        /// Closes with a TCP FIN and nothing else: no `</stream:stream>`, no
        /// `close_notify` (a server process that died). The output is shut
        /// down first and the socket closed when the client closes too, or
        /// after `backstop`; closing at once would turn the FIN into a RST
        /// whenever bytes from the client were still unread.
        public func closeTCP(
            backstop: Duration = .seconds(2), timeout: Duration = .seconds(5)
        ) async throws(FakeXMPPServerError) {
            try await closeBelowTLS(note: "fake server closes TCP (FIN)", timeout: timeout) { channel, socket in
                guard backstop > .zero else {
                    socket.close(promise: nil)
                    return
                }
                socket.close(mode: .output, promise: nil)
                channel.eventLoop.scheduleTask(in: TimeAmount(backstop)) { channel.close(promise: nil) }
            }
        }

        /// Sends `</stream:stream>`, waits (at most `waitForClient`) for the
        /// client's own stream end or close, then closes (TLS `close_notify`
        /// first, when TLS is up).
        public func closeStream(
            waitForClient: Duration = .seconds(2), timeout: Duration = .seconds(5)
        ) async throws(FakeXMPPServerError) {
            state.serverWillClose()
            if !state.isClosed { try await send("</stream:stream>", timeout: timeout) }
            _ = await pollUntil(timeout: waitForClient) { state.clientEndedStream || state.isClosed }
            channel.close(promise: nil)
            try await waitUntilClosed(timeout: timeout)
        }

        /// Runs `close` on the loop with the socket handler's context, then
        /// waits until the channel is closed.
        private func closeBelowTLS(
            note: String, timeout: Duration,
            _ close: @escaping @Sendable (any Channel, ChannelHandlerContext) -> Void
        ) async throws(FakeXMPPServerError) {
            state.serverWillClose()
            let channel = self.channel
            let state = self.state
            channel.eventLoop.execute {
                guard channel.isActive, let socket = try? channel.pipeline.syncOperations.context(
                    handlerType: FakeServerSocketHandler.self)
                else { return }
                state.record(.note, note)
                close(channel, socket)
            }
            try await waitUntilClosed(timeout: timeout)
        }

        /// Starts TLS as the server side of STARTTLS: writes `<proceed/>` in
        /// plaintext, then puts the TLS handler under the stream handler and
        /// restarts the stream, all in one event-loop turn.
        func proceedWithTLS(timeout: Duration) async throws(FakeXMPPServerError) {
            let channel = self.channel
            let state = self.state
            let tls = settings.tls
            let proceed = "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
            let future = channel.eventLoop.flatSubmit { () -> EventLoopFuture<Void> in
                state.record(.server, proceed)
                let written = channel.writeAndFlush(channel.allocator.buffer(string: proceed))
                do {
                    let operations = channel.pipeline.syncOperations
                    let socket = try operations.handler(type: FakeServerSocketHandler.self)
                    try operations.addHandler(GnuTLSServerHandler(context: tls), position: .after(socket))
                    try operations.handler(type: FakeServerStreamHandler.self).restartStream()
                    state.tlsStarted()
                    state.record(.note, "TLS started")
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
                return written
            }
            do {
                try await FakeXMPPServer.bounded(future, timeout: timeout, what: "starting TLS")
            } catch {
                throw failure(error)
            }
        }
    }
}
