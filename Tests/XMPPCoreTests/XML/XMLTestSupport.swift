@testable import XMPPCore

/// The opening of a typical server-to-client stream.
let serverStreamHeader =
    "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='example.com' id='s1' version='1.0' xml:lang='en'>"

/// Reads `document` in the given pieces and returns every event, or the error.
func readEvents(_ pieces: [[UInt8]], limits: XMLStreamReader.Limits = .init()) -> (events: [XMLStreamEvent], error: XMLStreamError?) {
    let reader = XMLStreamReader(limits: limits)
    var events: [XMLStreamEvent] = []
    for piece in pieces {
        let result = piece.withUnsafeBytes { buffer in
            Result { () throws(XMLStreamError) in try reader.read(buffer, into: &events) }
        }
        if case .failure(let error) = result {
            return (events, error)
        }
    }
    return (events, nil)
}

/// Reads `document` whole.
func readEvents(_ document: String, limits: XMLStreamReader.Limits = .init()) -> (events: [XMLStreamEvent], error: XMLStreamError?) {
    readEvents([Array(document.utf8)], limits: limits)
}

/// The elements among `events`.
func elements(_ events: [XMLStreamEvent]) -> [XMLElement] {
    events.compactMap { if case .element(let element) = $0 { return element } else { return nil } }
}

/// A small deterministic generator (SplitMix64) so property tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
