// Fuzz target `reader`: XMLStreamReader fed the input in fuzzer-chosen chunks.
//
// Input: a mode byte (bits 0–2: how many chunk-size bytes follow, minus one;
// bit 3: prepend a client stream header; bit 4: small limits), the chunk
// sizes (each byte + 1, used in turn), then the stream bytes.
//
// Checks: no crash or leak; events come in stream order (one header first,
// at most one end, last); the number of events is bounded by the bytes read;
// every element respects the limits; an error is an XMLStreamError with an
// offset inside what was read, and is sticky (later reads throw it again and
// add nothing); chunking does not change the events or the error's condition
// (compared with one read of the whole input; when a limit stops one of the
// two, the events before it must agree); after reset() the reader reads a
// fresh stream normally.
import FuzzSupport
import XMPPCore

private let clientHeader = Array(
    ("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
        + "xmlns:stream='http://etherx.jabber.org/streams' from='example.com' id='s1' version='1.0'>").utf8)

private let smallLimits = XMLStreamReader.Limits(
    maxElementBytes: 1024, maxDepth: 6, maxAttributes: 6, maxNameBytes: 48,
    maxAttributeValueBytes: 96, maxTextBytes: 192)

private struct Outcome {
    var events: [XMLStreamEvent] = []
    var error: XMLStreamError?
    /// Bytes handed to the reader, the failing chunk included.
    var bytesRead = 0
}

/// Reads `bytes` in chunks of the given sizes, used in turn.
private func read(_ bytes: [UInt8], chunkSizes: [Int], with reader: XMLStreamReader) -> Outcome {
    var outcome = Outcome()
    var offset = 0
    var turn = 0
    while offset < bytes.count {
        let size = min(chunkSizes[turn % chunkSizes.count], bytes.count - offset)
        turn += 1
        let before = outcome.events.count
        let result = bytes[offset..<(offset + size)].withUnsafeBytes { chunk in
            Result { () throws(XMLStreamError) in try reader.read(chunk, into: &outcome.events) }
        }
        offset += size
        outcome.bytesRead = offset
        fuzzCheck(outcome.events.count >= before, "a read removed events")
        if case .failure(let error) = result {
            outcome.error = error
            break
        }
    }
    return outcome
}

/// The most events `count` bytes can hold: every event takes at least three
/// bytes (`<a>`, `<a/>`, `</a>`).
private func maximumEvents(forBytes count: Int) -> Int { count / 3 + 1 }

private func checkOrder(_ events: [XMLStreamEvent]) {
    for (index, event) in events.enumerated() {
        switch event {
        case .streamStart: fuzzCheck(index == 0, "stream header at event \(index)")
        case .element: fuzzCheck(index > 0, "element before the stream header")
        case .streamEnd: fuzzCheck(index > 0 && index == events.count - 1, "stream end at event \(index) of \(events.count)")
        }
    }
}

/// Walks the element without recursion, checking the limits.
private func checkLimits(_ root: XMLElement, _ limits: XMLStreamReader.Limits) {
    var stack: [(XMLElement, Int)] = [(root, 1)]
    while let (element, depth) = stack.popLast() {
        fuzzCheck(depth <= limits.maxDepth, "depth \(depth) over \(limits.maxDepth)")
        fuzzCheck(element.attributes.count <= limits.maxAttributes, "\(element.attributes.count) attributes")
        fuzzCheck(!element.name.localName.isEmpty, "an element without a local name")
        for attribute in element.attributes {
            fuzzCheck(attribute.value.utf8.count <= limits.maxAttributeValueBytes, "attribute value too long")
        }
        var previousWasText = false
        for child in element.children {
            switch child {
            case .element(let inner):
                previousWasText = false
                stack.append((inner, depth + 1))
            case .text(let text):
                fuzzCheck(!text.isEmpty, "an empty text node")
                fuzzCheck(!previousWasText, "two adjacent text nodes")
                fuzzCheck(text.utf8.count <= limits.maxTextBytes, "text run too long")
                previousWasText = true
            }
        }
    }
}

private func checkError(_ error: XMLStreamError, bytesRead: Int) {
    fuzzCheck(error.byteOffset >= 0 && error.byteOffset <= bytesRead, "error offset \(error.byteOffset) of \(bytesRead): \(error)")
    fuzzCheck(!error.condition.name.isEmpty, "an error without a condition")
}

