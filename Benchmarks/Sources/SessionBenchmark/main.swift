// The session benchmark scenarios written with swift-xmpp, the measured side
// of Benchmarks/Scripts/session-bench.sh. The reference side is the C
// program Benchmarks/libstrophe/strophe_bench.c; both take the same
// arguments and print one JSON line with the same fields:
//
//   SessionBenchmark SCENARIO N --host H --port P --domain D --ca FILE
//                    --user U --password PW [--resource R] [--to JID]
//                    [--ready-file PATH] [--sm on|off] [--ack-threshold N] [--system-roots on|off]
//                    [--samples FILE]
//
//   login N      N sequential logins (STARTTLS, TLS 1.3 verified against
//                --ca, SCRAM-SHA-1, bind, available presence sent and its
//                echo received, clean close); wall time and CPU per login.
//   roundtrip N  one session; N sequential messages to the session's own
//                full JID, each waiting for its echo; median and p99 in µs;
//                --samples FILE also writes every round trip, in order.
//   recv N       one session bound to --resource; creates --ready-file once
//                logged in and available, then counts N messages; wall time
//                from the first to the last, CPU over the same phase.
//   idle N       N sessions open at once, idle; memory per session (see
//                IdleScenario.swift; accounts <user>00001…, passwords
//                <account><password>, [--parallel K] [--settle S]
//                [--best-effort on|off]).
//   send N       one session; N messages of 100 bytes with a XEP-0334
//                <no-store/> hint to --to, each send awaited; then one
//                message to the session's own full JID, awaited (the server
//                has routed all N once it is back), then a clean close.
//
// The library's defaults stay on (XEP-0198 acknowledgements, liveness
// keepalives, quick ACKs while negotiating only), as libstrophe's do (it
// enables XEP-0198 too, and asks for an acknowledgement after every stanza
// where swift-xmpp asks every 100th);
// --sm off switches XEP-0198 off on both sides. libstrophe always loads the
// system CA bundle besides --ca (OpenSSL default paths, on every
// connection); --system-roots on makes swift-xmpp trust the system store
// too, so that both sides set up the same anchors.
import Foundation
import NIOGnuTLS
import XMPP
import XMPPCore
import XMPPTransport

#if canImport(Glibc)
import Glibc
#endif

/// Seconds on the monotonic clock.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// User + system CPU of the whole process (all threads), in seconds.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

/// The q-quantile (0...1) of sorted values, nearest rank (as the C side).
func quantile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let rank = min(max(Int((q * Double(sorted.count)).rounded(.up)), 1), sorted.count)
    return sorted[rank - 1]
}

