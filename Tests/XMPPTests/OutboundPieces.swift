import NIOCore
import NIOEmbedded
import Synchronization

/// What a client wrote on a testing channel, one top-level piece at a time
/// (a stream header, an element, the stream end, keepalive whitespace),
/// however the handler grouped its writes into buffers: it passes one
/// buffer per flush, so an element and the `<r/>` after it arrive together.
final class OutboundPieces: Sendable {
    private let pending = Mutex<[UInt8]>([])

    /// The next piece, waiting for more writes while it is incomplete.
    func next(from channel: NIOAsyncTestingChannel) async throws -> String {
        while true {
            if let piece = pending.withLock({ Self.takePiece(&$0) }) { return piece }
            let buffer = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
            pending.withLock { $0 += buffer.readableBytesView }
        }
    }

    private static func takePiece(_ bytes: inout [UInt8]) -> String? {
        guard let end = pieceEnd(bytes) else { return nil }
        let piece = String(decoding: bytes[..<end], as: UTF8.self)
        bytes.removeFirst(end)
        return piece
    }

    /// Where the first piece of `bytes` ends; `nil` while it is incomplete.
    static func pieceEnd(_ bytes: [UInt8]) -> Int? {
        let open = UInt8(ascii: "<"), slash = UInt8(ascii: "/")
        guard let first = bytes.first else { return nil }
        guard first == open else { return bytes.firstIndex(of: open) ?? bytes.count }
        if bytes.starts(with: "<?xml".utf8) {
            // A stream header ends with its <stream:stream …> start tag.
            let marker = Array("<stream:stream".utf8)
            guard let start = bytes.indices.first(where: { bytes[$0...].starts(with: marker) }) else { return nil }
            return tagEnd(bytes, from: start).map { $0 + 1 }
        }
        var depth = 0
        var index = 0
        while index < bytes.count {
            guard bytes[index] == open else {
                index += 1
                continue
            }
            guard let end = tagEnd(bytes, from: index), index + 1 < bytes.count else { return nil }
            if bytes[index + 1] == slash {
                depth -= 1
            } else if bytes[end - 1] != slash {
                depth += 1
            }
            index = end + 1
            // Depth -1: a lone end tag (`</stream:stream>`).
            if depth <= 0 { return index }
        }
        return nil
    }

    /// The `>` ending the tag that starts at `start`, outside quoted values.
    private static func tagEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var quote: UInt8?
        for index in start..<bytes.count {
            let byte = bytes[index]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                return index
            }
        }
        return nil
    }
}
