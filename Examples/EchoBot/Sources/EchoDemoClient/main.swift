// The other end of the README demo: logs in with its own account, sends
// `--text` to `--to` (the echo bot), and prints the reply. Exits 0 when the
// echo matches, 1 otherwise or after `--timeout` seconds (default 10).
import ExampleSupport
import XMPP
import XMPPCore
#if canImport(Glibc)
import Glibc
#endif

func flag(_ name: String) -> String? { setting(name, "DEMO_\(name.uppercased())") }

let text = flag("text") ?? "Hello, echo!"
let seconds = Int(flag("timeout") ?? "10") ?? 10
do {
    let configuration = try exampleConfiguration()
    guard let peer = flag("to") else { throw SettingsError("set --to, the echo bot's JID") }
    let target = try JID(peer)
    let echoed = try await XMPPConnection.withConnection(configuration: configuration) { connection in
        try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                try await connection.send(Message(type: .chat, to: target, body: text))
                say("sent to \(target): \(text)")
                for try await message in connection.messages(from: JID(target.bare)) where message.body != nil {
                    return message.body
                }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
    guard let echoed else {
        say("no echo within \(seconds) s")
        exit(1)
    }
    say("echo from \(target.bare): \(echoed)")
    exit(echoed == text ? 0 : 1)
} catch {
    say("demo client failed: \(error)")
    exit(1)
}
