public import XMPP
import XMPPCore

extension XMPPConnection {
    /// The account's blocklist (XEP-0191), answering the server's blocking
    /// pushes from now until the session ends.
    ///
    /// ```swift
    /// let blocklist = try await connection.blocklist()
    /// let blocked = try await blocklist.fetch()
    /// ```
    ///
    /// Asks the server's disco#info first. Call it once per session: it
    /// registers the handler for `urn:xmpp:blocking` requests.
    /// - Parameter timeout: How long to wait for the disco#info answer;
    ///   `nil` for the connection's IQ timeout.
    /// - Returns: The blocklist, empty until ``Blocklist/fetch()``.
    /// - Throws: ``BlockingError/Code/notSupported`` when the server does
    ///   not advertise `urn:xmpp:blocking`;
    ///   ``XMPPClientError/Code/handlerAlreadyRegistered`` when a blocklist
    ///   (or another handler for its namespace) already exists; other
    ///   ``XMPPClientError``s when the disco#info query fails.
    public func blocklist(timeout: Duration? = nil) async throws -> Blocklist {
        let blocklist = Blocklist(connection: self)
        let registration = try handleIQ(namespace: Blocking.namespace) { [weak blocklist] request in
            guard let blocklist else { throw StanzaError(.serviceUnavailable) }
            return try await blocklist.receivedPush(request)
        }
        do {
            let server = try JID(boundJID.domainpart)
            let info = try await request(DiscoInfoRequest(), to: server, timeout: timeout)
            guard info.features.contains(Blocking.namespace) else { throw BlockingError.notSupported }
        } catch {
            await registration.cancel()
            throw error
        }
        return blocklist
    }
}
