import XMPPCore

/// A generated corpus together with its stanzas as the reader returns them,
/// parsed once up front so that benchmarks of what comes after the reader
/// (writer, typed model) start from exactly the reader benchmark's stanzas.
struct CorpusTrees {
    let corpus: Corpus
    /// The stream's top-level children, as `XMLStreamReader` returned them
    /// (views into each stanza's single storage block).
    let stanzas: [XMLElement]

    init(_ kind: CorpusKind, megabytes: Int) {
        corpus = CorpusGenerator.make(kind, targetBytes: megabytes * 1_000_000)
        stanzas = Self.read(corpus.bytes, name: corpus.name)
        guard stanzas.count == corpus.stanzas else {
            fail("the reader returned \(stanzas.count) stanzas for \(corpus.name), the corpus has \(corpus.stanzas)")
        }
    }

    /// Every top-level element of a complete stream, read in 4096-byte
    /// chunks as the reader benchmark reads.
    static func read(_ bytes: [UInt8], name: String) -> [XMLElement] {
        let reader = XMLStreamReader(limits: SwiftReaderRunner.limits())
        var stanzas: [XMLElement] = []
        var events: [XMLStreamEvent] = []
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let end = min(offset + 4096, buffer.count)
                events.removeAll(keepingCapacity: true)
                do throws(XMLStreamError) {
                    try reader.read(UnsafeRawBufferPointer(rebasing: buffer[offset..<end]), into: &events)
                } catch {
                    fail("the reader rejected \(name): \(error)")
                }
                for case .element(let element) in events { stanzas.append(element) }
                offset = end
            }
        }
        return stanzas
    }

    /// The stream header the corpora use, for wrapping written stanzas into
    /// a stream the reader accepts.
    static let streamHeader = Array(
        ("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'"
            + " from='example.com' id='rewritten' version='1.0' xml:lang='en'>").utf8)
}

/// `element` rebuilt as application code builds elements (`XMLElement`
/// values with arrays of attributes and children, each level in its own
/// box) rather than as views into a parsed stanza's storage.
func rebuilt(_ element: XMLElement) -> XMLElement {
    XMLElement(
        name: element.name,
        attributes: Array(element.attributes),
        children: element.children.map { node in
            switch node {
            case .element(let child): .element(rebuilt(child))
            case .text(let text): .text(text)
            }
        })
}
