import XMPP
import XMPPCore

/// The first message with a body on `connection`, or an error after `limit`,
/// so a lost message fails the test instead of hanging it.
func firstMessage(on connection: XMPPConnection, within limit: Duration) async throws -> Message {
    try await withThrowingTaskGroup(of: Message?.self) { group in
        group.addTask {
            for try await message in connection.messages() where message.body != nil {
                return message
            }
            return nil
        }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let message = try await group.next() ?? nil else {
            throw XMLStreamChannelError("no message within \(limit)")
        }
        return message
    }
}
