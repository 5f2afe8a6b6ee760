// EchoBot: echoes every chat message back to its sender.
//
//   XMPP_JID=echo@example.com XMPP_PASSWORD=secret swift run EchoBot
//
// It logs in, becomes available, approves subscription requests, answers
// each message that has a body with the same body, type and thread, and
// leaves cleanly (closing the stream) on SIGINT or SIGTERM.
import Dispatch
import ExampleSupport
#if canImport(Glibc)
import Glibc
#endif
import XMPP
import XMPPCore

/// Cancels `task` on SIGINT and SIGTERM, so the connection closes cleanly.
func cancelOnSignals(_ task: Task<Void, any Error>) -> [any DispatchSourceSignal] {
    [SIGINT, SIGTERM].map { number in
        signal(number, SIG_IGN)   // handled by the source below instead
        let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
        source.setEventHandler { task.cancel() }
        source.resume()
        return source
    }
}

/// The echo of a message, if it deserves one.
func echo(of message: Message) -> Message? {
    guard let body = message.body, message.type != .error, message.type != .groupchat else { return nil }
    var echo = Message(type: message.type, to: message.from, body: body)
    echo.thread = message.thread
    return echo
}

/// Approves every subscription request, until the session ends.
func approveSubscriptions(_ presence: PresenceTracker) async throws {
    for await case .requested(let contact, _) in presence.subscriptionEvents {
        try await presence.approveSubscription(from: contact)
    }
}

/// Answers every message that has something to echo. Isolated to the
/// connection, so the loop, its subscription and `send` never switch
/// executors.
func echoMessages(_ connection: isolated XMPPConnection) async throws {
    for try await message in connection.messages() {
        if let answer = echo(of: message) { try await connection.send(answer) }
    }
}

let bot = Task {
    try await XMPPConnection.withConnection(configuration: try exampleConfiguration()) { connection in
        let presence = connection.presenceTracker()   // first: it sees requests that arrive at once
        try await presence.becomeAvailable(Availability(status: "Send me a message and I will echo it"))
        say("EchoBot online as \(connection.boundJID)")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await approveSubscriptions(presence) }
            // On the connection's event loop: no thread hop per message.
            group.addTask(executorPreference: connection.taskExecutor) { try await echoMessages(connection) }
            try await group.next()   // either ends only with the session
            group.cancelAll()
        }
    }
}
let signalSources = cancelOnSignals(bot)
do {
    try await bot.value
} catch is CancellationError {
} catch {
    say("EchoBot stopped: \(error)")
    exit(1)
}
say("EchoBot stopped cleanly")
