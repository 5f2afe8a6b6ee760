// The command line of the session benchmark (see main.swift for the scenarios).

struct Options {
    var scenario = ""
    var count = 0
    var host = "127.0.0.1"
    var port = 15222
    var domain = "xmpp.test"
    var ca = ""
    var user = ""
    var password = ""
    var resource: String?
    var to: String?
    var readyFile: String?
    /// roundtrip: where each round trip's time goes, in order (µs, one per line).
    var samplesFile: String?
    var streamManagement = true
    /// `--ack-threshold N`: XEP-0198 requests every N stanzas; `nil` keeps
    /// the library's default.
    var ackThreshold: Int?
    /// `--ack-answer-delay-ms N`: how long our answer to the server's `<r/>`
    /// may wait (0 answers at once); `nil` keeps the library's default.
    var ackAnswerDelayMilliseconds: Int?
    var systemRoots = false
    /// Whether the scenario's loop prefers the connection's event loop as
    /// its task executor (the library's documented fast path).
    var onEventLoop = true
    /// Whether the loops run isolated to the connection actor (default).
    var isolated = true
    /// roundtrip: `--api answer` answers each echo with the next message
    /// from `XMPPConnection.answerMessages` (on the event loop, inside the
    /// read) instead of a loop over `messages(from:)` (default `stream`).
    var answering = false
    /// idle: logins in flight at most.
    var parallel = 32
    /// idle: seconds between the last login and the second memory sample.
    var settle = 2.0
    /// idle: count failed logins instead of failing the run.
    var bestEffort = false
}

enum BenchError: Error, CustomStringConvertible {
    case usage(String)
    case failed(String)
    var description: String {
        switch self {
        case .usage(let text): "usage: \(text)"
        case .failed(let text): text
        }
    }
}

func parseOptions() throws -> Options {
    let usage = "SessionBenchmark login|roundtrip|recv|send|idle N --host H --port P --domain D --ca FILE "
        + "--user U --password PW [--resource R] [--to JID] [--ready-file PATH] [--sm on|off] [--ack-threshold N] [--ack-answer-delay-ms N] [--system-roots on|off] "
        + "[--parallel K] [--settle S] [--best-effort on|off] [--samples FILE] [--api stream|answer]"
    var arguments = Array(CommandLine.arguments.dropFirst())
    guard arguments.count >= 2, let count = Int(arguments[1]), count > 0 else { throw BenchError.usage(usage) }
    var options = Options()
    options.scenario = arguments[0]
    options.count = count
    arguments.removeFirst(2)
    guard arguments.count.isMultiple(of: 2) else { throw BenchError.usage(usage) }
    for index in stride(from: 0, to: arguments.count, by: 2) {
        let value = arguments[index + 1]
        switch arguments[index] {
        case "--host": options.host = value
        case "--port": options.port = Int(value) ?? 0
        case "--domain": options.domain = value
        case "--ca": options.ca = value
        case "--user": options.user = value
        case "--password": options.password = value
        case "--resource": options.resource = value
        case "--to": options.to = value
        case "--ready-file": options.readyFile = value
        case "--samples": options.samplesFile = value
        case "--sm": options.streamManagement = value != "off"
        case "--ack-threshold": options.ackThreshold = Int(value)
        case "--ack-answer-delay-ms": options.ackAnswerDelayMilliseconds = Int(value)
        case "--system-roots": options.systemRoots = value == "on"
        case "--parallel": options.parallel = Int(value) ?? 0
        case "--settle": options.settle = Double(value) ?? -1
        case "--best-effort": options.bestEffort = value == "on"
        case "--api":
            guard value == "stream" || value == "answer" else { throw BenchError.usage(usage) }
            options.answering = value == "answer"
        // isolated (default): the loops isolated to the connection, in a
        // task preferring its event loop; isolated-only: isolated, without
        // the preference; loop: nonisolated, with the preference; global:
        // nonisolated on the global executor (a thread hop per call).
        case "--executor":
            options.onEventLoop = value == "isolated" || value == "loop"
            options.isolated = value == "isolated" || value == "isolated-only"
        default: throw BenchError.usage(usage)
        }
    }
    guard ["login", "roundtrip", "recv", "send", "idle"].contains(options.scenario), !options.ca.isEmpty,
        options.parallel > 0, options.settle >= 0,
        !options.user.isEmpty, !options.password.isEmpty, options.scenario != "send" || options.to != nil
    else { throw BenchError.usage(usage) }
    return options
}
