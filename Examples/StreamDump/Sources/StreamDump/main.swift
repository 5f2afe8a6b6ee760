// Usage: swift run StreamDump < capture.xml
// Prints the stream header, each stanza's kind and addresses, and the end.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import XMPPCore

let reader = XMLStreamReader()
var chunk = [UInt8](repeating: 0, count: 4096)
var events: [XMLStreamEvent] = []

func describe(_ event: XMLStreamEvent) -> String {
    switch event {
    case .streamStart(let header):
        return "stream start from=\(header[attribute: "from"] ?? "-") id=\(header[attribute: "id"] ?? "-")"
    case .element(let element):
        let from = element[attribute: "from"] ?? "-"
        let type = element[attribute: "type"] ?? "-"
        return "\(element.name) from=\(from) type=\(type) children=\(element.elements.count)"
    case .streamEnd:
        return "stream end"
    }
}

while true {
    let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
    if count <= 0 { break }
    let result = chunk.withUnsafeBytes { buffer in
        Result { () throws(XMLStreamError) in
            try reader.read(UnsafeRawBufferPointer(rebasing: buffer[..<count]), into: &events)
        }
    }
    if case .failure(let error) = result {
        events.forEach { print(describe($0)) }
        print("error: \(error) -> send <\(error.condition.name)/> and close")
        exit(1)
    }
    events.forEach { print(describe($0)) }
    events.removeAll(keepingCapacity: true)
}
