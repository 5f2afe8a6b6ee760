import XMPPCore

/// Opening a stream (RFC 6120 §4.7): the header the client sends, and the
/// checks on the header the server answers with.
///
/// The server's header must have the root `{http://etherx.jabber.org/streams}stream`,
/// the content namespace `jabber:client` and version 1.x. A header without
/// a version (a pre-RFC 3920 server) is refused with `unsupported-version`:
/// the client never falls back to legacy (XEP-0078) authentication.
enum StreamOpening {
    /// Why a server's header was refused: the stream error condition to
    /// send, and a detail for the local error.
    struct Problem: Hashable, Sendable {
        /// The condition sent to the server.
        var condition: StreamError.Condition
        /// What was wrong, in a few words (no server text beyond names).
        var detail: String
    }

    /// The root element of every XMPP stream.
    static let rootName = XMLQualifiedName("stream", namespace: XMLNamespace.streams)

    /// The header to send to open a stream to `jid`'s domain.
    /// - Parameters:
    ///   - jid: The account.
    ///   - isSecured: Whether TLS is up; only then is the account's bare JID
    ///     sent as `from` (RFC 6120 §4.7.1), so the cleartext header of a
    ///     STARTTLS connection does not name the user.
    static func header(for jid: BareJID, isSecured: Bool) -> XMLStreamHeader {
        var attributes = [XMLAttribute("to", value: jid.domainpart)]
        if isSecured { attributes.append(XMLAttribute("from", value: jid.description)) }
        attributes.append(XMLAttribute("version", value: "1.0"))
        return XMLStreamHeader(
            name: rootName,
            attributes: attributes,
            namespaceDeclarations: ["": XMLNamespace.client, "stream": XMLNamespace.streams])
    }

    /// Checks the server's header.
    /// - Parameters:
    ///   - header: The header the reader parsed.
    ///   - domain: The domain the stream was opened to.
    /// - Returns: `nil` when the header is acceptable, else what was wrong.
    static func check(_ header: XMLStreamHeader, domain: BareJID) -> Problem? {
        guard header.name == rootName else {
            return Problem(condition: .invalidNamespace, detail: "the root element is not {\(XMLNamespace.streams)}stream")
        }
        guard header.contentNamespace == XMLNamespace.client else {
            return Problem(condition: .invalidNamespace, detail: "the content namespace is not jabber:client")
        }
        guard let version = header[attribute: "version"], isVersionOne(version) else {
            return Problem(condition: .unsupportedVersion, detail: "the stream version is not 1.x")
        }
        // The server's `from` is optional (RFC 6120 §4.7.1); when present it
        // must be the domain asked for. Compared as JID domains, so case and
        // U-label versus A-label do not matter.
        if let from = header[attribute: "from"] {
            guard let fromDomain = try? BareJID(localpart: nil, domainpart: from),
                fromDomain.domainpart == domain.domainpart
            else {
                return Problem(condition: .invalidFrom, detail: "the stream is from another domain")
            }
        }
        return nil
    }

    /// Whether `version` is `1.` followed by a decimal minor version
    /// (RFC 6120 §4.7.5: a higher minor version is still spoken as 1.0).
    private static func isVersionOne(_ version: String) -> Bool {
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "1", !parts[1].isEmpty, parts[1].count <= 9 else { return false }
        return parts[1].allSatisfy { $0.isASCII && $0.isNumber }
    }
}
