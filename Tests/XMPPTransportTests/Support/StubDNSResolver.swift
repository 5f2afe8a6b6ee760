import Synchronization
import XMPPTransport

/// A DNS resolver that answers from a table and records what it was asked.
final class StubDNSResolver: DNSResolver {
    /// What to answer for a name.
    enum Answer: Sendable {
        case records([SRVRecord])
        case failure(DNSResolutionError.Code)
        case foreignError
    }

    /// An error type no resolver of this library throws.
    struct ForeignError: Error, CustomStringConvertible {
        var description: String { "foreign failure" }
    }

    private let answers: [String: Answer]
    private let asked = Mutex<[String]>([])

    init(_ answers: [String: Answer]) {
        self.answers = answers
    }

    /// Every name looked up, in order of arrival.
    var queries: [String] { asked.withLock { $0 } }

    func srv(_ name: String) async throws -> [SRVRecord] {
        asked.withLock { $0.append(name) }
        switch answers[name] ?? .records([]) {
        case .records(let records): return records
        case .failure(let code): throw DNSResolutionError(code, name: name)
        case .foreignError: throw ForeignError()
        }
    }
}
