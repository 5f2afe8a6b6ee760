import XMPPCore

// The negotiation holds the password (for SCRAM until server-first) and its
// actions carry credentials (PLAIN's `<auth/>` is the password in base64).
// Interpolating either into a log line, or `dump`ing it, must not leak
// them, so descriptions and mirrors show only names.

extension SASLNegotiation: CustomStringConvertible, CustomReflectable {
    /// The chosen mechanism only.
    var description: String { "SASLNegotiation(mechanism: \(mechanism?.name ?? "none"))" }

    /// A mirror without credentials or SCRAM state.
    var customMirror: Mirror { Mirror(self, children: ["mechanism": mechanism?.name ?? "none"]) }
}

extension SASLNegotiation.Action: CustomStringConvertible, CustomReflectable {
    /// The element's name and mechanism, never its payload.
    var description: String {
        switch self {
        case .send(let element):
            let mechanism = element[attribute: "mechanism"].map { " mechanism=\($0)" } ?? ""
            return "send(<\(element.name.localName)\(mechanism)> [payload redacted])"
        case .succeeded: return "succeeded"
        case .failed(let error): return "failed(\(error))"
        }
    }

    /// The same redacted view for `dump` and debuggers.
    var customMirror: Mirror { Mirror(self, children: ["action": description]) }
}

extension SCRAMClient: CustomReflectable {
    /// Hides the password bytes.
    var customMirror: Mirror { Mirror(self, children: ["algorithm": algorithm, "gs2Header": gs2Header]) }
}

extension SCRAMClient.AwaitingServerFinal: CustomReflectable {
    /// Hides the expected signature (derived from the password).
    var customMirror: Mirror { Mirror(self, children: ["algorithm": algorithm]) }
}

extension SASLConfiguration: CustomReflectable {
    /// A mirror with the password redacted, for `dump` and debuggers.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "username": username,
                "password": password == nil ? "none" : "<redacted>",
                "authorizationIdentity": authorizationIdentity ?? "none",
                "allowedMechanisms": allowedMechanisms.map(\.name),
                "allowsPlain": allowsPlain,
                "scramIterationRange": scramIterationRange,
            ])
    }
}
