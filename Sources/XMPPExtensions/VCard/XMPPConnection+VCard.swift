public import XMPP
public import XMPPCore

extension XMPPConnection {
    /// Fetches a vCard (XEP-0054).
    ///
    /// ```swift
    /// let mine = try await connection.vCard()
    /// let juliet = try await connection.vCard(of: try BareJID("juliet@example.com"))
    /// ```
    /// - Parameters:
    ///   - account: Whose; `nil` (the default) for our own.
    ///   - timeout: How long to wait; `nil` for the connection's IQ timeout.
    /// - Returns: The vCard; empty when the account has none.
    /// - Throws: ``XMPPClientError``, as from ``request(_:to:timeout:)``;
    ///   ``XMPPClientError/Code/invalidResponse`` when it does not read.
    public func vCard(of account: BareJID? = nil, timeout: Duration? = nil) async throws -> VCard {
        try await request(VCardRequest(), to: account.map { JID($0) }, timeout: timeout)
    }

    /// Publishes our own vCard (XEP-0054 §3.3), replacing the stored one.
    /// - Parameters:
    ///   - vCard: The new vCard.
    ///   - timeout: How long to wait; `nil` for the connection's IQ timeout.
    /// - Throws: ``XMPPClientError``; ``XMPPClientError/Code/stanzaError``
    ///   when the server refuses it.
    public func publishVCard(_ vCard: VCard, timeout: Duration? = nil) async throws {
        try await request(VCardPublishRequest(vCard), timeout: timeout)
    }
}
