import XMPPCore

/// The STARTTLS exchange (RFC 6120 §5.4): `<starttls/>` out, `<proceed/>`
/// or `<failure/>` back, then the TLS handshake.
///
/// `<proceed/>` is accepted only when nothing followed it in the same read:
/// bytes the server (or a man in the middle) sent after `<proceed/>` but
/// before TLS would otherwise be taken for data of the secured stream (the
/// STARTTLS command-injection attack, CVE-2011-0411 and kin), so they abort
/// the connection.
struct StartTLSNegotiation: Hashable, Sendable {
    /// Where the exchange stands.
    enum Phase: Hashable, Sendable {
        /// `<starttls/>` was sent.
        case awaitingProceed
        /// `<proceed/>` arrived; the TLS handler is doing the handshake.
        case handshaking
    }

    /// What the session must do after an element.
    enum Outcome: Hashable, Sendable {
        /// Add TLS and start the handshake.
        case beginHandshake
        /// The server refused STARTTLS.
        case refused
        /// Bytes followed `<proceed/>` before TLS: abort without writing.
        case injection
        /// The element does not belong here.
        case unexpected
    }

    /// The request that starts the exchange.
    static let request = XMLElement("starttls", namespace: XMLNamespace.tls)

    /// Where the exchange stands.
    private(set) var phase: Phase = .awaitingProceed

    /// Feeds an element the server sent.
    /// - Parameters:
    ///   - element: A top-level element of the stream.
    ///   - bytesFollowing: How many bytes of the same read came after it.
    mutating func received(_ element: XMLElement, bytesFollowing: Int) -> Outcome {
        guard phase == .awaitingProceed, element.name.namespace == XMLNamespace.tls else { return .unexpected }
        switch element.name.localName {
        case "proceed":
            guard bytesFollowing == 0 else { return .injection }
            phase = .handshaking
            return .beginHandshake
        case "failure":
            return .refused
        default:
            return .unexpected
        }
    }
}
