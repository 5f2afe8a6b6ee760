import XMPPCore

/// Allocations per stanza on the receive path: the reader alone, the reader
/// plus the typed model, and the whole channel handler of a live session;
/// with the C baseline and the send side for comparison. Counts are exact
/// (every malloc-family call while counting is on), so one pass each after
/// one uncounted pass suffices.
enum AllocBenchmark {
    static func run(_ options: Options) async {
        print("\n## allocs: malloc-family calls per stanza\n")
        var rows: [[String]] = []
        for kind in CorpusKind.allCases {
            let trees = CorpusTrees(kind, megabytes: options.megabytes)
            let corpus = trees.corpus
            let name = corpus.name
            let n = corpus.stanzas
            rows.append(counted { _ = ReceivePasses.readOnly(corpus) }.row("reader: XMLStreamReader.read(_:into:)", corpus: name, per: n))
            rows.append(counted { _ = ReceivePasses.readAndParse(corpus) }.row("reader + AnyStanza.parse", corpus: name, per: n))
            rows.append(counted { _ = StanzaBenchmark.parse(trees.stanzas) }.row("AnyStanza.parse alone", corpus: name, per: n))
            rows.append(counted { _ = ReceivePasses.cBaseline(corpus, buildTree: true) }.row("C baseline (Expat + minimal C tree)", corpus: name, per: n))
            rows.append(counted { _ = ReceivePasses.cBaseline(corpus, buildTree: false) }.row("Expat alone", corpus: name, per: n))
            let built = trees.stanzas.map(rebuilt)
            var buffer: [UInt8] = []
            buffer.reserveCapacity(corpus.bytes.count * 2)
            let builtSize = WriterBenchmark.writtenSize(built, buffer: &buffer)
            let parsedSize = WriterBenchmark.writtenSize(trees.stanzas, buffer: &buffer)
            rows.append(counted { _ = WriterBenchmark.writerPass(built, expectedBytes: builtSize, buffer: &buffer) }
                .row("writer, built trees (reserved buffer)", corpus: name, per: n))
            rows.append(counted { _ = WriterBenchmark.writerPass(trees.stanzas, expectedBytes: parsedSize, buffer: &buffer) }
                .row("writer, parsed trees (reserved buffer)", corpus: name, per: n))
            for streamManagement in [false, true] {
                let label = "channel handler + messages()/presences()" + (streamManagement ? ", XEP-0198 on" : "")
                do {
                    let result = try await InboundPass.run(corpus, stanzas: trees.stanzas, streamManagement: streamManagement)
                    rows.append(result.count.row(label, corpus: name, per: n))
                    print("\(name), \(label): \(result.summary)")
                } catch {
                    print("\(name), \(label): not measured: \(error)")
                }
            }
        }
        rows += OtherAllocs.rows(megabytes: options.megabytes)

        print("\nOne counted pass after one uncounted pass; 4096-byte reads; bytes = bytes requested.\n")
        printTable(["corpus", "path", "work", "allocations", "allocs per unit", "bytes per unit"], rows)
    }

    /// Runs `body` once uncounted (first-use caches, lazy globals), then counted.
    static func counted(_ body: () -> Void) -> AllocCount {
        body()
        return AllocCount.of(body)
    }
}
