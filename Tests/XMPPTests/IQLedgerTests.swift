import Testing
import XMPPCore

@testable import XMPP

/// `PendingIQLedger` on its own: ids, deadlines (one timer, earliest
/// first), matching, removal, the end of the session.
@Suite struct IQLedgerTests {
    static let account = try! BareJID("alice@example.com")
    static let bob = try! JID("bob@example.com/phone")

    static func at(_ seconds: Int) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: UInt64(seconds) * 1_000_000_000)
    }

    static func result(_ id: String, from: JID?) -> IQ {
        IQ(type: .result, id: id, from: from)
    }

    // MARK: Ids

    @Test("Ids carry the prefix and a counter, never repeat, and are recognised as own")
    func identifiers() {
        var ledger = PendingIQLedger(identifierPrefix: "q-")
        var ids: [String] = []
        for _ in 0..<100 { ids.append(ledger.add(recipient: nil, deadline: Self.at(30)).id) }
        #expect(ids.prefix(3) == ["q-1", "q-2", "q-3"])
        #expect(Set(ids).count == 100)
        #expect(ids.allSatisfy(ledger.isOwnIdentifier))
        #expect(!ledger.isOwnIdentifier("bind-1"))
        #expect(!ledger.isOwnIdentifier("m1"))
        // Removing does not free an id for reuse.
        _ = ledger.remove("q-100")
        #expect(ledger.add(recipient: nil, deadline: Self.at(30)).id == "q-101")
    }

    @Test("Random prefixes: q, eight letters or digits, a dash; different per connection")
    func randomPrefixes() {
        let prefixes = (0..<20).map { _ in PendingIQLedger.randomIdentifierPrefix() }
        for prefix in prefixes {
            #expect(prefix.count == 10)
            #expect(prefix.hasPrefix("q") && prefix.hasSuffix("-"))
            #expect(prefix.dropFirst().dropLast().allSatisfy { $0.isLowercase || $0.isNumber })
        }
        #expect(Set(prefixes).count == prefixes.count)
    }

    // MARK: Deadlines

    @Test("The timer moves only to an earlier deadline: 30 s, then 10 s, then 20 s")
    func earliestDeadlineScheduled() {
        var ledger = PendingIQLedger(identifierPrefix: "q-")
        #expect(ledger.add(recipient: nil, deadline: Self.at(30)).timer == Self.at(30), "the first schedules")
        #expect(ledger.add(recipient: nil, deadline: Self.at(10)).timer == Self.at(10), "earlier: moves")
        #expect(ledger.add(recipient: nil, deadline: Self.at(20)).timer == nil, "later: stays")
        #expect(ledger.add(recipient: nil, deadline: Self.at(10)).timer == nil, "equal: stays")
        #expect(ledger.timer == Self.at(10))
    }

    @Test("Firing expires what is due, oldest first, and schedules the next deadline once")
    func firing() {
        var ledger = PendingIQLedger(identifierPrefix: "q-")
        _ = ledger.add(recipient: nil, deadline: Self.at(30))  // q-1
        _ = ledger.add(recipient: nil, deadline: Self.at(10))  // q-2
        _ = ledger.add(recipient: nil, deadline: Self.at(20))  // q-3
        _ = ledger.add(recipient: nil, deadline: Self.at(10))  // q-4

        let first = ledger.timerFired(at: Self.at(10))
        #expect(first.expired == ["q-2", "q-4"])
        #expect(first.timer == Self.at(20))
        let second = ledger.timerFired(at: Self.at(20))
        #expect(second.expired == ["q-3"])
        #expect(second.timer == Self.at(30))
        let third = ledger.timerFired(at: Self.at(30))
        #expect(third.expired == ["q-1"])
        #expect(third.timer == nil, "nothing left: no timer")
        #expect(ledger.isEmpty)
    }

    @Test("Answered requests leave the timer alone; it fires, finds nothing due, moves on")
    func lazyTimer() {
        var ledger = PendingIQLedger(identifierPrefix: "q-")
        _ = ledger.add(recipient: nil, deadline: Self.at(10))  // q-1
        _ = ledger.add(recipient: nil, deadline: Self.at(20))  // q-2
        let removed = ledger.remove("q-1")
        #expect(removed)
        #expect(ledger.timer == Self.at(10), "no reschedule on removal")
        let fired = ledger.timerFired(at: Self.at(10))
        #expect(fired.expired.isEmpty)
        #expect(fired.timer == Self.at(20))
    }

    @Test("A stale timer (replaced by an earlier one) expires only what is due and keeps the current timer")
    func staleTimer() {
        var ledger = PendingIQLedger(identifierPrefix: "q-")
        _ = ledger.add(recipient: nil, deadline: Self.at(30))  // q-1, timer 30
        _ = ledger.add(recipient: nil, deadline: Self.at(10))  // q-2, timer 10
        _ = ledger.add(recipient: nil, deadline: Self.at(40))  // q-3
        let stale = ledger.timerFired(at: Self.at(30))
        #expect(stale.expired == ["q-1", "q-2"], "everything due at 30 s really is due")
        #expect(stale.timer == nil)
        #expect(ledger.timer == Self.at(10), "the current timer still stands; it will find q-3 not due")
        #expect(ledger.timerFired(at: Self.at(10)) == ([], Self.at(40)))
    }

    @Test("Deadlines: now + timeout, clamped at the ends of the clock")
    func instants() {
        #expect(MonotonicInstant(nanoseconds: 5).advanced(by: .seconds(2)).nanoseconds == 2_000_000_005)
        #expect(MonotonicInstant(nanoseconds: 0).advanced(by: .milliseconds(1500)) == MonotonicInstant(nanoseconds: 1_500_000_000))
        #expect(MonotonicInstant(nanoseconds: .max - 1).advanced(by: .seconds(1)).nanoseconds == .max)
        #expect(MonotonicInstant(nanoseconds: 1).advanced(by: .seconds(-1)).nanoseconds == 0)
        #expect(MonotonicInstant(nanoseconds: 0).advanced(by: .seconds(Int64.max)).nanoseconds == .max)
        #expect(Self.at(1).advanced(by: .nanoseconds(-1)) < Self.at(1))
        #expect(MonotonicInstant(nanoseconds: 1_500_000_000).description == "@1.500000000s")
    }

    // MARK: Matching

    @Test("A result from the request's recipient matches once and removes the request")
    func matching() {
        var ledger = PendingIQLedger(identifierPrefix: "q-")
        let id = ledger.add(recipient: Self.bob, deadline: Self.at(30)).id
        guard case .matched(id, let entry) = ledger.match(Self.result(id, from: Self.bob), account: Self.account) else {
            Issue.record("not matched")
            return
        }
        #expect(entry.recipient == Self.bob)
        #expect(ledger.isEmpty)
        #expect(ledger.match(Self.result(id, from: Self.bob), account: Self.account) == .notPending(ownIdentifier: true))
        #expect(ledger.match(Self.result("m1", from: Self.bob), account: Self.account) == .notPending(ownIdentifier: false))
    }

    @Test("A spoofed result (right id, another sender) is refused and the request keeps waiting for the real one")
    func spoofed() throws {
        var ledger = PendingIQLedger(identifierPrefix: "q-")
        let id = ledger.add(recipient: Self.bob, deadline: Self.at(30)).id
        let mallory = try JID("mallory@evil.example/x")
        guard case .unexpectedOrigin(id, _) = ledger.match(Self.result(id, from: mallory), account: Self.account) else {
            Issue.record("spoof not refused")
            return
        }
        #expect(ledger.entries[id] != nil)
        guard case .matched = ledger.match(Self.result(id, from: Self.bob), account: Self.account) else {
            Issue.record("the real answer did not match")
            return
        }
    }

    @Test("The session ends: every request, oldest first; the timer is to be cancelled")
    func removeAll() {
        var ledger = PendingIQLedger(identifierPrefix: "q-")
        for seconds in [30, 10, 20] { _ = ledger.add(recipient: nil, deadline: Self.at(seconds)) }
        let ended = ledger.removeAll()
        #expect(ended.ids == ["q-1", "q-2", "q-3"])
        #expect(ended.cancelTimer)
        #expect(ledger.isEmpty && ledger.timer == nil)
        #expect(ledger.removeAll() == ([], false), "nothing twice")
    }
}
