extension ChaosProxy {
    /// Which way bytes flow through a proxied connection.
    public enum Direction: Hashable, Sendable, CaseIterable, CustomStringConvertible {
        /// From the client that connected to the proxy, to the target.
        case clientToServer
        /// From the target back to the client.
        case serverToClient

        /// `client→server` or `server→client`, for failure messages.
        public var description: String {
            switch self {
            case .clientToServer: "client→server"
            case .serverToClient: "server→client"
            }
        }
    }

    /// How a connection is cut.
    public enum CutMode: Hashable, Sendable, CustomStringConvertible {
        /// An abortive close: `SO_LINGER` {1, 0} then close, so both peers
        /// receive a TCP RST (what a crashed middlebox or a NAT timeout looks
        /// like to the client).
        case reset
        /// An orderly close of both sockets: each peer reads EOF after the
        /// bytes already forwarded.
        case fin

        /// `reset` or `fin`.
        public var description: String {
            switch self {
            case .reset: "reset"
            case .fin: "fin"
            }
        }
    }

    /// A cut that happens once a direction has forwarded an exact number of
    /// bytes.
    public struct Cut: Hashable, Sendable {
        /// How many bytes are forwarded before the cut. With 0 nothing is
        /// forwarded and the cut happens when the first byte arrives.
        public var afterBytes: Int
        /// How the connection is cut.
        public var mode: CutMode

        /// Creates a cut after `afterBytes` bytes.
        public init(afterBytes: Int, mode: CutMode) {
            self.afterBytes = afterBytes
            self.mode = mode
        }
    }

    /// Writes of bounded size, so that the receiver reads the stream in
    /// pieces (TLS records and XML tokens arrive split).
    public struct Fragmentation: Hashable, Sendable {
        /// The largest write, in bytes; values below 1 count as 1.
        public var maximumWriteSize: Int
        /// The pause between two writes; zero writes them back to back
        /// (each still its own write, but the receiver may read several at
        /// once).
        public var delay: Duration

        /// Creates a fragmentation.
        public init(maximumWriteSize: Int, delay: Duration = .zero) {
            self.maximumWriteSize = maximumWriteSize
            self.delay = delay
        }
    }

    /// The faults applied to one direction of one connection. They combine:
    /// the first threshold reached (cut or blackhole) wins.
    public struct DirectionFaults: Hashable, Sendable {
        /// Forward exactly this many bytes, then cut the whole connection.
        public var cut: Cut?
        /// Forward this many bytes, then read and discard everything else
        /// in this direction while keeping both sockets open.
        public var blackholeFrom: Int?
        /// Split what is forwarded into bounded writes.
        public var fragmentation: Fragmentation?

        /// Creates faults; the defaults forward everything unchanged.
        public init(cut: Cut? = nil, blackholeFrom: Int? = nil, fragmentation: Fragmentation? = nil) {
            self.cut = cut
            self.blackholeFrom = blackholeFrom
            self.fragmentation = fragmentation
        }

        /// No fault.
        public static let none = DirectionFaults()
    }

    /// What the proxy does to one connection, chosen when it is accepted
    /// (see ``ChaosProxy/setPlan(_:)``).
    public struct Plan: Hashable, Sendable {
        /// Faults for the bytes the client sends.
        public var clientToServer: DirectionFaults
        /// Faults for the bytes the server sends.
        public var serverToClient: DirectionFaults

        /// Creates a plan; the defaults forward everything unchanged.
        public init(clientToServer: DirectionFaults = .none, serverToClient: DirectionFaults = .none) {
            self.clientToServer = clientToServer
            self.serverToClient = serverToClient
        }

        /// The faults of `direction`.
        public subscript(direction: Direction) -> DirectionFaults {
            get {
                switch direction {
                case .clientToServer: clientToServer
                case .serverToClient: serverToClient
                }
            }
            set {
                switch direction {
                case .clientToServer: clientToServer = newValue
                case .serverToClient: serverToClient = newValue
                }
            }
        }

        /// Forwards everything unchanged.
        public static let passThrough = Plan()

        /// Forwards exactly `bytes` bytes in `direction`, then cuts the
        /// connection with `mode`.
        public static func cut(after bytes: Int, _ direction: Direction, mode: CutMode) -> Plan {
            Plan().cutting(after: bytes, direction, mode: mode)
        }

        /// Forwards `bytes` bytes in `direction`, then discards the rest of
        /// that direction (both sockets stay open).
        public static func blackhole(_ direction: Direction, from bytes: Int = 0) -> Plan {
            Plan().blackholing(direction, from: bytes)
        }

        /// Forwards `direction` in writes of at most `maximumWriteSize`
        /// bytes, `delay` apart.
        public static func fragment(_ direction: Direction, maximumWriteSize: Int, delay: Duration = .zero) -> Plan {
            Plan().fragmenting(direction, maximumWriteSize: maximumWriteSize, delay: delay)
        }

        /// This plan, also cutting after `bytes` bytes in `direction`.
        public func cutting(after bytes: Int, _ direction: Direction, mode: CutMode) -> Plan {
            var plan = self
            plan[direction].cut = Cut(afterBytes: bytes, mode: mode)
            return plan
        }

        /// This plan, also blackholing `direction` from byte `bytes` on.
        public func blackholing(_ direction: Direction, from bytes: Int = 0) -> Plan {
            var plan = self
            plan[direction].blackholeFrom = bytes
            return plan
        }

        /// This plan, also fragmenting `direction`.
        public func fragmenting(_ direction: Direction, maximumWriteSize: Int, delay: Duration = .zero) -> Plan {
            var plan = self
            plan[direction].fragmentation = Fragmentation(maximumWriteSize: maximumWriteSize, delay: delay)
            return plan
        }
    }
}
