import XMPPCore

/// Receive-side passes over a corpus, shaped like the channel handler's
/// reading (a fresh event array per 4096-byte read, `read(_:into:)`), with
/// nothing else added, for counting allocations.
enum ReceivePasses {
    /// The reader alone; returns the number of stanzas.
    static func readOnly(_ corpus: Corpus) -> Int {
        read(corpus) { _ in }
    }

    /// The reader, then each element into the typed model (JIDs included).
    static func readAndParse(_ corpus: Corpus) -> Int {
        read(corpus) { element in
            do throws(StanzaParseError) {
                _ = try AnyStanza.parse(element)
            } catch {
                fail("a corpus stanza does not parse: \(error)")
            }
        }
    }

    /// The C reference over the same bytes, for comparison.
    static func cBaseline(_ corpus: Corpus, buildTree: Bool) -> UInt64 {
        do {
            return try CBaselineRunner.run(corpus, chunkSize: 4096, buildTree: buildTree).stanzas
        } catch {
            fail("\(error)")
        }
    }

    private static func read(_ corpus: Corpus, _ consume: (XMLElement) -> Void) -> Int {
        let reader = XMLStreamReader(limits: SwiftReaderRunner.limits())
        var stanzas = 0
        corpus.bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let end = min(offset + 4096, buffer.count)
                var events: [XMLStreamEvent] = []
                do throws(XMLStreamError) {
                    try reader.read(UnsafeRawBufferPointer(rebasing: buffer[offset..<end]), into: &events)
                } catch {
                    fail("the reader rejected \(corpus.name): \(error)")
                }
                for case .element(let element) in events {
                    stanzas += 1
                    consume(element)
                }
                offset = end
            }
        }
        guard stanzas == corpus.stanzas else { fail("read \(stanzas) stanzas of \(corpus.stanzas)") }
        return stanzas
    }
}
