import Logging
public import XMPP
public import XMPPCore

/// Learns what entities can do from their XEP-0115 annotations: through
/// the cache when their verification string is known, otherwise by asking
/// them (disco#info to their full JID for `node#ver`), checking that the
/// answer hashes to what they advertised, and caching it.
///
/// ```swift
/// let resolver = EntityCapabilitiesResolver(connection: connection, cache: sharedCapsCache)
/// for try await presence in connection.presences() {
///     if let info = try? await resolver.discoInfo(for: presence) {
///         print(presence.from?.description ?? "?", info.features.sorted())
///     }
/// }
/// ```
///
/// An answer that does not match its hash is never cached (that is the
/// poisoning attack XEP-0115 §5.4 guards against): the call fails with
/// ``EntityCapabilitiesError/Code/verificationMismatch``, and the next
/// entity with that string is asked in turn. Answers for annotations that
/// cannot be checked (the legacy format, an unknown hash function) are
/// returned but not cached: they describe that entity only.
///
/// Entities advertising the same string at the same time (a roster
/// logging in) share one query. If it fails, each of them is asked in turn.
public final actor EntityCapabilitiesResolver {
    /// Asks `entity` for disco#info about `node`; the answer's `<query/>`.
    typealias DiscoInfoQuery = @Sendable (_ entity: JID, _ node: String) async throws -> XMLElement

    private let cache: any CapsCache
    private let query: DiscoInfoQuery
    private let logger: Logger
    /// Queries under way, by what they will verify.
    private var inFlight: [CapsCacheKey: Task<DiscoInfo, any Error>] = [:]

    /// Creates a resolver for one session.
    /// - Parameters:
    ///   - connection: The session the queries go through.
    ///   - cache: Where verified answers are kept; share one between
    ///     sessions to query less. A new ``InMemoryCapsCache`` by default.
    ///   - timeout: How long to wait for each answer; `nil` for the
    ///     connection's IQ timeout.
    public init(connection: XMPPConnection, cache: any CapsCache = InMemoryCapsCache(), timeout: Duration? = nil) {
        self.init(cache: cache, logger: connection.logger) { entity, node in
            try await connection.request(CapsDiscoInfoRequest(node: node), to: entity, timeout: timeout)
        }
    }

    /// Creates a resolver over any way of asking (tests).
    init(cache: any CapsCache, logger: Logger = Logger(label: "xmpp.caps"), query: @escaping DiscoInfoQuery) {
        self.cache = cache
        self.logger = logger
        self.query = query
    }

    /// What the sender of `presence` can do, from its `<c/>`.
    /// - Parameter presence: A presence with a `from`.
    /// - Returns: The sender's identities and features; `nil` when the
    ///   presence has no annotation or no sender.
    /// - Throws: As ``discoInfo(of:advertising:)``.
    public func discoInfo(for presence: Presence) async throws -> DiscoInfo? {
        guard let from = presence.from, let capabilities = presence.capabilities else { return nil }
        return try await discoInfo(of: from, advertising: capabilities)
    }

    /// What `entity`, which advertised `capabilities`, can do.
    /// - Parameters:
    ///   - entity: Who advertised them: the exact JID the presence came
    ///     from (a full JID for a client), which is asked on a cache miss.
    ///   - capabilities: The annotation.
    /// - Returns: The identities, features and extended information.
    /// - Throws: ``EntityCapabilitiesError`` (`verificationMismatch`,
    ///   `illFormedDiscoInfo`); ``XMPPClientError`` when the query fails;
    ///   `CancellationError`.
    public func discoInfo(of entity: JID, advertising capabilities: EntityCapabilities) async throws -> DiscoInfo {
        guard let algorithm = capabilities.hashAlgorithm, algorithm.isSupported else {
            return try await unverifiedDiscoInfo(of: entity, advertising: capabilities)
        }
        let key = CapsCacheKey(hashAlgorithm: algorithm, verification: capabilities.verification)
        if let cached = cache.discoInfo(for: key) { return cached }
        if let running = inFlight[key] {
            // Someone else's query for the same string; if it fails (its
            // entity lied, or did not answer), ask ours below.
            if let info = try? await running.value { return info }
            if let cached = cache.discoInfo(for: key) { return cached }
        }
        let query = self.query
        let task = Task { try capabilities.verify(try await query(entity, capabilities.discoNode)) }
        inFlight[key] = task
        let result = await withTaskCancellationHandler {
            await task.result
        } onCancel: {
            task.cancel()
        }
        if inFlight[key] == task { inFlight[key] = nil }
        do {
            let info = try result.get()
            cache.store(info, for: key)
            logger.debug("XMPP caps verified and cached", metadata: ["xmpp.caps.ver": "\(key.verification)"])
            return info
        } catch let error as EntityCapabilitiesError {
            logger.debug(
                "XMPP caps answer not cached",
                metadata: ["xmpp.caps.ver": "\(key.verification)", "xmpp.jid": "\(entity)", "error": "\(error)"])
            throw error
        }
    }

    /// Asks an entity whose annotation cannot be checked; nothing is cached.
    private func unverifiedDiscoInfo(of entity: JID, advertising capabilities: EntityCapabilities) async throws -> DiscoInfo {
        let answer = try await query(entity, capabilities.discoNode)
        do {
            var info = try DiscoInfo(element: answer)
            info.node = nil
            return info
        } catch {
            throw EntityCapabilitiesError(.illFormedDiscoInfo, detail: "\(error)")
        }
    }
}

/// disco#info for a caps node, answered by the `<query/>` itself: the
/// resolver checks the element, which keeps repeated features that
/// ``DiscoInfo`` would merge.
struct CapsDiscoInfoRequest: IQRequest {
    var node: String

    var type: IQRequestType { .get }

    var payload: XMLElement { DiscoInfoRequest(node: node).payload }

    func response(from result: IQ) throws(StanzaParseError) -> XMLElement {
        guard let payload = result.payload else {
            throw StanzaParseError(.missingChild, subject: "{\(Disco.infoNamespace)}query")
        }
        return payload
    }
}
