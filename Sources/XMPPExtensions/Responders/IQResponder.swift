public import XMPP
public import XMPPCore

/// Something that answers one kind of inbound IQ request, and the service
/// discovery features (XEP-0030) it stands for.
///
/// Responders are plain values: their ``respond(to:)`` can be called with
/// an ``IQ`` in a test, and ``XMPPConnection/serve(_:identities:features:)``
/// registers a set of them together with a disco#info responder that
/// advertises exactly their features, so a feature is declared once, by the
/// code that implements it.
public protocol IQResponder: Sendable {
    /// The qualified name of the payloads answered, for example
    /// `{urn:xmpp:ping}ping`.
    var payload: XMLQualifiedName { get }

    /// The disco#info features answering these requests implies, for
    /// example `urn:xmpp:ping`.
    var features: Set<String> { get }

    /// Makes the answer to a request.
    /// - Parameter request: The inbound `get` or `set`, whose payload has
    ///   the name ``payload``.
    /// - Returns: The `result`'s payload, or `nil` for an empty result.
    /// - Throws: A ``StanzaError`` to answer with that error; anything else
    ///   is answered `internal-server-error`.
    func respond(to request: IQ) async throws -> XMLElement?
}

extension IQResponder {
    /// Refuses anything but a `get` with `bad-request`: the protocols here
    /// only ever ask (XEP-0030, XEP-0092, XEP-0199, XEP-0202).
    /// - Parameter request: The inbound request.
    /// - Throws: ``StanzaError`` `bad-request` for a `set`.
    public func requireGet(_ request: IQ) throws(StanzaError) {
        guard request.type == .get else { throw StanzaError(.badRequest) }
    }
}

extension XMPPConnection {
    /// Registers one responder's handler.
    /// - Parameter responder: What answers the requests.
    /// - Returns: The registration; cancel it to stop answering.
    /// - Throws: ``XMPPClientError/Code/handlerAlreadyRegistered`` when
    ///   another handler answers these payloads.
    @discardableResult
    public func register(_ responder: some IQResponder) throws(XMPPClientError) -> IQHandlerRegistration {
        try handleIQ(namespace: responder.payload.namespace, localName: responder.payload.localName) { request in
            try await responder.respond(to: request)
        }
    }

    /// Registers `responders` and service discovery (XEP-0030) for them:
    /// disco#info answers with `identities` and the features of every
    /// responder, disco#info's own, and `features`; disco#items answers an
    /// empty list.
    ///
    /// ```swift
    /// try await connection.serve([PingResponder(), SoftwareVersionResponder(name: "EchoBot", version: "1.0")])
    /// ```
    /// Nothing is registered when one registration fails.
    /// - Parameters:
    ///   - responders: The protocols to answer.
    ///   - identities: Who this entity is; a PC client by default.
    ///   - features: Further features implemented elsewhere (for example
    ///     by message handling, like `urn:xmpp:receipts`).
    /// - Returns: The registrations, disco's last; cancel them to stop.
    /// - Throws: ``XMPPClientError/Code/handlerAlreadyRegistered`` when a
    ///   payload already has a handler.
    @discardableResult
    public func serve(
        _ responders: [any IQResponder],
        identities: [DiscoIdentity] = [DiscoIdentity(category: "client", type: "pc")],
        features: Set<String> = []
    ) async throws(XMPPClientError) -> [IQHandlerRegistration] {
        let served = responders + [DiscoItemsResponder()]
        let info = DiscoInfoResponder(identities: identities, features: features, advertising: served)
        var registrations: [IQHandlerRegistration] = []
        do {
            for responder in served + [info] {
                registrations.append(try register(responder))
            }
        } catch {
            for registration in registrations { await registration.cancel() }
            throw error
        }
        return registrations
    }
}
