import Synchronization
import Testing
import XMPPCore

@testable import XMPPExtensions

/// The resolver over a scripted disco#info: cache hits, verification
/// before caching, shared queries, unverifiable annotations.
@Suite(.timeLimit(.minutes(1))) struct CapsResolverTests {
    static let node = "http://psi-im.org"
    static let ver = "q07IKJEyjvHSyhy//CH0CxmKi8w="
    static let caps = EntityCapabilities(node: node, verification: ver)

    /// Answers disco#info per entity, optionally after a gate opens, and
    /// records who was asked for which node.
    final class ScriptedDisco: Sendable {
        struct NoAnswer: Error {}

        let answers: [JID: XMLElement]
        let gate: CapsGate?
        private let asked = Mutex<[String]>([])

        init(answers: [JID: XMLElement], gate: CapsGate? = nil) {
            self.answers = answers
            self.gate = gate
        }

        var calls: [String] { asked.withLock { $0 } }

        func query(_ entity: JID, _ node: String) async throws -> XMLElement {
            asked.withLock { $0.append("\(entity) \(node)") }
            await gate?.wait()
            guard let answer = answers[entity] else { throw NoAnswer() }
            return answer
        }

        /// Waits (bounded) until `count` queries were made.
        func waitForCalls(_ count: Int) async throws {
            for _ in 0..<1000 where calls.count < count { try await Task.sleep(for: .milliseconds(5)) }
            #expect(calls.count >= count)
        }
    }

    let juliet: JID
    let nurse: JID
    let answer: XMLElement
    /// An answer with one feature more: hashes to something else.
    let forged: XMLElement

    init() throws {
        juliet = try JID("juliet@capulet.lit/chamber")
        nurse = try JID("nurse@capulet.lit/chamber")
        answer = try TestXML.element(CapsVerificationTests.complexQuery)
        var forged = answer
        forged.append(XMLElement("feature", namespace: Disco.infoNamespace, attributes: ["var": "urn:evil"]))
        self.forged = forged
    }

    func resolver(_ disco: ScriptedDisco, cache: InMemoryCapsCache = InMemoryCapsCache()) -> EntityCapabilitiesResolver {
        EntityCapabilitiesResolver(cache: cache) { try await disco.query($0, $1) }
    }

    @Test("A miss asks the entity for node#ver, verifies and caches; the next entity with that ver is not asked")
    func missThenHit() async throws {
        let disco = ScriptedDisco(answers: [juliet: answer])
        let cache = InMemoryCapsCache()
        let resolver = resolver(disco, cache: cache)
        let info = try await resolver.discoInfo(of: juliet, advertising: Self.caps)
        #expect(info.features.contains("http://jabber.org/protocol/muc") && info.node == nil)
        #expect(disco.calls == ["juliet@capulet.lit/chamber \(Self.node)#\(Self.ver)"])
        #expect(cache.discoInfo(for: CapsCacheKey(hashAlgorithm: .sha1, verification: Self.ver)) == info)
        let presence = Presence(from: nurse, extensions: [Self.caps.element])
        #expect(try await resolver.discoInfo(for: presence) == info)
        #expect(disco.calls.count == 1)
    }

    @Test("An answer that does not hash to the advertised ver fails and is not cached; the next entity is asked")
    func poisoningRefused() async throws {
        let disco = ScriptedDisco(answers: [juliet: forged, nurse: answer])
        let cache = InMemoryCapsCache()
        let resolver = resolver(disco, cache: cache)
        let error = await #expect(throws: EntityCapabilitiesError.self) { try await resolver.discoInfo(of: juliet, advertising: Self.caps) }
        #expect(error?.code == .verificationMismatch)
        #expect(cache.count == 0)
        let info = try await resolver.discoInfo(of: nurse, advertising: Self.caps)
        #expect(!info.features.contains("urn:evil"))
        #expect(disco.calls.count == 2 && cache.count == 1)
    }

    @Test("Entities advertising the same ver at once share one query")
    func sharedQuery() async throws {
        let gate = CapsGate()
        let disco = ScriptedDisco(answers: [juliet: answer, nurse: answer], gate: gate)
        let resolver = resolver(disco)
        let first = Task { try await resolver.discoInfo(of: juliet, advertising: Self.caps) }
        try await disco.waitForCalls(1)
        let second = Task { try await resolver.discoInfo(of: nurse, advertising: Self.caps) }
        try await Task.sleep(for: .milliseconds(100))
        gate.open()
        #expect(try await first.value == second.value)
        #expect(disco.calls.count == 1)
    }

    @Test("When the shared query's answer is forged, each waiting entity is asked in turn")
    func sharedQueryFails() async throws {
        let gate = CapsGate()
        let disco = ScriptedDisco(answers: [juliet: forged, nurse: answer], gate: gate)
        let cache = InMemoryCapsCache()
        let resolver = resolver(disco, cache: cache)
        let first = Task { try await resolver.discoInfo(of: juliet, advertising: Self.caps) }
        try await disco.waitForCalls(1)
        let second = Task { try await resolver.discoInfo(of: nurse, advertising: Self.caps) }
        try await Task.sleep(for: .milliseconds(100))
        gate.open()
        await #expect(throws: EntityCapabilitiesError.self) { try await first.value }
        #expect(try await second.value.features.contains("http://jabber.org/protocol/muc"))
        #expect(disco.calls.map { $0.hasPrefix("nurse") } == [false, true])
        #expect(cache.count == 1)
    }

    @Test("Legacy and unknown-hash annotations are asked every time and never cached")
    func unverifiable() async throws {
        let disco = ScriptedDisco(answers: [juliet: answer])
        let cache = InMemoryCapsCache()
        let resolver = resolver(disco, cache: cache)
        for algorithm in [nil, CapsHashAlgorithm(name: "md5")] {
            let caps = EntityCapabilities(node: Self.node, verification: Self.ver, hashAlgorithm: algorithm)
            let info = try await resolver.discoInfo(of: juliet, advertising: caps)
            #expect(info.node == nil && info.identities.count == 2)
        }
        #expect(disco.calls.count == 2 && cache.count == 0)
    }

    @Test("A presence without an annotation or without a sender resolves to nothing, asking nobody")
    func nothingToResolve() async throws {
        let disco = ScriptedDisco(answers: [:])
        let resolver = resolver(disco)
        #expect(try await resolver.discoInfo(for: Presence(from: juliet)) == nil)
        #expect(try await resolver.discoInfo(for: Presence(extensions: [Self.caps.element])) == nil)
        #expect(disco.calls.isEmpty)
    }

    @Test("The in-memory cache is bounded: the oldest entry goes first")
    func cacheBound() {
        let cache = InMemoryCapsCache(capacity: 2)
        let info = DiscoInfo(identities: [], features: [])
        let keys = ["a", "b", "c"].map { CapsCacheKey(hashAlgorithm: .sha1, verification: $0) }
        for key in keys { cache.store(info, for: key) }
        cache.store(info, for: keys[2])
        #expect(cache.count == 2)
        #expect(cache.discoInfo(for: keys[0]) == nil && cache.discoInfo(for: keys[1]) != nil && cache.discoInfo(for: keys[2]) != nil)
    }
}

/// Holds waiters until opened.
final class CapsGate: Sendable {
    private let state = Mutex<(isOpen: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let isOpen = state.withLock { state in
                if !state.isOpen { state.waiters.append(continuation) }
                return state.isOpen
            }
            if isOpen { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.isOpen = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
