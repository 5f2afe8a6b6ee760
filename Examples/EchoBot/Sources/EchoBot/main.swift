// EchoBot: echoes every chat message back to its sender.
//
//   XMPP_JID=echo@example.com XMPP_PASSWORD=secret swift run EchoBot
//
// It logs in, sends its initial presence, approves subscription requests,
// answers each message that has a body with the same body, type and thread,
// and leaves cleanly (closing the stream) on SIGINT or SIGTERM.
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

/// The reply to one inbound stanza, if it needs one.
func reply(to element: XMLElement) -> XMLElement? {
    switch try? AnyStanza.parse(element) {
    case .message(let message)? where message.body != nil && message.type != .error && message.type != .groupchat:
        var echo = Message(type: message.type, to: message.from, body: message.body ?? "")
        echo.thread = message.thread
        return echo.element
    case .presence(let presence)? where presence.type == .subscribe:
        return Presence(type: .subscribed, to: presence.from.map { JID($0.bare) }).element
    default:
        return nil
    }
}

let bot = Task {
    try await XMPPConnection.withConnection(configuration: try exampleConfiguration()) { connection in
        try await connection.send(Presence())
        say("EchoBot online as \(connection.boundJID)")
        for try await element in connection.elements() {
            if let answer = reply(to: element) { try await connection.send(answer) }
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
