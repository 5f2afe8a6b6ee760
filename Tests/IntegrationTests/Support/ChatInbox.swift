import Synchronization
import XMPPCore
import XMPPExtensions

/// Reads a ``ChatMessageStream`` in the background from the moment it is
/// made, and lets a test wait, with a deadline, for a message it expects;
/// so a lost stanza fails the test instead of hanging it.
///
/// The reading task ends when the session ends (the stream finishes) or on
/// ``stop()``.
final class ChatInbox: Sendable {
    private let received = Mutex<[ChatMessage]>([])
    private let reading = Mutex<Task<Void, Never>?>(nil)
    private let ended = Mutex(false)

    /// Starts reading `stream`.
    init(_ stream: ChatMessageStream) {
        // Holds the inbox until the stream ends (with the session) or stop().
        let task = Task { [self] in
            do {
                for try await message in stream {
                    self.received.withLock { $0.append(message) }
                }
            } catch {
                // The session ended with an error; the waits time out and say so.
            }
            self.ended.withLock { $0 = true }
        }
        reading.withLock { $0 = task }
    }

    /// Everything received so far.
    var messages: [ChatMessage] { received.withLock { $0 } }

    /// The first message received (earlier or within `limit`) that
    /// `predicate` accepts.
    /// - Throws: ``XMLStreamChannelError`` when none came in time.
    func first(
        within limit: Duration = .seconds(5),
        _ what: String,
        where predicate: @Sendable (ChatMessage) -> Bool
    ) async throws -> ChatMessage {
        let deadline = ContinuousClock.now + limit
        while true {
            if let message = received.withLock({ $0.first(where: predicate) }) { return message }
            guard ContinuousClock.now < deadline else {
                throw XMLStreamChannelError("no \(what) within \(limit); got \(messages.map(Self.summary))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits (at most `limit`) for the stream to finish, as it must once
    /// the session ends.
    /// - Returns: Whether it finished.
    func finished(within limit: Duration = .seconds(5)) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while !ended.withLock({ $0 }) {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Stops reading.
    func stop() {
        reading.withLock { $0?.cancel() }
    }

    /// A message in a few words, for failure messages.
    private static func summary(_ message: ChatMessage) -> String {
        "\(message.direction) \(message.peer?.description ?? "?") id=\(message.id ?? "-") body=\(message.body ?? "-")"
    }
}
