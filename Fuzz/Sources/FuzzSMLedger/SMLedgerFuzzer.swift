// Fuzz target `sm-ledger`: the XEP-0198 stream-management ledger driven by
// operations read from the input, against a model of which stanzas it holds.
//
// Input: two configuration bytes (queue bound 1–8, ack threshold, whether to
// ask for resumption, SM-ID length cap), a start byte (a fresh ledger, or one
// restored from a snapshot whose counts are about to wrap past 2^32 − 1),
// then operations: enable, <enabled/>, send a stanza or a nonza, <a h/> with
// an h near the counts or anywhere, an inbound stanza, <r/>, connection
// loss, resume, <resumed/>, <failed/>, abandon, time passing, a snapshot
// round trip, and server elements built from bytes and parsed from XML.
//
// Checks after every operation: no crash or leak; `isConsistent`; the kept
// stanzas are in send order; every stanza the ledger accepted is either
// still kept or was handed back exactly once, with the state the operation
// promises (acked, unknown, failed, sent, queued), oldest first; nothing is
// lost or duplicated (abandon at the end hands back the rest); an `h` is
// stale, retires exactly the stanzas it covers, or is refused as too high,
// by serial-number arithmetic; the handled count answers <r/>; a refused
// operation leaves the ledger unchanged; parsed elements re-parse equal.
import FuzzSupport
import XMPPCore
@testable import XMPP

private typealias Ledger = StreamManagementLedger<Int>

/// Everything a refused operation must leave alone.
private struct LedgerState: Equatable {
    var phase: Ledger.Phase
    var session: Ledger.ResumableSession?
    var sent, acknowledged, handled, mark: StanzaCount
    var stanzas: [TrackedStanza<Int>]
    var detachedAt: MonotonicInstant?

    init(_ ledger: Ledger) {
        phase = ledger.phase
        session = ledger.resumableSession
        sent = ledger.sentCount
        acknowledged = ledger.acknowledgedCount
        handled = ledger.handledCount
        mark = ledger.ackRequestMark
        stanzas = ledger.stanzas
        detachedAt = ledger.detachedAt
    }
}

private struct Harness {
    var ledger: Ledger
    let configuration: StreamManagementConfiguration
    /// Tokens the ledger accepted and has not handed back.
    var live: Set<Int> = []
    var nextToken = 0
    /// Inbound stanzas counted since <enabled/> (mod 2^32), as the ledger should count.
    var handled = StanzaCount.zero
    var now = MonotonicInstant(nanoseconds: 1_000_000_000)

    init(configuration: StreamManagementConfiguration) {
        self.configuration = configuration
        ledger = Ledger(configuration: configuration)
    }

    /// Stanzas handed back: each was live, is now gone, has `state`, and they
    /// come oldest first.
    mutating func handBack(_ stanzas: [TrackedStanza<Int>], _ state: StanzaDeliveryState, _ what: String) {
        var previous = Int.min
        for stanza in stanzas {
            fuzzCheck(live.remove(stanza.token) != nil, "\(what): token \(stanza.token) handed back twice or never accepted")
            fuzzCheck(stanza.state == state, "\(what): token \(stanza.token) is \(stanza.state), expected \(state)")
            fuzzCheck(stanza.token > previous, "\(what): out of order")
            previous = stanza.token
        }
    }

    func checkInvariants(_ what: String) {
        fuzzCheck(ledger.isConsistent, "inconsistent after \(what)")
        let tokens = ledger.stanzas.map(\.token)
        fuzzCheck(zip(tokens, tokens.dropFirst()).allSatisfy { $0 < $1 }, "stanzas out of send order after \(what)")
        fuzzCheck(Set(tokens) == live, "after \(what) the ledger holds \(tokens.count) stanzas, the model \(live.count)")
        fuzzCheck(tokens.count <= configuration.maximumUnacknowledged, "over the bound after \(what)")
        if ledger.phase == .active {
            fuzzCheck(ledger.handledCount == handled, "handled \(ledger.handledCount), model \(handled) after \(what)")
        }
    }

    func unchanged(since before: LedgerState, _ what: String) {
        fuzzCheck(LedgerState(ledger) == before, "a refused \(what) changed the ledger")
    }

