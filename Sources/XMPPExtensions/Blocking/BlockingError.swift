/// Why the blocklist (XEP-0191) cannot be used.
public struct BlockingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kinds of failure; more may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case notSupported
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// The server does not advertise `urn:xmpp:blocking` in its
        /// disco#info.
        public static let notSupported = Code(.notSupported)

        /// A short phrase naming the code.
        public var description: String {
            switch value {
            case .notSupported: "not supported by the server"
            }
        }
    }

    /// What went wrong.
    public var code: Code

    /// Creates an error.
    /// - Parameter code: What went wrong.
    public init(_ code: Code) {
        self.code = code
    }

    /// The server lacks the `urn:xmpp:blocking` feature.
    public static let notSupported = BlockingError(.notSupported)

    /// For example `blocking: not supported by the server`.
    public var description: String { "blocking: \(code)" }
}