func f(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

func configuration(_ options: Options) throws -> XMPPConnection.Configuration {
    var tls = GnuTLSConfiguration()
    tls.trustRoots = options.systemRoots ? GnuTLSConfiguration.TrustRoots.files([options.ca]).adding(.system) : .files([options.ca])
    tls.certificateVerification = .full
    tls.minimumVersion = .tls13
    let location = XMPPServerLocation.host(options.host, port: options.port, security: .startTLS)
    let authentication = XMPPConnection.Configuration.Authentication(allowedMechanisms: [.scramSHA1], allowsPlain: false)
    var configuration =
        if let resource = options.resource {
            XMPPConnection.Configuration(
                jid: try FullJID("\(options.user)@\(options.domain)/\(resource)"), password: options.password,
                serverLocation: location, tls: tls, authentication: authentication)
        } else {
            XMPPConnection.Configuration(
                jid: try BareJID("\(options.user)@\(options.domain)"), password: options.password,
                serverLocation: location, tls: tls, authentication: authentication)
        }
    configuration.streamManagement.isEnabled = options.streamManagement
    if let threshold = options.ackThreshold { configuration.streamManagement.ackRequestThreshold = threshold }
    if let delay = options.ackAnswerDelayMilliseconds {
        configuration.streamManagement.ackAnswerDelay = .milliseconds(delay)
    }
    return configuration
}

/// The letters that pad a body to 100 bytes, as on the C side.
let padding = Array("abcdefghijklmnopqrstuvwxyz".utf8)

/// A 100-byte chat message with a XEP-0334 no-store hint: the sequence
/// number in ten digits, a space, then letters (cheap to build, as the C
/// side's snprintf, so that the benchmark measures the library).
func benchMessage(to: JID, id: String, sequence: Int) -> Message {
    var bytes = [UInt8](repeating: UInt8(ascii: "0"), count: 100)
    var value = sequence
    for index in stride(from: 9, through: 0, by: -1) {
        bytes[index] = UInt8(ascii: "0") + UInt8(value % 10)
        value /= 10
    }
    bytes[10] = UInt8(ascii: " ")
    for index in 11..<100 { bytes[index] = padding[index % 26] }
    // Built in one initialiser call: assembling it in a `var` and
    // returning that made the optimiser copy the message out (a retain and
    // a release per reference inside).
    return Message(
        type: .chat, to: to, id: id, bodies: [LanguageTaggedText(String(decoding: bytes, as: UTF8.self))],
        extensions: [noStore])
}

let noStore = XMLElement(name: XMLQualifiedName("no-store", namespace: "urn:xmpp:hints"))

/// Runs `body` preferring the connection's event loop as task executor
/// (unless --executor global): the documented way to drive a connection in
/// a tight loop without a thread hop per call.
func driving<T: Sendable>(
    _ connection: XMPPConnection, _ options: Options, _ body: () async throws -> T
) async throws -> T {
    guard options.onEventLoop else { return try await body() }
    return try await withTaskExecutorPreference(connection.taskExecutor) { try await body() }
}

/// Sends an available presence and waits until the server echoes it to us.
func becomeAvailable(_ connection: XMPPConnection) async throws {
    let own = JID(connection.boundJID)
    let echoes = connection.presences(from: own)
    try await connection.send(Presence())
    for try await presence in echoes where presence.type == .available {
        return
    }
    throw BenchError.failed("the session ended before the presence echo")
}

func runLogin(_ options: Options) async throws -> String {
    let config = try configuration(options)
    var walls: [Double] = []
    let start = now()
    let cpuStart = cpuSeconds()
    for _ in 0..<options.count {
        let t0 = now()
        try await XMPPConnection.withConnection(configuration: config) { connection in
            guard connection.authenticationMechanism == .scramSHA1 else {
                throw BenchError.failed("authenticated with \(connection.authenticationMechanism), not SCRAM-SHA-1")
            }
            try await becomeAvailable(connection)
        }
        walls.append((now() - t0) * 1e3)
    }
    let total = now() - start
    let cpu = cpuSeconds() - cpuStart
    let n = Double(options.count)
    walls.sort()
    return "{\"client\":\"swift-xmpp\",\"scenario\":\"login\",\"n\":\(options.count),\"wall_s\":\(f(total, 4)),"
        + "\"wall_ms_per_op\":\(f(total * 1e3 / n, 3)),\"wall_ms_median\":\(f(quantile(walls, 0.5), 3)),"
        + "\"wall_ms_p99\":\(f(quantile(walls, 0.99), 3)),\"cpu_ms_per_op\":\(f(cpu * 1e3 / n, 3))}"
}

// The measured loops. Each runs in the isolation it is given: the
// connection's (the documented fast path: no executor switch between the
// loop, the connection and its streams), or none.

/// Counts `count` inbound messages; returns how many came and the times of
/// the first and the last.
func receiveLoop(
    inbound: XMPPStanzaStream<Message>, own: JID, count: Int, isolation: isolated (any Actor)?
) async throws -> (Int, Double, Double) {
    var received = 0
    var first = 0.0
    var last = 0.0
    for try await message in inbound {
        if message.type == .error { throw BenchError.failed("message error from the server") }
        // Only what was sent to this session: Prosody re-routes what an
        // earlier session of the account left unacknowledged, addressed to
        // that session's resource.
        guard message.to == own else { continue }
        let t = now()
        if received == 0 { first = t }
        received += 1
        if received == count {
            last = t
            break
        }
    }
    return (received, first, last)
}

/// `count` sequential messages to the session's own JID, each waiting for
/// its echo; returns the round trips in µs.
func roundTripLoop(
    _ connection: XMPPConnection, own: JID, inbound: XMPPStanzaStream<Message>, count: Int,
    isolation: isolated (any Actor)?
) async throws -> [Double] {
    var inbound = inbound.makeAsyncIterator()
    var samples: [Double] = []
    samples.reserveCapacity(count)
    for index in 0..<count {
        let id = "rt-\(index)"
        // Timed from the send, as the C side times from `xmpp_send`: the
        // round trip is what the library and the server add to a message
        // the application has built.
        let outbound = benchMessage(to: own, id: id, sequence: index)
        let t0 = now()
        try await connection.send(outbound)
        while true {
            guard let message = try await inbound.next(isolation: isolation) else {
                throw BenchError.failed("the session ended during round trip \(index)")
            }
            if message.type == .error { throw BenchError.failed("message error from the server") }
            if message.id == id { break }
        }
        samples.append((now() - t0) * 1e6)
    }
    return samples
}

/// `count` messages to `to`, then a marker to the session's own JID, which
/// comes back once the server routed all of them (it routes a session's
/// stanzas in order).
func sendLoop(
    _ connection: XMPPConnection, to: JID, own: JID, echoes: XMPPStanzaStream<Message>, count: Int,
    isolation: isolated (any Actor)?
) async throws {
    var echoes = echoes.makeAsyncIterator()
    for index in 0..<count {
        // Waits while XEP-0198's window (1,000 unacknowledged) is full.
        try await connection.send(benchMessage(to: to, id: "m\(index)", sequence: index))
    }
    // Unique per process, as on the C side: Prosody re-routes the
    // unacknowledged stanzas of a session that ended uncleanly to the
    // account's next session, so a fixed id could end a later run early.
    let marker = "done-\(getpid())"
    try await connection.send(benchMessage(to: own, id: marker, sequence: count))
    while let message = try await echoes.next(isolation: isolation) {
        if message.id == marker { return }
    }
    throw BenchError.failed("the session ended before the marker came back")
}

func runRoundTrip(_ options: Options) async throws -> String {
    try await XMPPConnection.withConnection(configuration: try configuration(options)) { connection in
      try await driving(connection, options) {
        try await becomeAvailable(connection)
        let own = JID(connection.boundJID)
        // Subscribed before the clock starts, as the answerer registers.
        let inbound = options.answering ? nil : connection.messages(from: own)
        let start = now()
        let cpuStart = cpuSeconds()
        var samples: [Double]
        if let inbound {
            samples = try await roundTripLoop(
                connection, own: own, inbound: inbound, count: options.count, isolation: options.isolated ? connection : nil)
        } else {
            samples = try await roundTripAnswering(connection, own: own, count: options.count)
        }
        let wall = now() - start
        let cpu = cpuSeconds() - cpuStart
        if let path = options.samplesFile {
            let lines = samples.map { f($0, 1) + "\n" }.joined()
            guard FileManager.default.createFile(atPath: path, contents: Data(lines.utf8)) else {
                throw BenchError.failed("cannot write \(path)")
            }
        }
        samples.sort()
        let client = options.answering ? "swift-xmpp-answer" : "swift-xmpp"
        return "{\"client\":\"\(client)\",\"scenario\":\"roundtrip\",\"n\":\(options.count),\"wall_s\":\(f(wall, 4)),"
            + "\"rtt_us_median\":\(f(quantile(samples, 0.5), 1)),\"rtt_us_p99\":\(f(quantile(samples, 0.99), 1)),"
            + "\"cpu_us_per_op\":\(f(cpu * 1e6 / Double(options.count), 1))}"
      }
    }
}

func runReceive(_ options: Options) async throws -> String {
    try await XMPPConnection.withConnection(configuration: try configuration(options)) { connection in
      try await driving(connection, options) {
        let inbound = connection.messages()
        try await becomeAvailable(connection)
        let cpuStart = cpuSeconds()
        if let readyFile = options.readyFile {
            guard FileManager.default.createFile(atPath: readyFile, contents: nil) else {
                throw BenchError.failed("cannot create \(readyFile)")
            }
        }
        let (received, first, last) = try await receiveLoop(
            inbound: inbound, own: JID(connection.boundJID), count: options.count, isolation: options.isolated ? connection : nil)
        guard received == options.count else {
            throw BenchError.failed("the session ended after \(received) of \(options.count) messages")
        }
        let cpu = cpuSeconds() - cpuStart
        let wall = last - first
        return "{\"client\":\"swift-xmpp\",\"scenario\":\"recv\",\"n\":\(options.count),\"wall_s\":\(f(wall, 4)),"
            + "\"msgs_per_s\":\(f(wall > 0 ? Double(options.count) / wall : 0, 1)),"
            + "\"cpu_ms_per_10k\":\(f(cpu * 1e3 * 1e4 / Double(options.count), 3))}"
      }
    }
}

func runSend(_ options: Options) async throws -> String {
    let to = try JID(options.to ?? "")
    var start = 0.0
    var cpuStart = 0.0
    try await XMPPConnection.withConnection(configuration: try configuration(options)) { connection in
      try await driving(connection, options) {
        try await becomeAvailable(connection)
        let own = JID(connection.boundJID)
        let echoes = connection.messages(from: own)
        start = now()
        cpuStart = cpuSeconds()
        try await sendLoop(
            connection, to: to, own: own, echoes: echoes, count: options.count,
            isolation: options.isolated ? connection : nil)
        return
      }
    }
    // After the clean close, as on the C side.
    let wall = now() - start
    let cpu = cpuSeconds() - cpuStart
    return "{\"client\":\"swift-xmpp\",\"scenario\":\"send\",\"n\":\(options.count),\"wall_s\":\(f(wall, 4)),"
        + "\"msgs_per_s\":\(f(wall > 0 ? Double(options.count) / wall : 0, 1)),"
        + "\"cpu_ms_per_10k\":\(f(cpu * 1e3 * 1e4 / Double(options.count), 3))}"
}

do {
    let options = try parseOptions()
    let line: String
    switch options.scenario {
    case "login": line = try await runLogin(options)
    case "roundtrip": line = try await runRoundTrip(options)
    case "recv": line = try await runReceive(options)
    case "idle": line = try await runIdle(options)
    default: line = try await runSend(options)
    }
    print(line)
} catch {
    FileHandle.standardError.write(Data("SessionBenchmark: \(error)\n".utf8))
    exit(1)
}
