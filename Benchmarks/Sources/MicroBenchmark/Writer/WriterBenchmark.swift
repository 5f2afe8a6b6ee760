import XMPPCore

/// XMLWriter throughput on the reader benchmark's stanzas, against the
/// reader on the same corpus in the same run. The bar: writer ≥ 2× the
/// reader's speed (same stanzas, so the ratio of times).
enum WriterBenchmark {
    static let requiredRatio = 2.0

    static func run(_ options: Options) {
        print("\n## writer: XMLWriter vs XMLStreamReader on the same stanzas\n")
        var rows: [[String]] = []
        var details: [[String]] = []
        for kind in CorpusKind.allCases {
            let trees = CorpusTrees(kind, megabytes: options.megabytes)
            let corpus = trees.corpus
            // The reader's weight of the original bytes: what the written
            // bytes must weigh again when read back.
            let original = readerPass(corpus)
            let built = trees.stanzas.map(rebuilt)
            var buffer: [UInt8] = []
            buffer.reserveCapacity(corpus.bytes.count * 2)
            let builtBytes = checkedSize(built, corpus: corpus, weight: original.weight, buffer: &buffer)
            let parsedBytes = checkedSize(trees.stanzas, corpus: corpus, weight: original.weight, buffer: &buffer)
            print("corpus \(corpus.name): \(grouped(corpus.bytes.count)) bytes, \(grouped(corpus.stanzas)) stanzas; "
                + "written: \(grouped(builtBytes)) bytes (built trees), \(grouped(parsedBytes)) (parsed trees); "
                + "both re-read to the same stanza count and weight")

            let contenders = [
                Contender(name: "reader") { readerPass(corpus).seconds },
                Contender(name: "writer, built trees") {
                    writerPass(built, expectedBytes: builtBytes, buffer: &buffer)
                },
                Contender(name: "writer, parsed trees") {
                    writerPass(trees.stanzas, expectedBytes: parsedBytes, buffer: &buffer)
                },
            ]
            let samples = alternate(contenders, warmup: options.warmupRounds, rounds: options.rounds)
            let readerMedian = Statistics(samples[0]).median
            let sizes = [corpus.bytes.count, builtBytes, parsedBytes]
            for (index, contender) in contenders.enumerated() {
                let statistics = Statistics(samples[index])
                let ratio = readerMedian / statistics.median
                rows.append([
                    corpus.name, contender.name, grouped(sizes[index]),
                    fixed(Double(sizes[index]) / 1e6 / statistics.median, 1),
                    rate(Double(corpus.stanzas) / statistics.median),
                    fixed(statistics.median * 1e9 / Double(corpus.stanzas), 0),
                    index == 0 ? "1.00" : verdict(ratio, bar: requiredRatio),
                ])
                details.append([
                    corpus.name, contender.name, fixed(Double(sizes[index]) / 1e6 / statistics.minimum, 1),
                    spread(samples[index]), index == 0 ? "–" : fixed(pairedRatio(samples[0], samples[index]), 2),
                ])
            }
        }
        print("\nMedians of \(options.rounds) alternating rounds; MB = 10^6 bytes (the reader's input, the writer's output).\n")
        printTable(
            ["corpus", "side", "bytes per pass", "median MB/s", "stanzas/s", "ns/stanza", "speed vs reader"], rows)
        printTable(["corpus", "side", "best MB/s", "IQR", "paired vs reader"], details)
        print("✓/✗: writer speed (reader median time / writer median time, same stanzas) against the \(requiredRatio)× bar.")
    }

    /// One reader pass, exactly as the reader benchmark's Swift side runs it.
    static func readerPass(_ corpus: Corpus) -> Pass {
        do {
            let pass = try SwiftReaderRunner.run(corpus, chunkSize: 4096)
            guard pass.stanzas == UInt64(corpus.stanzas) else {
                fail("the reader counted \(pass.stanzas) stanzas in \(corpus.name), expected \(corpus.stanzas)")
            }
            return pass
        } catch {
            fail("\(error)")
        }
    }

    /// One timed pass: every stanza appended to one reused buffer, as a
    /// connection's output buffer would take them.
    static func writerPass(_ stanzas: [XMLElement], expectedBytes: Int, buffer: inout [UInt8]) -> Double {
        buffer.removeAll(keepingCapacity: true)
        let writer = XMLWriter()
        let start = ContinuousClock.now
        for stanza in stanzas {
            do throws(XMLWriterError) {
                try writer.write(stanza, into: &buffer)
            } catch {
                fail("the writer refused a stanza: \(error)")
            }
        }
        let elapsed = seconds(since: start)
        guard buffer.count == expectedBytes else {
            fail("the writer wrote \(buffer.count) bytes, \(expectedBytes) before")
        }
        return elapsed
    }

    /// Writes `stanzas` once and reads the result back: the same number of
    /// stanzas and the same weight (elements + attributes + text bytes) as
    /// the original corpus, or the benchmark stops. Returns the size.
    static func checkedSize(_ stanzas: [XMLElement], corpus: Corpus, weight: UInt64, buffer: inout [UInt8]) -> Int {
        let size = writtenSize(stanzas, buffer: &buffer)
        let stream = CorpusTrees.streamHeader + buffer + Array("</stream:stream>".utf8)
        let reread = readerPass(Corpus(name: corpus.name + " (written)", bytes: stream, stanzas: corpus.stanzas))
        guard reread.weight == weight else {
            fail("written \(corpus.name) weighs \(reread.weight) when read back, the original \(weight)")
        }
        return size
    }

    /// Writes `stanzas` into `buffer` (emptied first); returns the size.
    static func writtenSize(_ stanzas: [XMLElement], buffer: inout [UInt8]) -> Int {
        buffer.removeAll(keepingCapacity: true)
        let writer = XMLWriter()
        for stanza in stanzas {
            do throws(XMLWriterError) {
                try writer.write(stanza, into: &buffer)
            } catch {
                fail("the writer refused a stanza: \(error)")
            }
        }
        return buffer.count
    }
}
