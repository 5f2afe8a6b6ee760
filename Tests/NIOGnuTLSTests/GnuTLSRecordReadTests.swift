import NIOCore
import NIOEmbedded
import NIOGnuTLS
import Testing
import XMPPTestSupport

extension NIOGnuTLSTests {
    /// How the handler reads the records of a conversation: most reads hold
    /// one whole record (one stanza), which is decrypted into a buffer of
    /// that record's size and handed on without another call into GnuTLS.
    @Suite("Reads of one record")
    struct RecordReadTests {
        /// The ciphertext the server produced for `payload`, flushed as one
        /// write (one record up to 16 KiB of plaintext).
        static func ciphertext(of payload: ByteBuffer, from pair: BackToBackChannels) throws -> ByteBuffer {
            try pair.server.writeAndFlush(payload).wait()
            pair.server.embeddedEventLoop.run()
            var ciphertext = ByteBuffer()
            while var bytes = try pair.server.readOutbound(as: ByteBuffer.self) { ciphertext.writeBuffer(&bytes) }
            return ciphertext
        }

        @Test("a stanza-sized record alone in a read is decrypted into a buffer of about its size")
        func smallRecordSmallBuffer() throws {
            let pair = try BackToBackChannels(clientContext: try TestContexts.client(), serverContext: try TestContexts.server())
            defer { try? pair.tearDown() }
            try pair.handshake()

            let stanza = "<message to='juliet@xmpp.test/balcony' type='chat'><body>"
                + String(repeating: "wherefore art thou ", count: 10) + "</body></message>"
            for round in 0..<3 {
                pair.clientRecorder.resetReads()
                let ciphertext = try Self.ciphertext(of: ByteBuffer(stanza), from: pair)
                try pair.client.writeInbound(ciphertext)
                pair.client.pipeline.fireChannelReadComplete()
                #expect(pair.clientRecorder.receivedString == stanza, "round \(round)")
                #expect(pair.clientRecorder.readCount == 1)
                #expect(pair.clientRecorder.readCompleteCount == 1)
                // Sized from the record's header, not the 16 KiB a record can
                // hold (NIO rounds a capacity up to a power of two).
                #expect(pair.clientRecorder.largestReadCapacity >= stanza.utf8.count)
                #expect(pair.clientRecorder.largestReadCapacity <= 1024)
            }
        }

        @Test("a full 16 KiB record alone in a read arrives whole")
        func fullRecordAlone() throws {
            let pair = try BackToBackChannels(clientContext: try TestContexts.client(), serverContext: try TestContexts.server())
            defer { try? pair.tearDown() }
            try pair.handshake()

            let payload = (0..<(16 << 10)).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 5) }
            let ciphertext = try Self.ciphertext(of: ByteBuffer(bytes: payload), from: pair)
            try pair.client.writeInbound(ciphertext)
            #expect(pair.clientRecorder.received == payload)
            #expect(pair.clientRecorder.readCount == 1)
        }

        @Test("a record and the start of the next in one read: the first now, the second when its rest arrives",
            arguments: [1, 5, 6, 40])
        func recordThenPartialRecord(bytesOfSecond: Int) throws {
            let pair = try BackToBackChannels(clientContext: try TestContexts.client(), serverContext: try TestContexts.server())
            defer { try? pair.tearDown() }
            try pair.handshake()

            var first = try Self.ciphertext(of: ByteBuffer("<presence/>"), from: pair)
            var second = try Self.ciphertext(of: ByteBuffer("<message><body>hi</body></message>"), from: pair)
            var read = ByteBuffer()
            read.writeBuffer(&first)
            let head = second.readSlice(length: bytesOfSecond)
            read.writeImmutableBuffer(try #require(head))
            try pair.client.writeInbound(read)
            #expect(pair.clientRecorder.receivedString == "<presence/>")
            #expect(pair.clientRecorder.readCount == 1)

            try pair.client.writeInbound(second)
            #expect(pair.clientRecorder.receivedString == "<presence/><message><body>hi</body></message>")
            #expect(pair.clientRecorder.readCount == 2)
            #expect(pair.clientRecorder.gnuTLSErrors.isEmpty)
        }
    }
}
