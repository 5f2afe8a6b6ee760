import XMPPCore

/// The application's handler for inbound IQ requests whose payload has one
/// qualified name (or any name in one namespace), as registered through
/// ``XMPPConnection/handleIQ(namespace:localName:_:)``.
struct IQRequestHandler: Sendable {
    /// The handler's signature: the request in, the result's payload (or
    /// `nil` for an empty result) out.
    typealias Body = @Sendable (IQ) async throws -> XMLElement?

    /// Which payloads it handles.
    var key: IQRequestRoutes.Key
    /// Unique per connection; tells a registration from a later one for the
    /// same key.
    var registration: Int
    /// The application's code.
    var body: Body
}

/// Which handler answers which inbound IQ request: pure, looked up by the
/// state machine when a `get` or `set` arrives.
///
/// A handler for a qualified name wins over one for its whole namespace.
/// One handler per key: a second registration is refused, so two parts of
/// an application cannot silently take each other's requests.
struct IQRequestRoutes: Sendable {
    /// The payloads a handler is registered for.
    struct Key: Hashable, Sendable, CustomStringConvertible {
        /// The payload's namespace.
        var namespace: String
        /// The payload's local name, or `nil` for every name in the namespace.
        var localName: String?

        /// Clark notation, with `*` for any name: `{urn:xmpp:ping}ping`.
        var description: String { "{\(namespace)}\(localName ?? "*")" }
    }

    private var handlers: [Key: IQRequestHandler] = [:]
    private var lastRegistration = 0

    /// Whether no handler is registered.
    var isEmpty: Bool { handlers.isEmpty }

    /// Registers a handler for `key`.
    /// - Returns: The handler, with its registration number.
    /// - Throws: ``XMPPClientError/Code/handlerAlreadyRegistered`` when `key`
    ///   already has one.
    mutating func register(_ key: Key, body: @escaping IQRequestHandler.Body) throws(XMPPClientError) -> IQRequestHandler {
        guard handlers[key] == nil else { throw .handlerAlreadyRegistered(key.description) }
        lastRegistration += 1
        let handler = IQRequestHandler(key: key, registration: lastRegistration, body: body)
        handlers[key] = handler
        return handler
    }

    /// Removes the handler of `key` if it is still the one from
    /// `registration` (a later registration for the key stays).
    mutating func unregister(_ key: Key, registration: Int) {
        if handlers[key]?.registration == registration { handlers[key] = nil }
    }

    /// Removes every handler.
    mutating func removeAll() {
        handlers.removeAll()
    }

    /// The handler for a request's payload: the exact name first, then the
    /// namespace.
    func handler(for payload: XMLQualifiedName) -> IQRequestHandler? {
        handlers[Key(namespace: payload.namespace, localName: payload.localName)]
            ?? handlers[Key(namespace: payload.namespace, localName: nil)]
    }
}
