public import XMPP

/// What ``XMPPConnection/serve(_:identities:features:capabilitiesNode:)``
/// set up: the handlers and the `<c/>` on our available presences.
public struct CapabilitiesAdvertisement: Sendable {
    /// The annotation every available presence now carries.
    public let capabilities: EntityCapabilities
    /// The responders' registrations, disco#info's last.
    public let registrations: [IQHandlerRegistration]
    private let connection: XMPPConnection

    init(capabilities: EntityCapabilities, registrations: [IQHandlerRegistration], connection: XMPPConnection) {
        self.capabilities = capabilities
        self.registrations = registrations
        self.connection = connection
    }

    /// Stops answering and stops adding the `<c/>` to presences (the next
    /// available presence goes out without it).
    public func cancel() async {
        for registration in registrations { await registration.cancel() }
        await connection.setAvailablePresenceExtension(nil, forKey: EntityCapabilities.presenceExtensionKey)
    }
}

extension XMPPConnection {
    /// Registers `responders` and service discovery for them, as
    /// ``serve(_:identities:features:)`` does, and advertises the result
    /// with XEP-0115 entity capabilities: every available presence sent from
    /// now on carries a `<c/>` whose verification string hashes exactly
    /// what disco#info answers, and disco#info answers for `node#ver` too.
    ///
    /// ```swift
    /// let advertised = try await connection.serve(
    ///     [PingResponder(), SoftwareVersionResponder(name: "EchoBot", version: "1.0")],
    ///     capabilitiesNode: "https://example.com/echobot")
    /// try await connection.send(Presence())   // carries the <c/>
    /// print(advertised.capabilities.verification)
    /// ```
    ///
    /// disco#info also advertises `http://jabber.org/protocol/caps`.
    /// Nothing is registered when one registration fails. To change what is
    /// served, cancel the advertisement, serve again, and send a presence.
    /// - Parameters:
    ///   - responders: The protocols to answer.
    ///   - identities: Who this entity is; a PC client by default.
    ///   - features: Further features implemented elsewhere.
    ///   - capabilitiesNode: A URI naming our software (XEP-0115 §4).
    /// - Returns: The annotation and the registrations.
    /// - Throws: ``XMPPClientError/Code/handlerAlreadyRegistered`` when a
    ///   payload already has a handler; ``EntityCapabilitiesError`` when the
    ///   hash cannot be computed (two equal identities).
    @discardableResult
    public func serve(
        _ responders: [any IQResponder],
        identities: [DiscoIdentity] = [DiscoIdentity(category: "client", type: "pc")],
        features: Set<String> = [],
        capabilitiesNode: String
    ) async throws -> CapabilitiesAdvertisement {
        let served = responders + [DiscoItemsResponder()]
        var discoInfo = DiscoInfoResponder(
            identities: identities, features: features.union([EntityCapabilities.namespace]), advertising: served)
        let capabilities = try EntityCapabilities(advertising: discoInfo.info, node: capabilitiesNode)
        discoInfo.capabilitiesNode = capabilities.discoNode
        var registrations: [IQHandlerRegistration] = []
        do {
            for responder in served + [discoInfo] {
                registrations.append(try register(responder))
            }
        } catch {
            for registration in registrations { await registration.cancel() }
            throw error
        }
        setAvailablePresenceExtension(capabilities.element, forKey: EntityCapabilities.presenceExtensionKey)
        return CapabilitiesAdvertisement(capabilities: capabilities, registrations: registrations, connection: self)
    }
}