/// Sticky: every later read throws the same error and adds nothing.
@inline(never)
private func checkSticky(_ reader: XMLStreamReader, _ error: XMLStreamError, bytesRead: Int) {
    checkError(error, bytesRead: bytesRead)
    for more in [[], [UInt8(ascii: "<")], Array("<a/>".utf8)] as [[UInt8]] {
        var events: [XMLStreamEvent] = []
        let again = more.withUnsafeBytes { chunk in
            Result { () throws(XMLStreamError) in try reader.read(chunk, into: &events) }
        }
        switch again {
        case .success:
            fuzzCheck(false, "a read after \(error) succeeded")
        case .failure(let repeated):
            fuzzCheck(repeated == error, "error changed from \(error) to \(repeated)")
        }
        fuzzCheck(events.isEmpty, "events after an error")
    }
}

/// Chunking does not change the outcome, except when a limit stops one of the
/// reads: the element-size limit is checked per read, so a stream in small
/// pieces may stop earlier; and Expat refuses a run of text that contains an
/// invalid token (`]]>`) without handing any of it over when it arrives
/// whole, but hands over the pieces before the token when a read ends inside
/// the run, where the text-length limit may stop it first.
@inline(never)
private func compare(_ chunked: [XMLStreamEvent], _ chunkedError: XMLStreamError?, _ whole: [XMLStreamEvent], _ wholeError: XMLStreamError?) {
    if chunkedError?.kind.isLimit == true || wholeError?.kind.isLimit == true {
        let common = min(chunked.count, whole.count)
        fuzzCheck(chunked.prefix(common) == whole.prefix(common), "chunking changed the events")
    } else {
        fuzzCheck(chunked == whole, "chunking changed the events: \(chunked.count) vs \(whole.count)")
        // Only the condition sent to the peer. The offset is where the reader
        // noticed the problem (for text between stanzas, the start of the
        // piece Expat handed over); Expat's message can differ ("junk after
        // document element" or "invalid token" after the stream end); and
        // so can the kind: text between stanzas that runs into `]]>` is
        // refused by Expat as an invalid token when it arrives whole, but
        // as text at stream level when a read ends inside it.
        fuzzCheck(chunkedError?.condition == wholeError?.condition,
                  "chunking changed the error: \(String(describing: chunkedError)) vs \(String(describing: wholeError))")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzInput(data, size)
    let mode = input.byte()
    let chunkSizes = input.take(Int(mode & 7) + 1).map { Int($0) + 1 }
    let limits = mode & 0x10 != 0 ? smallLimits : XMLStreamReader.Limits()
    let stream = (mode & 0x08 != 0 ? clientHeader : []) + input.rest()
    guard !chunkSizes.isEmpty else { return 0 }

    let reader = XMLStreamReader(limits: limits)
    let chunked = read(stream, chunkSizes: chunkSizes, with: reader)
    fuzzCheck(chunked.events.count <= maximumEvents(forBytes: chunked.bytesRead), "\(chunked.events.count) events from \(chunked.bytesRead) bytes")
    checkOrder(chunked.events)
    for case .element(let element) in chunked.events {
        checkLimits(element, limits)
    }

    if let error = chunked.error {
        checkSticky(reader, error, bytesRead: chunked.bytesRead)
    }
    // The same bytes in one read.
    let whole = read(stream, chunkSizes: [max(1, stream.count)], with: XMLStreamReader(limits: limits))
    compare(chunked.events, chunked.error, whole.events, whole.error)

    // A stream restart: the reader is as good as new.
    reader.reset()
    let fresh = read(clientHeader + Array("<message to='a@b'><body>hi</body></message></stream:stream>".utf8), chunkSizes: chunkSizes, with: reader)
    fuzzCheck(fresh.error == nil, "after reset: \(String(describing: fresh.error))")
    fuzzCheck(fresh.events.count == 3, "after reset: \(fresh.events.count) events")
    if fresh.events.count == 3, case .element(let message) = fresh.events[1] {
        fuzzCheck(message.name == XMLQualifiedName("message", namespace: XMLNamespace.client), "after reset: \(message.name)")
        fuzzCheck(message.firstChild(named: "body", namespace: XMLNamespace.client)?.text == "hi", "after reset: body")
    }
    return 0
}
