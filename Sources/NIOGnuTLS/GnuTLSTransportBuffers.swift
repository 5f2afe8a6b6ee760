package import NIOCore

/// The in-memory transport under a GnuTLS session: GnuTLS pulls ciphertext
/// the channel received and pushes ciphertext for the channel to send, and
/// never touches a socket.
///
/// Inbound buffers are queued as they arrive and only copied when GnuTLS
/// pulls them. Outbound bytes are gathered into one buffer until the handler
/// takes them, so one GnuTLS call becomes one channel write however many
/// records it produced. An empty inbound queue answers "would block", which
/// GnuTLS (initialised non-blocking) turns into `GNUTLS_E_AGAIN`; after
/// ``markEndOfFile()`` it answers "end of file" instead, which is how GnuTLS
/// learns that the peer went away.
///
/// Not thread-safe: it belongs to one session on one event loop.
package final class GnuTLSTransportBuffers {
    /// What a pull produced.
    package enum PullResult: Hashable, Sendable {
        /// This many bytes were copied.
        case bytes(Int)
        /// Nothing is buffered yet; try again after the next read.
        case wouldBlock
        /// Nothing is buffered and nothing more will come.
        case endOfFile
    }

    private let allocator: ByteBufferAllocator
    private var inbound = CircularBuffer<ByteBuffer>(initialCapacity: 4)
    private var outbound: ByteBuffer?

    /// Whether the peer's side of the connection has ended.
    package private(set) var isAtEndOfFile = false
    /// Bytes handed to GnuTLS so far; with ``bytesPushed``, how the handler
    /// tells a GnuTLS call that did something from one that spun.
    package private(set) var bytesPulled = 0
    /// Bytes GnuTLS produced so far.
    package private(set) var bytesPushed = 0

    /// The session these buffers serve, for `gnutls_transport_set_errno`;
    /// set by ``GnuTLSSession`` and cleared before the session is freed.
    var session: OpaquePointer?

    /// Creates empty buffers whose outbound storage comes from `allocator`.
    package init(allocator: ByteBufferAllocator) {
        self.allocator = allocator
    }

    /// Bytes received and not yet pulled.
    package var inboundByteCount: Int {
        inbound.reduce(0) { $0 + $1.readableBytes }
    }

    /// Whether received bytes wait to be pulled; ``inboundByteCount``
    /// without the sum.
    package var hasUnpulledBytes: Bool { !inbound.isEmpty }

    /// The length, header included, of the record the queued bytes start
    /// with (RFC 8446 §5.1); `nil` while its header is not all here in the
    /// first buffer.
    package var firstRecordLength: Int? {
        guard let first = inbound.first, first.readableBytes >= 5,
            let high = first.getInteger(at: first.readerIndex + 3, as: UInt8.self),
            let low = first.getInteger(at: first.readerIndex + 4, as: UInt8.self)
        else { return nil }
        return 5 + (Int(high) << 8) + Int(low)
    }

    /// Whether a pull would produce anything, bytes or end of file; the
    /// answer to GnuTLS's pull-timeout question.
    package var isReadable: Bool { isAtEndOfFile || !inbound.isEmpty }

    /// Queues ciphertext that arrived from the network.
    package func receive(_ buffer: ByteBuffer) {
        guard buffer.readableBytes > 0 else { return }
        inbound.append(buffer)
    }

    /// Records that no more bytes will arrive.
    package func markEndOfFile() {
        isAtEndOfFile = true
    }

    /// Copies up to `destination.count` queued bytes into `destination`.
    package func pull(into destination: UnsafeMutableRawBufferPointer) -> PullResult {
        guard !destination.isEmpty else { return .bytes(0) }
        guard var first = inbound.first else { return isAtEndOfFile ? .endOfFile : .wouldBlock }
        let count = min(first.readableBytes, destination.count)
        first.withUnsafeReadableBytes { source in
            destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source.prefix(count)))
        }
        first.moveReaderIndex(forwardBy: count)
        if first.readableBytes == 0 {
            inbound.removeFirst()
        } else {
            inbound[inbound.startIndex] = first
        }
        bytesPulled += count
        return .bytes(count)
    }

    /// Appends ciphertext GnuTLS wants sent; returns how many bytes were taken
    /// (always all of them: memory does not push back).
    package func push(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard !bytes.isEmpty else { return 0 }
        if outbound == nil {
            // A TLS record is at most 16 KiB plus overhead; start near one
            // handshake flight and let the buffer grow for big writes.
            outbound = allocator.buffer(capacity: max(bytes.count, 2048))
        }
        outbound?.writeBytes(bytes)
        bytesPushed += bytes.count
        return bytes.count
    }

    /// Takes the ciphertext gathered since the last call, if there is any.
    package func takeOutbound() -> ByteBuffer? {
        defer { outbound = nil }
        return outbound
    }

    /// Takes the inbound bytes GnuTLS never pulled (after the session ended,
    /// they belong to whatever protocol follows).
    package func takeUnpulledInbound() -> ByteBuffer? {
        guard var merged = inbound.popFirst() else { return nil }
        while var next = inbound.popFirst() { merged.writeBuffer(&next) }
        return merged
    }
}
