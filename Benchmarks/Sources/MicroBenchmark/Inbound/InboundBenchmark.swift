import NIOCore
import XMPPCore
import XMPPUnderTest

/// Time per received chat message on the library's inbound path without a
/// socket or TLS: the session benchmark's receiver, as Prosody routes its
/// messages, in 16 KiB reads by default (what the socket hands over under
/// load; `--inbound-read-size` sets another size), through a live
/// session's channel handler (reader, session machine, XEP-0198 counting,
/// router) and consumed from `messages()` as the typed model. The reader
/// alone and the reader plus `Message(element:)` on the same bytes show
/// what the rest costs.
enum InboundBenchmark {
    /// Messages per pass.
    static let messageCount = 20_000

    static func run(_ options: Options) async {
        print("\n## inbound: routed chats through the channel handler and messages()\n")
        let body = Array(StanzaBenchmark.routedChatStanzas(count: messageCount).utf8)
        let readSize = options.inboundReadSize
        let reads = stride(from: 0, to: body.count, by: readSize).map { offset in
            Array(body[offset..<min(offset + readSize, body.count)])
        }
        print("\(grouped(messageCount)) messages, \(grouped(body.count)) bytes, \(reads.count) reads of at most \(grouped(readSize)) bytes")

        let names = ["reader: bytes → XMLElement", "reader + Message(element:)", "channel handler + messages(), XEP-0198 on"]
        var samples = [[Double]](repeating: [], count: names.count)
        for round in 0..<(options.warmupRounds + options.rounds) {
            let seconds = [
                readerPass(reads, parse: false),
                readerPass(reads, parse: true),
                await handlerPass(reads),
            ]
            guard round >= options.warmupRounds else { continue }
            for index in seconds.indices { samples[index].append(seconds[index]) }
        }
        var rows: [[String]] = []
        for (index, name) in names.enumerated() {
            let statistics = Statistics(samples[index])
            rows.append([
                name, rate(Double(messageCount) / statistics.median),
                fixed(statistics.median * 1e9 / Double(messageCount), 0),
                fixed(statistics.minimum * 1e9 / Double(messageCount), 0), spread(samples[index]),
            ])
        }
        print("\nMedians of \(options.rounds) alternating rounds.\n")
        printTable(["path", "messages/s", "ns/message (median)", "ns/message (best)", "IQR"], rows)
    }

    /// The reader over the stream (a fresh reader per pass), each message
    /// optionally parsed into the typed model.
    static func readerPass(_ reads: [[UInt8]], parse: Bool) -> Double {
        let reader = XMLStreamReader(limits: SwiftReaderRunner.limits())
        var events: [XMLStreamEvent] = []
        let header = Array("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>".utf8)
        feed(reader, header, into: &events)
        var messages = 0
        var checksum = 0
        let start = ContinuousClock.now
        for read in reads {
            events.removeAll(keepingCapacity: true)
            feed(reader, read, into: &events)
            for case .element(let element) in events {
                messages += 1
                guard parse else { continue }
                do throws(StanzaParseError) {
                    checksum &+= try Message(element: element).body?.utf8.count ?? 0
                } catch {
                    fail("a routed chat does not parse: \(error)")
                }
            }
        }
        let elapsed = seconds(since: start)
        guard messages == messageCount, !parse || checksum > 0 else { fail("the reader returned \(messages) messages") }
        return elapsed
    }

    /// One read into the reader; any refusal ends the benchmark.
    static func feed(_ reader: XMLStreamReader, _ bytes: [UInt8], into events: inout [XMLStreamEvent]) {
        var failure: XMLStreamError?
        bytes.withUnsafeBytes { buffer in
            do throws(XMLStreamError) {
                try reader.read(buffer, into: &events)
            } catch {
                failure = error
            }
        }
        if let failure { fail("the reader refused the routed chats: \(failure)") }
    }

    /// The whole inbound path of an established session (negotiated before
    /// the clock starts); the messages are drained after every read.
    static func handlerPass(_ reads: [[UInt8]]) async -> Double {
        do {
            let harness = try InboundPathHarness(streamManagement: true)
            defer { harness.close() }
            let buffers = reads.map { harness.allocator.buffer(bytes: $0) }
            let start = ContinuousClock.now
            for buffer in buffers {
                try harness.receive(buffer)
                try await harness.drain()
            }
            let elapsed = seconds(since: start)
            guard harness.consumedMessages == messageCount else {
                fail("messages() yielded \(harness.consumedMessages) of \(messageCount)")
            }
            return elapsed
        } catch {
            fail("the inbound path failed: \(error)")
        }
    }
}