    /// An `h` near the interesting counts, or anywhere.
    func count(_ input: inout FuzzInput) -> StanzaCount {
        let byte = UInt32(input.byte())
        switch input.choice(6) {
        case 0: return ledger.acknowledgedCount.advanced(by: byte % (ledger.outstandingCount &+ 3))
        case 1: return ledger.sentCount
        case 2: return ledger.acknowledgedCount.advanced(by: ~(byte % 4))  // 1–4 behind
        case 3: return ledger.sentCount.advanced(by: 1 + byte % 3)  // ahead of what was sent
        case 4: return ledger.acknowledgedCount.advanced(by: 1 << 31 &+ byte)  // half the ring away
        default: return StanzaCount(UInt32(input.byte()) << 24 | UInt32(input.byte()) << 16 | byte << 8 | UInt32(input.byte()))
        }
    }

    func sessionID(_ input: inout FuzzInput) -> String? {
        switch input.choice(5) {
        case 0: return nil
        case 1: return ""
        case 2: return "sm-1"
        case 3: return String(repeating: "x", count: configuration.maximumSessionIDLength + Int(input.byte() % 2))
        default: return String(decoding: input.run(maximum: 16), as: UTF8.self)
        }
    }

    // MARK: Operations

    mutating func enable() {
        let before = LedgerState(ledger)
        do {
            let element = try ledger.enable()
            fuzzCheck(before.phase == .inactive, "enable from \(before.phase)")
            fuzzCheck(element == .enable(resume: configuration.requestsResumption,
                                         preferredMaximum: configuration.preferredMaximumResumption), "enable wrote \(element)")
        } catch {
            fuzzCheck(error == .alreadyEnabled && before.phase != .inactive, "enable: \(error) in \(before.phase)")
            unchanged(since: before, "enable")
        }
    }

    mutating func enabled(_ enabled: StreamManagementEnabled) {
        let before = LedgerState(ledger)
        do {
            let (resumable, _) = try ledger.enabled(enabled, now: now)
            handled = .zero
            let idUsable = enabled.id.map { !$0.isEmpty && $0.utf8.count <= configuration.maximumSessionIDLength } ?? false
            fuzzCheck(resumable == (configuration.requestsResumption && enabled.resume && idUsable), "resumable \(resumable) for \(enabled)")
        } catch {
            fuzzCheck(error == .unexpectedElement(localName: "enabled") && before.phase != .enabling, "enabled: \(error)")
            unchanged(since: before, "<enabled/>")
        }
    }

    mutating func send(stanza: Bool, _ input: inout FuzzInput) {
        let name = stanza ? ["message", "presence", "iq"][input.choice(3)] : "r"
        let element = XMLElement(name, namespace: stanza ? XMLNamespace.client : StreamManagementElement.namespace)
        let before = LedgerState(ledger)
        let token = nextToken
        nextToken += 1
        do {
            switch try ledger.send(element, token: token, now: now) {
            case .write(let number, _):
                fuzzCheck(stanza && [.enabling, .active].contains(before.phase), "written in \(before.phase)")
                fuzzCheck(number == before.sent.next && ledger.sentCount == number, "numbered \(number) after \(before.sent)")
                live.insert(token)
            case .queued:
                fuzzCheck(stanza && [.detached, .resuming].contains(before.phase), "queued in \(before.phase)")
                live.insert(token)
            case .untracked:
                fuzzCheck(!stanza || before.phase == .inactive, "a stanza untracked in \(before.phase)")
                unchanged(since: before, "untracked send")
            }
        } catch {
            fuzzCheck(error == .queueFull(limit: configuration.maximumUnacknowledged)
                      && before.stanzas.count >= configuration.maximumUnacknowledged, "send: \(error)")
            unchanged(since: before, "send")
        }
    }

