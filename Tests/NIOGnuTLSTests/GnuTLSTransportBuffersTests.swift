import NIOCore
import NIOGnuTLS
import Testing

extension NIOGnuTLSTests {
    @Suite("The in-memory transport under GnuTLS")
    struct TransportBuffersTests {
        private func pull(_ transport: GnuTLSTransportBuffers, upTo count: Int) -> (GnuTLSTransportBuffers.PullResult, [UInt8]) {
            var bytes = [UInt8](repeating: 0, count: count)
            let result = bytes.withUnsafeMutableBytes { transport.pull(into: $0) }
            if case .bytes(let pulled) = result { return (result, Array(bytes.prefix(pulled))) }
            return (result, [])
        }

        @Test("an empty transport would block, and reports EOF only once marked")
        func emptyTransport() {
            let transport = GnuTLSTransportBuffers(allocator: ByteBufferAllocator())
            #expect(!transport.isReadable)
            #expect(pull(transport, upTo: 8).0 == .wouldBlock)
            transport.markEndOfFile()
            #expect(transport.isReadable)
            #expect(transport.isAtEndOfFile)
            #expect(pull(transport, upTo: 8).0 == .endOfFile)
        }

        @Test("pulls copy in order across received buffers, in pieces of any size")
        func pullsAcrossBuffers() {
            let transport = GnuTLSTransportBuffers(allocator: ByteBufferAllocator())
            transport.receive(ByteBuffer(bytes: [1, 2, 3]))
            transport.receive(ByteBuffer())
            transport.receive(ByteBuffer(bytes: [4, 5, 6, 7]))
            #expect(transport.inboundByteCount == 7)

            #expect(pull(transport, upTo: 2) == (.bytes(2), [1, 2]))
            // A pull stops at a buffer boundary rather than stitching buffers.
            #expect(pull(transport, upTo: 5) == (.bytes(1), [3]))
            #expect(pull(transport, upTo: 10) == (.bytes(4), [4, 5, 6, 7]))
            #expect(pull(transport, upTo: 10).0 == .wouldBlock)
            #expect(transport.bytesPulled == 7)
        }

        @Test("the first record's length comes from its header once the header is all in; unpulled bytes are seen without a sum")
        func firstRecordLength() {
            let transport = GnuTLSTransportBuffers(allocator: ByteBufferAllocator())
            #expect(transport.firstRecordLength == nil)
            #expect(!transport.hasUnpulledBytes)
            transport.receive(ByteBuffer(bytes: [23, 3, 3, 0x01]))
            #expect(transport.firstRecordLength == nil)
            #expect(transport.hasUnpulledBytes)
            transport.receive(ByteBuffer())
            #expect(transport.firstRecordLength == nil)
            let transport2 = GnuTLSTransportBuffers(allocator: ByteBufferAllocator())
            transport2.receive(ByteBuffer(bytes: [23, 3, 3, 0x01, 0x2C, 0xAA]))
            #expect(transport2.firstRecordLength == 5 + 300)
            #expect(pull(transport2, upTo: 6) == (.bytes(6), [23, 3, 3, 0x01, 0x2C, 0xAA]))
            #expect(!transport2.hasUnpulledBytes)
            #expect(transport2.firstRecordLength == nil)
        }

        @Test("bytes queued before EOF are still pulled before EOF is reported")
        func dataBeforeEndOfFile() {
            let transport = GnuTLSTransportBuffers(allocator: ByteBufferAllocator())
            transport.receive(ByteBuffer(bytes: [9, 8]))
            transport.markEndOfFile()
            #expect(pull(transport, upTo: 4) == (.bytes(2), [9, 8]))
            #expect(pull(transport, upTo: 4).0 == .endOfFile)
        }

        @Test("a zero-length pull does nothing")
        func zeroLengthPull() {
            let transport = GnuTLSTransportBuffers(allocator: ByteBufferAllocator())
            transport.receive(ByteBuffer(bytes: [1]))
            #expect(pull(transport, upTo: 0).0 == .bytes(0))
            #expect(transport.inboundByteCount == 1)
        }

        @Test("pushes gather into one buffer that is taken once")
        func pushesGather() {
            let transport = GnuTLSTransportBuffers(allocator: ByteBufferAllocator())
            #expect(transport.takeOutbound() == nil)
            let first: [UInt8] = [1, 2, 3]
            let second = [UInt8](repeating: 7, count: 5000)
            #expect(first.withUnsafeBytes { transport.push($0) } == 3)
            #expect(second.withUnsafeBytes { transport.push($0) } == 5000)
            #expect([UInt8]().withUnsafeBytes { transport.push($0) } == 0)
            #expect(transport.bytesPushed == 5003)
            let taken = transport.takeOutbound()
            #expect(taken.map { Array($0.readableBytesView) } == first + second)
            #expect(transport.takeOutbound() == nil)
        }

        @Test("unpulled inbound bytes can be taken back, merged")
        func takeUnpulled() {
            let transport = GnuTLSTransportBuffers(allocator: ByteBufferAllocator())
            transport.receive(ByteBuffer(bytes: [1, 2, 3]))
            transport.receive(ByteBuffer(bytes: [4]))
            _ = pull(transport, upTo: 1)
            #expect(transport.takeUnpulledInbound().map { Array($0.readableBytesView) } == [2, 3, 4])
            #expect(transport.takeUnpulledInbound() == nil)
            #expect(!transport.isReadable)
        }
    }
}
