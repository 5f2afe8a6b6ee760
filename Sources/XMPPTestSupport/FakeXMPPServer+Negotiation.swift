internal import Foundation
public import XMPPCore

extension FakeXMPPServer {
    /// Ready-made `<stream:features/>` elements, as the raw text sent.
    public enum Features {
        /// Wraps `children` (raw XML) in `<stream:features>`.
        public static func features(_ children: String...) -> String {
            "<stream:features>" + children.joined() + "</stream:features>"
        }

        /// STARTTLS, required: what the fake server offers first.
        public static let startTLSRequired = features(
            "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>")
        /// SASL PLAIN only: what it offers after TLS.
        public static let plainMechanism = features(
            "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms>")
        /// Resource binding only.
        public static let bind = features("<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>")
        /// Resource binding and XEP-0198 stream management.
        public static let bindAndStreamManagement = features(
            "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>", "<sm xmlns='urn:xmpp:sm:3'/>")
        /// No features at all.
        public static let empty = "<stream:features/>"
    }
}

extension FakeXMPPServer.Connection {
    /// The server's stream header for the current stream (the id changes
    /// with every restart).
    public var streamHeader: String {
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'"
            + " id='\(streamID)' from='\(settings.domain)' version='1.0' xml:lang='en'>"
    }

    /// Reads the client's stream header (which must be addressed to the
    /// domain) and answers with ours followed by `features`.
    /// - Returns: The client's header.
    @discardableResult
    public func openStream(features: String, timeout: Duration = .seconds(5)) async throws(FakeXMPPServerError)
        -> XMLStreamHeader
    {
        let header = try await readStreamHeader(timeout: timeout)
        guard header[attribute: "to"] == settings.domain else {
            throw failure(.unexpected, "the client's stream is addressed to \(header[attribute: "to"] ?? "nobody")")
        }
        try await send(streamHeader + features, timeout: timeout)
        return header
    }

    /// Expects `<starttls/>`, answers `<proceed/>` and starts TLS with the
    /// test certificate for the domain; the client's next bytes are its
    /// TLS handshake, then a new stream header.
    public func startTLS(timeout: Duration = .seconds(5)) async throws(FakeXMPPServerError) {
        try await expect(localName: "starttls", namespace: XMLNamespace.tls, timeout: timeout)
        try await proceedWithTLS(timeout: timeout)
    }

    /// Expects SASL PLAIN `<auth/>` with the account's credentials and
    /// answers `<success/>` (restarting the stream); wrong credentials get
    /// `<failure><not-authorized/></failure>` and an error.
    /// - Throws: ``FakeXMPPServerError`` of kind `authenticationFailed` for
    ///   another mechanism or wrong credentials.
    public func authenticate(timeout: Duration = .seconds(5)) async throws(FakeXMPPServerError) {
        let auth = try await expect(localName: "auth", namespace: XMLNamespace.sasl, timeout: timeout)
        let mechanism = auth[attribute: "mechanism"] ?? ""
        guard mechanism == "PLAIN" else {
            try await send(Self.saslFailure("invalid-mechanism"), timeout: timeout)
            throw failure(.authenticationFailed, "the client chose \(mechanism), only PLAIN is offered")
        }
        let fields = Data(base64Encoded: auth.text).map { $0.split(separator: 0, omittingEmptySubsequences: false) }
        guard let fields, fields.count == 3,
            String(decoding: fields[1], as: UTF8.self) == settings.username,
            String(decoding: fields[2], as: UTF8.self) == settings.password
        else {
            try await send(Self.saslFailure("not-authorized"), timeout: timeout)
            throw failure(.authenticationFailed, "wrong credentials for \(settings.username)")
        }
        try await write(
            Array("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>".utf8), restartingStream: true, timeout: timeout)
    }

    /// Runs the whole negotiation up to authentication: stream, required
    /// STARTTLS, TLS, stream, SASL PLAIN, stream; then offers
    /// `streamFeatures` (resource binding, stream management, …).
    public func negotiateUntilAuthenticated(
        streamFeatures: String, timeout: Duration = .seconds(5)
    ) async throws(FakeXMPPServerError) {
        try await openStream(features: FakeXMPPServer.Features.startTLSRequired, timeout: timeout)
        try await startTLS(timeout: timeout)
        try await openStream(features: FakeXMPPServer.Features.plainMechanism, timeout: timeout)
        try await authenticate(timeout: timeout)
        try await openStream(features: streamFeatures, timeout: timeout)
    }

    /// Answers a resource-binding request.
    /// - Parameters:
    ///   - request: The client's `<iq type='set'><bind/></iq>`.
    ///   - resource: The resource to bind; by default the one the client
    ///     asked for, or a generated one.
    /// - Returns: The full JID bound.
    /// - Throws: ``FakeXMPPServerError`` of kind `unexpected` when `request`
    ///   is not a bind request.
    @discardableResult
    public func answerBind(
        _ request: XMLElement, resource: String? = nil, timeout: Duration = .seconds(5)
    ) async throws(FakeXMPPServerError) -> String {
        guard request.name == XMLQualifiedName("iq", namespace: XMLNamespace.client),
            request[attribute: "type"] == "set", let id = request[attribute: "id"],
            let bind = request.firstChild(named: "bind", namespace: XMLNamespace.bind)
        else {
            throw failure(.unexpected, "expected a bind request, got \(Self.describe(request))")
        }
        let requested = bind.firstChild(named: "resource", namespace: XMLNamespace.bind)?.text
        let jid = "\(settings.username)@\(settings.domain)/\(resource ?? requested ?? "fake-\(index)")"
        try await send(
            "<iq type='result' id='\(Self.escaped(id))'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                + "<jid>\(Self.escaped(jid))</jid></bind></iq>",
            timeout: timeout)
        return jid
    }

    /// Expects XEP-0198 `<enable/>` and sends `answer` (`<enabled/>`,
    /// `<failed/>`, or anything else the test wants).
    /// - Returns: The client's `<enable/>`.
    @discardableResult
    public func answerEnable(
        with answer: String = "<enabled xmlns='urn:xmpp:sm:3'/>", timeout: Duration = .seconds(5)
    ) async throws(FakeXMPPServerError) -> XMLElement {
        let enable = try await expect(localName: "enable", namespace: "urn:xmpp:sm:3", timeout: timeout)
        try await send(answer, timeout: timeout)
        return enable
    }

    /// Negotiates a whole session: ``negotiateUntilAuthenticated(streamFeatures:timeout:)``
    /// offering binding (and stream management when `streamManagementAnswer`
    /// is given), binds `resource`, and answers `<enable/>` with
    /// `streamManagementAnswer`.
    /// - Returns: The full JID bound.
    @discardableResult
    public func establishSession(
        resource: String? = nil, streamManagementAnswer: String? = nil, timeout: Duration = .seconds(5)
    ) async throws(FakeXMPPServerError) -> String {
        let features =
            streamManagementAnswer == nil
            ? FakeXMPPServer.Features.bind : FakeXMPPServer.Features.bindAndStreamManagement
        try await negotiateUntilAuthenticated(streamFeatures: features, timeout: timeout)
        let jid = try await answerBind(try await read(timeout: timeout), resource: resource, timeout: timeout)
        if let streamManagementAnswer { try await answerEnable(with: streamManagementAnswer, timeout: timeout) }
        return jid
    }

    /// A SASL `<failure/>` with `condition`.
    static func saslFailure(_ condition: String) -> String {
        "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><\(condition)/></failure>"
    }

    /// `text` escaped for an attribute value or character data in single quotes.
    public static func escaped(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "'": result += "&apos;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }
}
