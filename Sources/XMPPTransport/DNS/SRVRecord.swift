/// One DNS SRV resource record (RFC 2782): where a service of a domain is
/// offered.
///
/// Values come from ``DNSResolver/srv(_:)``; ``ordered(_:)`` puts a set of
/// them into the order a client should try them.
public struct SRVRecord: Hashable, Sendable {
    /// Lower values are tried first; records of a higher priority are only
    /// used when every record of a lower one failed.
    public var priority: UInt16
    /// Relative share of first attempts among records of the same priority;
    /// `0` means "no load balancing" and gives the record only a very small
    /// chance of being tried before records with a weight.
    public var weight: UInt16
    /// The TCP port the service listens on at ``target``.
    public var port: UInt16
    /// The host name offering the service, without a trailing dot; `"."`
    /// (the root) when the record says the service is not offered.
    public var target: String

    /// Creates a record.
    /// - Parameters:
    ///   - priority: Lower values are tried first.
    ///   - weight: Relative share among records of the same priority.
    ///   - port: The TCP port of the service.
    ///   - target: The host name, or `"."` for "not offered".
    public init(priority: UInt16, weight: UInt16, port: UInt16, target: String) {
        self.priority = priority
        self.weight = weight
        self.port = port
        self.target = target
    }

    /// Whether this record's target is the root domain `"."`.
    public var hasRootTarget: Bool { target == "." }

    /// Whether a lookup's answer says the service is decidedly not available
    /// at the domain: RFC 2782 gives that meaning to exactly one record whose
    /// target is `"."`.
    ///
    /// A root target among other records carries no such meaning; such a
    /// record is merely unusable and ``ordered(_:)`` leaves it out.
    /// - Parameter records: Every SRV record of one answer.
    public static func isServiceDecidedlyUnavailable(_ records: [SRVRecord]) -> Bool {
        records.count == 1 && records[0].hasRootTarget
    }
}

extension SRVRecord: CustomStringConvertible {
    /// The record in zone-file order, for example `"5 10 5222 xmpp.example.com"`.
    public var description: String { "\(priority) \(weight) \(port) \(target)" }
}
