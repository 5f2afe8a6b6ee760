/// Why a step of a ``FakeXMPPServer`` script failed; its description ends
/// with the tail of the connection's transcript, so a failing test shows
/// what was said before.
public struct FakeXMPPServerError: Error, CustomStringConvertible {
    /// The kinds of failure.
    public enum Kind: Hashable, Sendable {
        /// Nothing arrived before the deadline.
        case timeout
        /// The connection ended (closed by the client or by the script).
        case connectionClosed
        /// The client sent something other than what the script expected.
        case unexpected
        /// The client's bytes are not a well-formed XMPP stream.
        case malformedXML
        /// The client's credentials were wrong.
        case authenticationFailed
        /// The waiting task was cancelled.
        case cancelled
        /// Two tasks waited on the same connection at once.
        case concurrentWait
        /// The server was closed.
        case serverClosed
        /// A socket or TLS operation failed.
        case channelFailure
    }

    /// What went wrong, in kind.
    public let kind: Kind
    /// What went wrong, in words.
    public let detail: String
    /// The end of the transcript when it went wrong (may be empty).
    public let transcriptTail: String

    /// Creates an error.
    public init(_ kind: Kind, _ detail: String, transcriptTail: String = "") {
        self.kind = kind
        self.detail = detail
        self.transcriptTail = transcriptTail
    }

    /// This error with `tail` as its transcript.
    func with(transcriptTail tail: String) -> FakeXMPPServerError {
        FakeXMPPServerError(kind, detail, transcriptTail: tail)
    }

    /// The kind, the detail and the transcript's tail.
    public var description: String {
        guard !transcriptTail.isEmpty else { return "FakeXMPPServer \(kind): \(detail)" }
        return "FakeXMPPServer \(kind): \(detail)\n--- transcript (C: client, S: fake server) ---\n\(transcriptTail)"
    }
}

extension FakeXMPPServer {
    /// One line of a connection's transcript.
    public struct TranscriptEntry: Hashable, Sendable, CustomStringConvertible {
        /// Who produced it.
        public enum Source: Hashable, Sendable {
            /// Bytes the client sent (plaintext, after TLS).
            case client
            /// Bytes the fake server wrote (plaintext, before TLS).
            case server
            /// Something that happened: TLS started, the stream restarted,
            /// the connection closed.
            case note
        }

        /// Who produced it.
        public let source: Source
        /// The text (bytes decoded as UTF-8, invalid sequences replaced).
        public let text: String

        /// Creates an entry.
        public init(source: Source, text: String) {
            self.source = source
            self.text = text
        }

        /// `C: …`, `S: …` or `-- …`.
        public var description: String {
            switch source {
            case .client: "C: \(text)"
            case .server: "S: \(text)"
            case .note: "-- \(text)"
            }
        }
    }
}
