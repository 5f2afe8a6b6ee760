import Foundation
import Testing
import XMPP
import XMPPCore

/// XEP-0198 acknowledgements against the real Prosody of
/// `Scripts/prosody.sh` (mod_smacks offers sm:2 and sm:3 and asks for an
/// acknowledgement whenever it has sent stanzas): acknowledged sends,
/// Prosody's `<r/>` answered with the right `h`, the final `<a/>` of a
/// clean close, and a session with stream management switched off.
///
/// Uses only the pool accounts user21–user24, so it can run beside the
/// other suites. Runs only when `XMPP_TEST_HOST` is set. Every wait is
/// bounded.
@Suite("Prosody: stream management (XEP-0198)", .serialized, .enabled(if: ProsodyServer.isConfigured), .timeLimit(.minutes(1)))
struct ProsodyStreamManagementTests {
    let server: ProsodyServer

    init() throws {
        server = try ProsodyServer.fromEnvironment()
    }

    /// The `h` of every `<a/>` the session wrote, in order, and whether the
    /// last one came right before `</stream:stream>`.
    static func acknowledgements(in logs: IntegrationLogs) -> (counts: [Int], lastBeforeClose: Bool) {
        let lines = logs.all.filter { $0.hasPrefix("Sending XMPP element") || $0.hasPrefix("Sending XMPP stream end") }
        let counts = lines.filter { $0.contains("xmpp.element={urn:xmpp:sm:3}a ") || $0.hasSuffix("xmpp.element={urn:xmpp:sm:3}a") }
            .compactMap { line -> Int? in
                guard let range = line.range(of: " h='") else { return nil }
                return Int(line[range.upperBound...].prefix { $0.isNumber })
            }
        guard let close = lines.lastIndex(where: { $0.hasPrefix("Sending XMPP stream end") }), close > 0 else {
            return (counts, false)
        }
        return (counts, lines[close - 1].contains("{urn:xmpp:sm:3}a"))
    }

    /// The ids (starting with `prefix`) of the first `count` such messages
    /// on `messages`, or an error after `limit`.
    static func ids(
        _ count: Int,
        from messages: XMPPStanzaStream<Message>,
        prefix: String,
        within limit: Duration
    ) async throws -> Set<String> {
        try await withThrowingTaskGroup(of: Set<String>?.self) { group in
            group.addTask {
                var ids: Set<String> = []
                for try await message in messages {
                    guard let id = message.id, id.hasPrefix(prefix) else { continue }
                    ids.insert(id)
                    if ids.count == count { return ids }
                }
                return ids
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let ids = try await group.next() ?? nil else {
                throw XMLStreamChannelError("fewer than \(count) messages within \(limit)")
            }
            return ids
        }
    }

    @Test("200 messages from user21 with sendAcknowledged: every one acknowledged, every one received by user22, whose <a/>s count them")
    func twoHundredAcknowledged() async throws {
        let senderConfiguration = try server.sessionConfiguration(user: "user21", port: .directTLS)
        let receiverConfiguration = try server.sessionConfiguration(user: "user22", port: .startTLS)
        let receiverLogs = IntegrationLogs()
        let count = 200
        let runID = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        var received: Set<String> = []

        try await XMPPConnection.withConnection(configuration: receiverConfiguration, logger: receiverLogs.logger) { receiver in
            #expect(receiver.isStreamManagementEnabled)
            let messages = receiver.messages()
            let target = JID(receiver.boundJID)
            try await XMPPConnection.withConnection(configuration: senderConfiguration) { sender in
                #expect(sender.isStreamManagementEnabled)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for n in 0..<count {
                        group.addTask {
                            let message = Message(type: .chat, to: target, id: "\(runID)-\(n)", body: "acknowledged \(n)")
                            try await sender.sendAcknowledged(message)
                        }
                    }
                    try await group.waitForAll()
                }
            }
            received = try await Self.ids(count, from: messages, prefix: runID, within: .seconds(10))
        }
        #expect(received.count == count)
        let (counts, lastBeforeClose) = Self.acknowledgements(in: receiverLogs)
        #expect(counts.count >= 2, "Prosody's <r/> answered during the session, plus the final <a/>: \(counts)")
        #expect(counts == counts.sorted(), "h never goes backwards: \(counts)")
        #expect(counts.last == count, "the final <a/> counts exactly the \(count) messages handled")
        #expect(lastBeforeClose)
    }

    @Test("A clean close sends the final <a h/> right before </stream:stream>; Prosody's <r/> got the running count")
    func finalAcknowledgement() async throws {
        let receiverConfiguration = try server.sessionConfiguration(user: "user23", port: .directTLS)
        let senderConfiguration = try server.sessionConfiguration(user: "user24", port: .startTLS)
        let logs = IntegrationLogs()
        let runID = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try await XMPPConnection.withConnection(configuration: receiverConfiguration, logger: logs.logger) { receiver in
            let messages = receiver.messages()
            let target = JID(receiver.boundJID)
            try await XMPPConnection.withConnection(configuration: senderConfiguration) { sender in
                for n in 0..<3 {
                    try await sender.send(Message(type: .chat, to: target, id: "\(runID)-\(n)", body: "plain \(n)"))
                }
                // Acknowledged: the three before it reached the server too.
                try await sender.sendAcknowledged(Message(type: .chat, to: target, id: "\(runID)-3", body: "last"))
            }
            var seen = 0
            for try await message in messages where message.id?.hasPrefix(runID) == true {
                seen += 1
                if seen == 4 { break }
            }
            // Prosody asks after sending; give its <r/> a moment to be answered.
            try await poll("an answer to Prosody's <r/>", within: .seconds(5)) {
                Self.acknowledgements(in: logs).counts.last == 4 ? true : nil
            }
        }
        let (counts, lastBeforeClose) = Self.acknowledgements(in: logs)
        #expect(counts.last == 4, "\(counts)")
        #expect(counts.count >= 2, "an answer to <r/> and the final <a/>: \(counts)")
        #expect(lastBeforeClose, "the final <a/> goes right before </stream:stream>")
    }

    @Test("Switched off: no <enable/> on the wire, isStreamManagementEnabled false, sendAcknowledged refused")
    func switchedOff() async throws {
        var configuration = try server.sessionConfiguration(user: "user21", port: .directTLS)
        configuration.streamManagement = .disabled
        let logs = IntegrationLogs()
        let error = try await XMPPConnection.withConnection(configuration: configuration, logger: logs.logger) { connection in
            #expect(!connection.isStreamManagementEnabled)
            do throws(XMPPClientError) {
                try await connection.sendAcknowledged(Presence())
                return nil as XMPPClientError?
            } catch {
                return error
            }
        }
        #expect(error?.code == .streamManagementNotEnabled)
        #expect(logs.sentElements(named: "{urn:xmpp:sm:3}enable").isEmpty)
        #expect(logs.sentElements(named: "{urn:xmpp:sm:3}a").isEmpty)
    }
}
