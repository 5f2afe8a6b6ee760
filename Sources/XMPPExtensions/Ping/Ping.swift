public import XMPP
public import XMPPCore

/// XEP-0199 XMPP Ping: asks whether an entity (a server, a peer's full
/// JID) is reachable. The answer is an empty `result`, so
/// ``XMPPConnection/request(_:to:timeout:)`` returns nothing; an `error`
/// answer (for example `service-unavailable` from a client without ping)
/// still proves the entity reachable.
///
/// ```swift
/// try await connection.request(PingRequest(), to: JID(connection.boundJID.domainpart), timeout: .seconds(5))
/// ```
public struct PingRequest: IQRequest, Hashable {
    /// The namespace of XEP-0199, also its disco#info feature.
    public static let namespace = "urn:xmpp:ping"

    /// Creates a ping.
    public init() {}

    /// `get`.
    public var type: IQRequestType { .get }

    /// `<ping xmlns='urn:xmpp:ping'/>`.
    public var payload: XMLElement { XMLElement("ping", namespace: Self.namespace) }
}

/// Answers XEP-0199 pings with an empty `result`; advertises
/// `urn:xmpp:ping`.
public struct PingResponder: IQResponder, Hashable {
    /// Creates the responder.
    public init() {}

    /// `{urn:xmpp:ping}ping`.
    public var payload: XMLQualifiedName { XMLQualifiedName("ping", namespace: PingRequest.namespace) }

    /// `urn:xmpp:ping`.
    public var features: Set<String> { [PingRequest.namespace] }

    /// An empty result for a `get`; `bad-request` for a `set`.
    /// - Parameter request: The ping.
    /// - Throws: ``StanzaError`` `bad-request` for a `set`.
    public func respond(to request: IQ) throws(StanzaError) -> XMLElement? {
        try requireGet(request)
        return nil
    }
}

extension XMPPConnection {
    /// Answers XEP-0199 pings until the registration is cancelled or the
    /// session ends. To advertise ping in service discovery too, pass a
    /// ``PingResponder`` to ``serve(_:identities:features:)`` instead.
    /// - Returns: The registration.
    /// - Throws: ``XMPPClientError/Code/handlerAlreadyRegistered`` when pings
    ///   already have a handler.
    @discardableResult
    public func respondToPings() throws(XMPPClientError) -> IQHandlerRegistration {
        try register(PingResponder())
    }
}
