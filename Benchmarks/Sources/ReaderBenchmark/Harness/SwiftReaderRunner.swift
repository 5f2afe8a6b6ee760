import XMPPCore

/// Runs XMPPCore's XMLStreamReader the way a connection would: one reader per
/// stream, fed socket-sized chunks, every event consumed.
enum SwiftReaderRunner {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Limits far above anything in the corpora, so that only parsing is timed.
    static func limits() -> XMLStreamReader.Limits {
        var limits = XMLStreamReader.Limits()
        limits.maxElementBytes = 1 << 20
        return limits
    }

    /// One pass of the Swift reader over `corpus`.
    static func run(_ corpus: Corpus, chunkSize: Int) throws(Failure) -> Pass {
        var stanzas: UInt64 = 0
        var weight: UInt64 = 0
        var sawStreamEnd = false
        var failure: XMLStreamError?
        let start = ContinuousClock.now
        let reader = XMLStreamReader(limits: limits())
        corpus.bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let end = min(offset + chunkSize, buffer.count)
                let events: [XMLStreamEvent]
                do throws(XMLStreamError) {
                    events = try reader.read(UnsafeRawBufferPointer(rebasing: buffer[offset..<end]))
                } catch {
                    failure = error
                    return
                }
                for event in events {
                    switch event {
                    case .element(let element):
                        stanzas += 1
                        weight &+= weigh(element)
                    case .streamEnd:
                        sawStreamEnd = true
                    case .streamStart:
                        break
                    }
                }
                offset = end
            }
        }
        let elapsed = seconds(since: start)
        if let failure {
            throw Failure(description: "XMLStreamReader rejected corpus \(corpus.name): \(failure)")
        }
        guard sawStreamEnd else {
            throw Failure(description: "XMLStreamReader never reported the end of corpus \(corpus.name)")
        }
        return Pass(stanzas: stanzas, weight: weight, seconds: elapsed)
    }

    /// Elements + attributes + text bytes: the same figure the C baseline
    /// computes, so a reader that drops content cannot pass the check.
    private static func weigh(_ element: XMLElement) -> UInt64 {
        var weight = 1 + UInt64(element.attributes.count)
        for child in element.children {
            switch child {
            case .element(let nested): weight &+= weigh(nested)
            case .text(let text): weight &+= UInt64(text.utf8.count)
            }
        }
        return weight
    }
}