    mutating func ack(_ h: StanzaCount) {
        let before = LedgerState(ledger)
        let step = Int32(bitPattern: before.acknowledged.distance(to: h))
        do {
            switch try ledger.ackReceived(h) {
            case .acknowledged(let retired):
                fuzzCheck(step >= 0 && UInt32(step) <= before.acknowledged.distance(to: before.sent), "h \(h) accepted")
                fuzzCheck(retired.count == Int(step) && ledger.acknowledgedCount == h, "h \(h) retired \(retired.count)")
                handBack(retired, .acked, "<a h='\(h)'/>")
            case .stale:
                fuzzCheck(step < 0, "h \(h) called stale after \(before.acknowledged)")
                unchanged(since: before, "stale ack")
            }
        } catch {
            switch error {
            case .handledCountTooHigh:
                fuzzCheck(before.phase == .active && step >= 0 && UInt32(step) > before.acknowledged.distance(to: before.sent),
                          "h \(h) refused as too high after \(before.acknowledged)/\(before.sent)")
            default:
                fuzzCheck(error == .unexpectedElement(localName: "a") && before.phase != .active, "ack: \(error)")
            }
            unchanged(since: before, "ack")
        }
    }

    mutating func inbound(stanza: Bool) {
        let element = XMLElement(stanza ? "message" : "a", namespace: stanza ? XMLNamespace.client : StreamManagementElement.namespace)
        let phase = ledger.phase
        let counted = ledger.inboundHandled(element)
        fuzzCheck(counted == (stanza && phase == .active), "inbound counted \(counted) in \(phase)")
        if counted { handled = handled.next }
    }

    mutating func answerAckRequest() {
        do {
            let answer = try ledger.answerAckRequest()
            fuzzCheck(answer == .ack(handled), "answered \(answer), model \(handled)")
        } catch {
            fuzzCheck(error == .unexpectedElement(localName: "r") && ledger.phase != .active, "<r/>: \(error)")
        }
    }

    mutating func requestAck(_ input: inout FuzzInput) {
        let phase = ledger.phase
        if input.byte() & 1 == 0 {
            fuzzCheck((ledger.requestAck() != nil) == (phase == .active), "requestAck in \(phase)")
        } else {
            let due = ledger.requestAckIfDue(now: now)
            fuzzCheck(!due || phase == .active, "<r/> due in \(phase)")
            if due { fuzzCheck(ledger.ackRequestMark == ledger.sentCount, "mark not moved") }
        }
        if let next = ledger.nextAckRequestTime {
            fuzzCheck(phase == .active, "a timer in \(phase)")
            _ = next
        }
    }

    mutating func connectionLost() {
        let before = LedgerState(ledger)
        switch ledger.connectionLost(now: now) {
        case .resumable:
            fuzzCheck(before.session != nil && [.active, .detached, .resuming].contains(before.phase), "resumable from \(before.phase)")
            fuzzCheck(ledger.phase == .detached, "not detached")
        case .ended(let end):
            fuzzCheck(ledger.phase == .inactive && ledger.stanzas.isEmpty, "ended but not inactive")
            handBack(end.unknown, .unknown, "loss")
            handBack(end.failed, .failed, "loss")
        }
    }

    mutating func resume() {
        let before = LedgerState(ledger)
        do {
            let element = try ledger.resume(now: now)
            fuzzCheck(element == .resume(previousID: before.session?.id ?? "?", handled: before.handled), "resume wrote \(element)")
        } catch {
            fuzzCheck(error == .notResumable || error == .resumptionExpired, "resume: \(error)")
            unchanged(since: before, "resume")
        }
    }

    mutating func resumed(previousID: String, handled h: StanzaCount) {
        let before = LedgerState(ledger)
        do {
            let resumption = try ledger.resumed(previousID: previousID, handled: h, now: now)
            fuzzCheck(before.phase == .resuming && previousID == before.session?.id, "resumed from \(before.phase)")
            handBack(resumption.acked, .acked, "<resumed/>")
            let written = resumption.toWrite.map(\.token)
            fuzzCheck(written == ledger.stanzas.map(\.token), "<resumed/> did not hand back every kept stanza")
            fuzzCheck(ledger.stanzas.allSatisfy { $0.state == .sent }, "queued stanzas left after <resumed/>")
            fuzzCheck(ledger.handledCount == before.handled, "<resumed/> changed the handled count")
            fuzzCheck(resumption.requestAck == !written.isEmpty, "requestAck \(resumption.requestAck)")
        } catch {
            fuzzCheck(error == .previousIDMismatch || error == .unexpectedElement(localName: "resumed")
                      || (error == .handledCountTooHigh(handled: h, sent: before.sent)), "<resumed/>: \(error)")
            unchanged(since: before, "<resumed/>")
        }
    }

