internal import CGnuTLS
internal import Synchronization
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Loaded credentials (trust store, client certificate) and compiled
/// priorities, shared by every ``GnuTLSContext`` built from equal settings
/// while one of them is alive.
///
/// Why: callers that build a context per connection (one per
/// `XMPPConnection.withConnection`, for example) would otherwise hold one
/// copy of the parsed trust store and one priority cache per connection for
/// the connection's whole life: about 28 KiB per idle connection with a
/// single CA file, far more with the system store. GnuTLS lets one
/// credentials structure and one priority cache serve any number of
/// sessions on any threads once they are loaded, and ``GnuTLSContext``
/// never changes them after loading.
///
/// The cache holds them weakly: once the last context using them goes away
/// they are freed, and the next context loads them anew. Files are keyed by
/// path and by what `stat` says (device, inode, size, modification time), so
/// a file changed on disk is read again by the next context even while an
/// older one lives. The system store has no such stamp: it is read again
/// once no context uses it any more.
///
/// The credentials and priorities used last are also held strongly (the
/// last ``keptCount`` of each), so that connections made one after another
/// (a reconnecting client, a bot that logs in, works and logs out) do not
/// load the trust store anew each time: with the system store that load
/// costs more CPU than the rest of a login.
enum GnuTLSSharedMaterial {
    /// Loaded credentials and how many authorities they trust.
    struct LoadedCredentials {
        let credentials: GnuTLSCredentials
        let trustAnchorCount: Int
    }

    /// The credentials for `configuration`: shared when equal ones are
    /// alive, else loaded (and then shared).
    /// - Throws: What loading throws (see ``GnuTLSContext/init(configuration:)``);
    ///   a failed load is not cached.
    static func credentials(for configuration: GnuTLSConfiguration) throws(GnuTLSError) -> LoadedCredentials {
        let key = CredentialsKey(configuration)
        if let key, let shared = credentialsCache.withLock({ $0[key]?.loaded }) {
            keepLastUsed(shared.credentials, in: lastUsedCredentials)
            return shared
        }
        let loaded = try load(configuration)
        guard let key else { return loaded }
        let published = credentialsCache.withLock { cache in
            // Two contexts may have loaded the same at once: keep the one
            // already published, so later contexts share a single copy.
            if let published = cache[key]?.loaded { return published }
            cache = cache.filter { $0.value.loaded != nil }
            cache[key] = WeakCredentials(loaded)
            return loaded
        }
        keepLastUsed(published.credentials, in: lastUsedCredentials)
        return published
    }

    /// How many recently used credentials (and priorities) are held
    /// strongly.
    static let keptCount = 4

    /// Holds `object` strongly among the last ``keptCount`` used of its
    /// kind (`kept`).
    private static func keepLastUsed<Object: AnyObject & Sendable>(_ object: Object, in kept: borrowing Mutex<[Object]>) {
        // Released outside the lock: freeing a trust store takes a while.
        let evicted = kept.withLock { kept in
            kept.removeAll { $0 === object }
            kept.insert(object, at: 0)
            return kept.count > keptCount ? kept.removeLast() : nil
        }
        _ = evicted
    }

    /// The compiled priorities for `string` (appended to the system default).
    static func priority(_ string: String) throws(GnuTLSError) -> GnuTLSPriority {
        if let shared = priorityCache.withLock({ $0[string]?.priority }) {
            keepLastUsed(shared, in: lastUsedPriorities)
            return shared
        }
        let priority = try GnuTLSPriority(string, appendingToDefault: true)
        let published = priorityCache.withLock { cache in
            if let published = cache[string]?.priority { return published }
            cache = cache.filter { $0.value.priority != nil }
            cache[string] = WeakPriority(priority: priority)
            return priority
        }
        keepLastUsed(published, in: lastUsedPriorities)
        return published
    }

    /// Loads what `configuration` names into new credentials.
    private static func load(_ configuration: GnuTLSConfiguration) throws(GnuTLSError) -> LoadedCredentials {
        let credentials = try GnuTLSCredentials()
        var anchors = 0
        if configuration.certificateVerification.mode == .full {
            for source in configuration.trustRoots.sources {
                switch source {
                case .system: anchors += try credentials.addSystemTrust()
                case .pem(let pem): anchors += try credentials.addTrust(pem: pem)
                case .file(let path): anchors += try credentials.addTrust(file: path)
                }
            }
        }
        switch configuration.clientCertificate?.source {
        case .pem(let chain, let key)?:
            try credentials.setKeyPair(certificatePEM: chain, privateKeyPEM: key)
        case .files(let chain, let key)?:
            try credentials.setKeyPair(certificateFile: chain, privateKeyFile: key)
        case nil:
            break
        }
        return LoadedCredentials(credentials: credentials, trustAnchorCount: anchors)
    }

    // MARK: - Keys and weak entries

    /// What the loaded credentials depend on: the trust sources (when
    /// verification uses them) and the client certificate, files stamped.
    struct CredentialsKey: Hashable {
        let trust: [Source]
        let clientCertificate: [Source]

        enum Source: Hashable {
            case system
            case pem(String)
            case file(String, FileStamp)
        }

        /// `nil` when a file cannot be stat'ed: then nothing is shared and
        /// loading reports the problem as before.
        init?(_ configuration: GnuTLSConfiguration) {
            var trust: [Source] = []
            if configuration.certificateVerification.mode == .full {
                for source in configuration.trustRoots.sources {
                    switch source {
                    case .system: trust.append(.system)
                    case .pem(let pem): trust.append(.pem(pem))
                    case .file(let path):
                        guard let stamp = FileStamp(path) else { return nil }
                        trust.append(.file(path, stamp))
                    }
                }
            }
            var client: [Source] = []
            switch configuration.clientCertificate?.source {
            case .pem(let chain, let key)?:
                client = [.pem(chain), .pem(key)]
            case .files(let chain, let key)?:
                guard let chainStamp = FileStamp(chain), let keyStamp = FileStamp(key) else { return nil }
                client = [.file(chain, chainStamp), .file(key, keyStamp)]
            case nil:
                break
            }
            self.trust = trust
            self.clientCertificate = client
        }
    }

    /// Identifies one version of a file on disk.
    struct FileStamp: Hashable {
        let device: UInt64
        let inode: UInt64
        let size: Int64
        let modifiedSeconds: Int64
        let modifiedNanoseconds: Int64

        init?(_ path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            #if canImport(Darwin)
            modifiedSeconds = Int64(info.st_mtimespec.tv_sec)
            modifiedNanoseconds = Int64(info.st_mtimespec.tv_nsec)
            #else
            modifiedSeconds = Int64(info.st_mtim.tv_sec)
            modifiedNanoseconds = Int64(info.st_mtim.tv_nsec)
            #endif
        }
    }

    private struct WeakCredentials {
        weak var credentials: GnuTLSCredentials?
        let trustAnchorCount: Int

        init(_ loaded: LoadedCredentials) {
            credentials = loaded.credentials
            trustAnchorCount = loaded.trustAnchorCount
        }

        var loaded: LoadedCredentials? {
            credentials.map { LoadedCredentials(credentials: $0, trustAnchorCount: trustAnchorCount) }
        }
    }

    private struct WeakPriority {
        weak var priority: GnuTLSPriority?
    }

    private static let credentialsCache = Mutex<[CredentialsKey: WeakCredentials]>([:])
    private static let priorityCache = Mutex<[String: WeakPriority]>([:])
    private static let lastUsedCredentials = Mutex<[GnuTLSCredentials]>([])
    private static let lastUsedPriorities = Mutex<[GnuTLSPriority]>([])
}
