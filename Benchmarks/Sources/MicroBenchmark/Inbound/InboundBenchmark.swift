import CCacheNoise
import CExpatBaseline
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
/// what the rest costs; the C baseline (Expat and a minimal C tree) on the
/// same reads is the floor. With `--inbound-cold` every contender first
/// runs unrelated code and touches unrelated memory before each read, and
/// only the reads are timed: the cold start each wake-up of a live receiver
/// pays after other processes ran.
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

        let evictor = Evictor(kib: options.inboundColdKiB)
        defer { evictor.free() }
        if let kib = options.inboundColdKiB {
            print("before each read: \(grouped(cache_noise_code_bytes() / 1024)) KiB of unrelated code run, \(grouped(kib)) KiB of memory read and written; the reads alone timed")
        }

        let names = [
            "C baseline: Expat + minimal C tree", "reader: bytes → XMLElement", "reader + Message(element:)",
            "channel handler + messages(), XEP-0198 on",
        ]
        var samples = [[Double]](repeating: [], count: names.count)
        for round in 0..<(options.warmupRounds + options.rounds) {
            let seconds = [
                baselinePass(body, readSize: readSize, evictor),
                readerPass(reads, parse: false, evictor),
                readerPass(reads, parse: true, evictor),
                await handlerPass(reads, evictor),
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
    static func readerPass(_ reads: [[UInt8]], parse: Bool, _ evictor: Evictor) -> Double {
        let reader = XMLStreamReader(limits: SwiftReaderRunner.limits())
        var events: [XMLStreamEvent] = []
        let header = Array(StanzaBenchmark.routedChatStreamHeader.utf8)
        feed(reader, header, into: &events)
        var messages = 0
        var checksum = 0
        var elapsed = 0.0
        for read in reads {
            evictor.touch()
            let start = ContinuousClock.now
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
            elapsed += seconds(since: start)
        }
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
    static func handlerPass(_ reads: [[UInt8]], _ evictor: Evictor) async -> Double {
        do {
            let harness = try InboundPathHarness(streamManagement: true)
            defer { harness.close() }
            let buffers = reads.map { harness.allocator.buffer(bytes: $0) }
            var elapsed = 0.0
            for buffer in buffers {
                evictor.touch()
                let start = ContinuousClock.now
                try harness.receive(buffer)
                try await harness.drain()
                elapsed += seconds(since: start)
            }
            guard harness.consumedMessages == messageCount else {
                fail("messages() yielded \(harness.consumedMessages) of \(messageCount)")
            }
            return elapsed
        } catch {
            fail("the inbound path failed: \(error)")
        }
    }

    /// The C baseline over the stream header and the same bytes, in reads
    /// of the same size (cut from the header on, so the cuts fall a
    /// header's length away from the Swift contenders').
    static func baselinePass(_ body: [UInt8], readSize: Int, _ evictor: Evictor) -> Double {
        let stream = Array(StanzaBenchmark.routedChatStreamHeader.utf8) + body
        var result = cexpat_result()
        var elapsed = 0.0
        stream.withUnsafeBufferPointer { buffer in
            cexpat_baseline_run_timed(
                buffer.baseAddress, buffer.count, readSize, CEXPAT_MODE_TREE,
                evictor.noise == nil ? nil : cache_noise_callback, evictor.noise, &result, &elapsed)
        }
        // The stream stays open, so Expat reports an unclosed root at the end.
        guard result.stanzas == UInt64(messageCount) else {
            fail("the C baseline completed \(result.stanzas) of \(messageCount) messages")
        }
        return elapsed
    }
}

/// The cold start before each read, when asked for.
struct Evictor {
    let noise: UnsafeMutablePointer<cache_noise>?

    init(kib: Int?) {
        guard let kib else {
            noise = nil
            return
        }
        let length = kib * 1024
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(length, 1))
        buffer.initialize(repeating: 0, count: max(length, 1))
        noise = .allocate(capacity: 1)
        noise?.initialize(to: cache_noise(buffer: buffer, length: length, sink: 0))
    }

    func touch() {
        if let noise { cache_noise_callback(noise) }
    }

    func free() {
        guard let noise else { return }
        noise.pointee.buffer.deallocate()
        noise.deallocate()
    }
}