    mutating func failed(_ failure: StreamManagementFailure) {
        let before = LedgerState(ledger)
        do {
            switch try ledger.failed(failure) {
            case .enableRefused(let written, _):
                fuzzCheck(before.phase == .enabling, "enable refused in \(before.phase)")
                handBack(written, .sent, "<failed/> to <enable/>")
            case .resumeRefused(let refusal):
                fuzzCheck(before.phase == .resuming, "resume refused in \(before.phase)")
                if failure.handled == nil { fuzzCheck(refusal.acked.isEmpty, "acked without h") }
                handBack(refusal.acked, .acked, "<failed/> to <resume/>")
                handBack(refusal.unknown, .unknown, "<failed/> to <resume/>")
                handBack(refusal.unsent, .queued, "<failed/> to <resume/>")
            }
            fuzzCheck(ledger.phase == .inactive && ledger.stanzas.isEmpty, "not inactive after <failed/>")
        } catch {
            switch error {
            case .handledCountTooHigh:
                fuzzCheck(before.phase == .resuming && failure.handled != nil, "<failed h/> too high in \(before.phase)")
            default:
                fuzzCheck(error == .unexpectedElement(localName: "failed")
                          && ![.enabling, .resuming].contains(before.phase), "<failed/>: \(error)")
            }
            unchanged(since: before, "<failed/>")
        }
    }

    mutating func abandon() {
        let end = ledger.abandon()
        handBack(end.unknown, .unknown, "abandon")
        handBack(end.failed, .failed, "abandon")
        fuzzCheck(ledger.phase == .inactive && ledger.stanzas.isEmpty, "abandon left stanzas")
    }

    mutating func snapshot(replace: Bool) {
        guard let snapshot = ledger.snapshot else {
            fuzzCheck(ledger.resumableSession == nil || ![.active, .detached, .resuming].contains(ledger.phase), "no snapshot")
            return
        }
        do {
            let restored = try Ledger(restoring: snapshot, configuration: configuration)
            fuzzCheck(restored.stanzas == ledger.stanzas && restored.sentCount == ledger.sentCount
                      && restored.acknowledgedCount == ledger.acknowledgedCount && restored.handledCount == ledger.handledCount,
                      "the restored ledger differs")
            fuzzCheck(restored.phase == .detached && restored.isConsistent, "restored ledger not detached and consistent")
            if replace {
                ledger = restored
                handled = restored.handledCount
            }
        } catch {
            fuzzCheck(false, "a snapshot of a consistent ledger does not restore: \(error)")
        }
    }

