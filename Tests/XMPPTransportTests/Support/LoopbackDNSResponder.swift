import NIOCore
import NIOPosix
import Synchronization
import XMPPTransport

/// A UDP DNS server on 127.0.0.1 that answers SRV queries from a table, so
/// that ``SystemDNSResolver`` can be tested through the real libresolv.
///
/// Use ``withLoopbackDNSResponder(_:_:)``: it binds an ephemeral port and
/// closes the socket when the body returns.
enum ZoneEntry: Sendable {
    /// NOERROR with these SRV records (compressed names unless `compress` is false).
    case records([SRVRecord], compress: Bool = true)
    /// NOERROR with raw answers (CNAMEs, foreign owners).
    case answers([DNSResponseBuilder.Answer])
    /// The name does not exist.
    case nxdomain
    /// A response code other than NOERROR/NXDOMAIN, for example 2 (SERVFAIL).
    case responseCode(UInt8)
    /// No reply at all, so the resolver times out.
    case silence
    /// A reply whose answer section is cut off after a few bytes.
    case truncatedAnswer
}

/// Counts the queries a responder received.
final class QueryLog: Sendable {
    private let names = Mutex<[String]>([])

    /// Every query name received, in order.
    var received: [String] { names.withLock { $0 } }

    func record(_ name: String) {
        names.withLock { $0.append(name) }
    }
}

/// Runs `body` with a responder serving `zone` (keys are lower-cased query
/// names); names not in the zone get NXDOMAIN.
func withLoopbackDNSResponder<T: Sendable>(
    _ zone: [String: ZoneEntry],
    _ body: (_ address: SocketAddress, _ log: QueryLog) async throws -> T
) async throws -> T {
    let log = QueryLog()
    let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(DNSResponderHandler(zone: zone, log: log))
            }
        }
        .bind(host: "127.0.0.1", port: 0)
        .get()
    do {
        guard let address = channel.localAddress else { throw ResponderError.noAddress }
        let result = try await body(address, log)
        try await channel.close()
        return result
    } catch {
        try? await channel.close()
        throw error
    }
}

enum ResponderError: Error {
    case noAddress
}

/// Answers each datagram; ignores anything that is not a one-question query.
private final class DNSResponderHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    /// Queries answered at most; a bound so a looping client cannot keep a
    /// test busy.
    private static let maxQueries = 200

    private let zone: [String: ZoneEntry]
    private let log: QueryLog
    private var answered = 0

    init(zone: [String: ZoneEntry], log: QueryLog) {
        self.zone = zone
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard answered < Self.maxQueries, let query = Query(envelope.data) else { return }
        answered += 1
        log.record(query.name)
        guard let reply = reply(to: query) else { return }
        var buffer = context.channel.allocator.buffer(capacity: reply.count)
        buffer.writeBytes(reply)
        context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: buffer)), promise: nil)
    }

    private func reply(to query: Query) -> [UInt8]? {
        switch zone[query.name.lowercased()] ?? .nxdomain {
        case .records(let records, let compress):
            return DNSResponseBuilder.response(
                id: query.id, queryName: query.name, answers: records.map { .srv($0) }, compress: compress)
        case .answers(let answers):
            return DNSResponseBuilder.response(id: query.id, queryName: query.name, answers: answers)
        case .nxdomain:
            return DNSResponseBuilder.response(id: query.id, queryName: query.name, responseCode: 3, answers: [])
        case .responseCode(let code):
            return DNSResponseBuilder.response(id: query.id, queryName: query.name, responseCode: code, answers: [])
        case .silence:
            return nil
        case .truncatedAnswer:
            let full = DNSResponseBuilder.response(
                id: query.id, queryName: query.name,
                answers: [.srv(SRVRecord(priority: 1, weight: 1, port: 5222, target: "xmpp.example.com"))])
            let questionEnd = 12 + query.name.utf8.count + 2 + 4
            return Array(full.prefix(questionEnd + 5))
        }
    }
}

/// The parts of a query the responder needs.
private struct Query {
    var id: UInt16
    var name: String

    init?(_ buffer: ByteBuffer) {
        let bytes = Array(buffer.readableBytesView)
        guard bytes.count >= 12, bytes[4] == 0, bytes[5] == 1 else { return nil }
        id = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        var labels: [String] = []
        var offset = 12
        while offset < bytes.count, bytes[offset] != 0, labels.count < 128 {
            let length = Int(bytes[offset])
            guard length < 64, offset + 1 + length <= bytes.count else { return nil }
            labels.append(String(decoding: bytes[(offset + 1)..<(offset + 1 + length)], as: UTF8.self))
            offset += 1 + length
        }
        name = labels.joined(separator: ".")
    }
}
