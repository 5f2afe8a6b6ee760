import Testing
import XMPPCore

@testable import XMPP

/// The pure liveness rules with explicit instants: keepalive, silence
/// probe, probe timeout, ack deadline, scheduling.
@Suite struct LivenessMonitorTests {
    typealias Monitor = LivenessMonitor

    /// Keepalive 60 s, probe after 90 s of silence, 30 s to answer.
    static let standard = Monitor.Configuration(keepaliveInterval: .seconds(60), probeAfterSilence: .seconds(90), probeTimeout: .seconds(30))

    static func at(_ seconds: Int) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: UInt64(seconds) * 1_000_000_000)
    }

    /// A monitor started at 1000 s (so that no instant is near the origin).
    static func started(_ configuration: Monitor.Configuration = standard) -> Monitor {
        var monitor = Monitor(configuration: configuration)
        _ = monitor.start(at: at(1000))
        return monitor
    }

    /// Runs the monitor as the machine does until `end` seconds after the
    /// start: wakes up whenever it asks to, does what is due, and records
    /// it (seconds after the start); nothing is read or written besides.
    static func run(_ monitor: inout Monitor, until end: Int) -> [(Int, Monitor.Duty)] {
        var duties: [(Int, Monitor.Duty)] = []
        while let next = monitor.scheduledWakeUp ?? monitor.rescheduleIfEarlier(), next <= at(1000 + end) {
            #expect(monitor.wakeUpFired(at: next) == true)
            if let duty = monitor.due(at: next) {
                duties.append((Int(next.nanoseconds / 1_000_000_000) - 1000, duty))
            }
            _ = monitor.rescheduleIfEarlier()
        }
        return duties
    }

    @Test("Keepalive: a single space after 60 s without writing, then every 60 s; writes push it later")
    func keepalive() {
        var monitor = Self.started(Monitor.Configuration(keepaliveInterval: .seconds(60), probeAfterSilence: nil, probeTimeout: .seconds(30)))
        #expect(monitor.scheduledWakeUp == Self.at(1060))
        #expect(monitor.due(at: Self.at(1059)) == nil)
        monitor.wrote(at: Self.at(1030))
        #expect(monitor.nextWakeUp == Self.at(1090))
        // The wake-up at 60 s finds nothing due (a write pushed it) and moves on.
        #expect(monitor.wakeUpFired(at: Self.at(1060)) == true)
        #expect(monitor.due(at: Self.at(1060)) == nil)
        #expect(monitor.rescheduleIfEarlier() == Self.at(1090))
        let duties = Self.run(&monitor, until: 250)
        #expect(duties.map(\.0) == [90, 150, 210])
        #expect(duties.allSatisfy { $0.1 == .writeWhitespace })
    }

    @Test("Silence: a probe after 90 s without reading; reads push it later; a read answers it")
    func probeAfterSilence() {
        var monitor = Self.started(Monitor.Configuration(keepaliveInterval: nil, probeAfterSilence: .seconds(90), probeTimeout: .seconds(30)))
        monitor.bytesRead(at: Self.at(1050))
        #expect(monitor.nextWakeUp == Self.at(1140))
        #expect(monitor.due(at: Self.at(1139)) == nil)
        #expect(monitor.due(at: Self.at(1140)) == .probe)
        #expect(monitor.nextWakeUp == Self.at(1170), "the probe waits 30 s")
        #expect(monitor.due(at: Self.at(1150)) == nil, "one probe at a time")
        monitor.bytesRead(at: Self.at(1165))
        #expect(monitor.nextWakeUp == Self.at(1255), "answered: the next probe after 90 s of silence again")
        #expect(monitor.due(at: Self.at(1170)) == nil)
        #expect(monitor.isRunning)
    }

    @Test("Nothing read within 30 s of the probe: time-out, and the monitor stops")
    func probeTimeout() {
        var monitor = Self.started()
        let duties = Self.run(&monitor, until: 1_000)
        #expect(duties.map(\.0) == [60, 90, 120], "a keepalive at 60 s, the probe at 90 s (it writes, so no keepalive at 120 s)")
        #expect(duties.map(\.1) == [.writeWhitespace, .probe, .timeOut(.probe(.seconds(30)))])
        #expect(!monitor.isRunning)
        #expect(monitor.nextWakeUp == nil)
        #expect(Monitor.Unanswered.probe(.seconds(30)).description == "nothing read within 30 seconds of a probe")
    }

    @Test("A probe due with a keepalive writes once: the probe replaces the space")
    func probeReplacesKeepalive() {
        var monitor = Self.started(Monitor.Configuration(keepaliveInterval: .seconds(90), probeAfterSilence: .seconds(90), probeTimeout: .seconds(30)))
        #expect(monitor.due(at: Self.at(1090)) == .probe)
        #expect(monitor.due(at: Self.at(1090)) == nil)
        #expect(monitor.nextWakeUp == Self.at(1120))
    }

    @Test("Ack deadline: 30 s after the first <r/>; later <r/> do not extend it, reads do not clear it")
    func ackDeadline() {
        var monitor = Self.started(Monitor.Configuration(keepaliveInterval: nil, probeAfterSilence: .seconds(90), probeTimeout: .seconds(30)))
        #expect(monitor.ackRequested(at: Self.at(1010)) == Self.at(1040), "earlier than the silence probe: reschedule")
        #expect(monitor.ackRequested(at: Self.at(1020)) == nil, "the deadline stays at 40 s")
        #expect(monitor.ackDeadline == Self.at(1040))
        monitor.bytesRead(at: Self.at(1035))
        #expect(monitor.due(at: Self.at(1039)) == nil)
        #expect(monitor.due(at: Self.at(1040)) == .timeOut(.ackRequest(.seconds(30))))
        #expect(!monitor.isRunning)
        #expect(Monitor.Unanswered.ackRequest(.seconds(30)).description == "no <a/> within 30 seconds of <r/>")
    }

    @Test("Any <a/> clears the ack deadline; the next <r/> starts a new one")
    func ackClears() {
        var monitor = Self.started()
        _ = monitor.ackRequested(at: Self.at(1010))
        monitor.ackReceived()
        #expect(monitor.ackDeadline == nil)
        #expect(monitor.due(at: Self.at(1040)) == nil)
        _ = monitor.ackRequested(at: Self.at(1050))
        #expect(monitor.ackDeadline == Self.at(1080))
        #expect(monitor.lastWrite == Self.at(1050), "an <r/> is a write")
    }

    @Test("A replaced wake-up is ignored; rescheduling happens only to move earlier")
    func scheduling() {
        var monitor = Self.started()
        #expect(monitor.scheduledWakeUp == Self.at(1060))
        monitor.wrote(at: Self.at(1050))
        #expect(monitor.rescheduleIfEarlier() == nil, "later: the scheduled wake-up stays")
        #expect(monitor.ackRequested(at: Self.at(1020)) == Self.at(1050))
        #expect(monitor.wakeUpFired(at: Self.at(1060)) == false, "replaced")
        #expect(monitor.wakeUpFired(at: Self.at(1050)) == true)
        #expect(monitor.wakeUpFired(at: Self.at(1050)) == false, "fires once")
    }

    @Test("Disabled or stopped: nothing is ever due or scheduled")
    func disabledAndStopped() {
        var off = Monitor(configuration: nil)
        #expect(off.start(at: Self.at(0)) == nil)
        _ = off.ackRequested(at: Self.at(1))
        off.wrote(at: Self.at(2))
        #expect(off.due(at: Self.at(100_000)) == nil)
        #expect(off.nextWakeUp == nil && !off.isRunning)

        var nothing = Self.started(Monitor.Configuration(keepaliveInterval: nil, probeAfterSilence: nil, probeTimeout: .seconds(30)))
        #expect(nothing.scheduledWakeUp == nil)
        #expect(nothing.due(at: Self.at(100_000)) == nil)

        var stopped = Self.started()
        _ = stopped.ackRequested(at: Self.at(1001))
        stopped.stop()
        #expect(stopped.due(at: Self.at(100_000)) == nil)
        #expect(stopped.nextWakeUp == nil && stopped.scheduledWakeUp == nil)
        #expect(stopped.ackRequested(at: Self.at(100_001)) == nil)

        var notStarted = Monitor(configuration: Self.standard)
        #expect(notStarted.due(at: Self.at(100_000)) == nil)
    }

    @Test("The public configuration: defaults on, disabled off, non-positive durations refused")
    func publicConfiguration() throws {
        typealias Liveness = XMPPConnection.Configuration.Liveness
        #expect(try Liveness().monitorConfiguration() == Self.standard)
        #expect(try Liveness.disabled.monitorConfiguration() == nil)
        #expect(try Liveness(whitespaceKeepaliveInterval: nil, probeAfterSilence: nil).monitorConfiguration()?.keepaliveInterval == nil)
        for invalid in [
            Liveness(whitespaceKeepaliveInterval: .zero), Liveness(probeAfterSilence: .seconds(-1)), Liveness(probeTimeout: .zero),
        ] {
            #expect(throws: XMPPClientError.self) { try invalid.monitorConfiguration() }
        }
        #expect(Liveness.disabled.description == "Liveness(disabled)")
        #expect(Liveness().description.contains("probeTimeout: 30.0 seconds"))
        var configuration = XMPPConnection.Configuration(jid: try BareJID("alice@example.com"), password: "x")
        #expect(try configuration.sessionConfiguration().liveness == Self.standard)
        configuration.liveness.probeTimeout = .zero
        #expect(throws: XMPPClientError.self) { try configuration.sessionConfiguration() }
        #expect(configuration.description.contains("liveness: Liveness("))
    }
}