    /// A server element built from bytes, written as XML attributes, parsed
    /// as the session would parse it, and dispatched.
    mutating func wire(_ input: inout FuzzInput) {
        let name = ["a", "r", "enabled", "resumed", "failed", "enable", "resume", "x"][input.choice(8)]
        var element = XMLElement(name, namespace: input.choice(8) == 0 ? XMLNamespace.client : StreamManagementElement.namespace)
        let attributes = ["h", "previd", "id", "resume", "max", "location"]
        for _ in 0..<input.choice(5) {
            let attribute = attributes[input.choice(attributes.count)]
            let value: String
            switch input.choice(6) {
            case 0: value = count(&input).description
            case 1: value = ledger.resumableSession?.id ?? "sm-1"
            case 2: value = ["true", "false", "1", "0", "yes", ""][input.choice(6)]
            case 3: value = ["4294967295", "4294967296", "-1", "+1", " 1", "007", "1e3", "٣"][input.choice(8)]
            default: value = String(decoding: input.run(maximum: 12), as: UTF8.self)
            }
            element[attribute: attribute] = value
        }
        if name == "failed", input.choice(2) == 0 {
            element.append(XMLElement(["item-not-found", "text", "unexpected-request"][input.choice(3)], namespace: XMLNamespace.stanzaErrors))
        }
        guard let parsed = try? StreamManagementElement(element: element) else { return }
        fuzzCheck((try? StreamManagementElement(element: parsed.element)) == parsed, "\(parsed) does not re-parse equal")
        switch parsed {
        case .ack(let h): ack(h)
        case .requestAck: answerAckRequest()
        case .enabled(let value): enabled(value)
        case .resumed(let previousID, let h): resumed(previousID: previousID, handled: h)
        case .failed(let failure): failed(failure)
        case .enable, .resume: break  // client-to-server elements
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSMLedger(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzInput(data, size)
    let first = input.byte()
    let second = input.byte()
    let configuration = StreamManagementConfiguration(
        maximumUnacknowledged: 1 + Int(first % 8),
        ackRequestThreshold: 1 + Int(first >> 3 % 4),
        ackRequestDelay: .milliseconds(Int(second % 16) * 100),
        requestsResumption: first & 0x20 == 0,
        preferredMaximumResumption: first & 0x40 == 0 ? nil : UInt32(second),
        maximumSessionIDLength: second & 0x80 == 0 ? 4_000 : 4 + Int(second % 8))
    var harness = Harness(configuration: configuration)

    // Optionally start detached, restored from a snapshot near the wrap.
    let start = input.byte()
    if start & 1 != 0 {
        let acknowledged = StanzaCount(UInt32.max - UInt32(start >> 1 % 8))
        let written = min(Int(start >> 4 % 4), configuration.maximumUnacknowledged)
        var stanzas: [TrackedStanza<Int>] = []
        for index in 0..<written {
            stanzas.append(TrackedStanza(
                token: index, element: XMLElement("message", namespace: XMLNamespace.client), state: .sent,
                sequenceNumber: acknowledged.advanced(by: UInt32(index) + 1), writtenAt: harness.now))
        }
        let snapshot = Ledger.Snapshot(
            session: Ledger.ResumableSession(id: "sm-1", maximumResumption: start & 0x40 == 0 ? nil : 60, location: nil),
            sentCount: acknowledged.advanced(by: UInt32(written)), acknowledgedCount: acknowledged,
            handledCount: StanzaCount(UInt32.max - 1), stanzas: stanzas)
        do {
            harness.ledger = try Ledger(restoring: snapshot, configuration: configuration)
        } catch {
            fuzzCheck(false, "a valid snapshot was refused: \(error)")
        }
        harness.live = Set(0..<written)
        harness.nextToken = written
        harness.handled = snapshot.handledCount
    }
    harness.checkInvariants("start")

    var operations = 0
    while !input.isAtEnd, operations < 512 {
        operations += 1
        let operation = input.choice(17)
        switch operation {
        case 0: harness.enable()
        case 1:
            let resume = input.byte() & 1 == 0
            let id = harness.sessionID(&input)
            let maximum: UInt32? = input.byte() & 1 == 0 ? nil : UInt32(input.byte())
            harness.enabled(StreamManagementEnabled(id: id, resume: resume, maximumResumption: maximum, location: nil))
        case 2, 3: harness.send(stanza: true, &input)
        case 4: harness.send(stanza: false, &input)
        case 5: harness.ack(harness.count(&input))
        case 6: harness.inbound(stanza: input.byte() % 4 != 0)
        case 7: harness.answerAckRequest()
        case 8: harness.requestAck(&input)
        case 9: harness.connectionLost()
        case 10: harness.resume()
        case 11:
            let previousID = input.byte() % 4 == 0 ? "other" : (harness.ledger.resumableSession?.id ?? "sm-1")
            harness.resumed(previousID: previousID, handled: harness.count(&input))
        case 12:
            let h: StanzaCount? = input.byte() & 1 == 0 ? nil : harness.count(&input)
            harness.failed(StreamManagementFailure(handled: h, condition: h == nil ? StanzaError.Condition("item-not-found") : nil))
        case 13: harness.abandon()
        case 14:
            let step = Int(input.byte())
            harness.now = harness.now.advanced(by: .milliseconds(step * step * 4))
        case 15: harness.snapshot(replace: input.byte() & 1 == 0)
        default: harness.wire(&input)
        }
        harness.checkInvariants("operation \(operation)")
    }
    // Nothing is lost: ending the session hands back everything still kept.
    harness.abandon()
    fuzzCheck(harness.live.isEmpty, "\(harness.live.count) stanzas lost")
    return 0
}
