public import NIOGnuTLS
public import XMPPCore
public import XMPPTransport

/// Why an XMPP connection or session failed: a local failure, kept apart
/// from the protocol conditions a peer reports (``StreamError``,
/// ``StanzaError``), which it carries when one was the cause.
///
/// Match on ``code``; read the details through the typed accessors
/// (``streamError``, ``saslError``, ``stanzaError``, ``xmlError``,
/// ``tlsError``, ``connectionError``, ``step``, ``underlying``). The struct wraps a private
/// enum so that new failures can be added without breaking code that
/// switches over them.
///
/// The ``description`` is built from fixed words, names of conditions and
/// text the server sent; it never contains a password, a SASL payload or
/// channel-binding data, so it is safe to log.
public struct XMPPClientError: Error, CustomStringConvertible {
    private enum Reason {
        case tlsRequired
        case tlsFailed(underlying: (any Error)?, detail: String)
        case authenticationFailed(SASLError)
        case bindFailed(StanzaError?, detail: String)
        case sessionFailed(StanzaError?)
        case streamError(StreamError)
        case xmlError(XMLStreamError)
        case timeout(Step)
        case connectionClosed(underlying: (any Error)?, detail: String)
        case streamClosedByPeer
        case seeOtherHostLimit(StreamError)
        case proceedInjection
        case dataBeforeStreamRestart
        case invalidStreamHeader(condition: StreamError.Condition, detail: String)
        case unexpectedElement(XMLQualifiedName)
        case connectFailed(XMPPConnectionError)
        case invalidConfiguration(String)
        case unserializableElement(XMLWriterError)
        case stanzaError(StanzaError)
        case invalidResponse(underlying: any Error)
        case handlerAlreadyRegistered(String)
        case featureNotSupported(String)
        case registrationFailed(RegistrationError)
        case notAcknowledged(underlying: any Error)
        case streamManagementNotEnabled
        case streamManagementViolation(StreamError, detail: String)
        case unacknowledgedLimitReached(Int)
        case notAStanza(XMLQualifiedName)
        case peerUnresponsive(detail: String)
        case resumptionRefused(StanzaError.Condition?)
        case clientStopped
    }

    private let reason: Reason

    private init(_ reason: Reason) {
        self.reason = reason
    }

    /// What kind of failure this is.
    public var code: Code {
        switch reason {
        case .tlsRequired: .tlsRequired
        case .tlsFailed: .tlsFailed
        case .authenticationFailed: .authenticationFailed
        case .bindFailed: .bindFailed
        case .sessionFailed: .sessionFailed
        case .streamError: .streamError
        case .xmlError: .xmlError
        case .timeout: .timeout
        case .connectionClosed: .connectionClosed
        case .streamClosedByPeer: .streamClosedByPeer
        case .seeOtherHostLimit: .seeOtherHostLimit
        case .proceedInjection: .proceedInjection
        case .dataBeforeStreamRestart: .dataBeforeStreamRestart
        case .invalidStreamHeader: .invalidStreamHeader
        case .unexpectedElement: .unexpectedElement
        case .connectFailed: .connectFailed
        case .invalidConfiguration: .invalidConfiguration
        case .unserializableElement: .unserializableElement
        case .stanzaError: .stanzaError
        case .invalidResponse: .invalidResponse
        case .handlerAlreadyRegistered: .handlerAlreadyRegistered
        case .featureNotSupported: .featureNotSupported
        case .registrationFailed: .registrationFailed
        case .notAcknowledged: .notAcknowledged
        case .streamManagementNotEnabled: .streamManagementNotEnabled
        case .streamManagementViolation: .streamManagementViolation
        case .unacknowledgedLimitReached: .unacknowledgedLimitReached
        case .notAStanza: .notAStanza
        case .peerUnresponsive: .peerUnresponsive
        case .resumptionRefused: .resumptionRefused
        case .clientStopped: .clientStopped
        }
    }

    /// The stream error the server sent, for ``Code/streamError`` and
    /// ``Code/seeOtherHostLimit`` (the last redirect).
    public var streamError: StreamError? {
        switch reason {
        case .streamError(let error), .seeOtherHostLimit(let error): error
        default: nil
        }
    }

    /// Why SASL failed, for ``Code/authenticationFailed``; a server refusal
    /// carries its condition in ``SASLError/serverCondition`` (for example
    /// `not-authorized` for a wrong password).
    public var saslError: SASLError? {
        if case .authenticationFailed(let error) = reason { return error }
        return nil
    }

    /// The error the peer answered with: for ``Code/stanzaError`` (an IQ
    /// request answered with `type='error'`), and for ``Code/bindFailed``,
    /// ``Code/sessionFailed`` and ``Code/registrationFailed`` when the
    /// server answered with one.
    public var stanzaError: StanzaError? {
        switch reason {
        case .bindFailed(let error, _), .sessionFailed(let error): error
        case .stanzaError(let error): error
        case .registrationFailed(let error): error.stanzaError
        default: nil
        }
    }

    /// Why in-band registration failed, for ``Code/registrationFailed``:
    /// for example ``RegistrationError/Code/conflict`` when the username is
    /// taken.
    public var registrationError: RegistrationError? {
        if case .registrationFailed(let error) = reason { return error }
        return nil
    }

    /// The reader's error, for ``Code/xmlError``.
    public var xmlError: XMLStreamError? {
        if case .xmlError(let error) = reason { return error }
        return nil
    }

    /// The failed step, for ``Code/timeout``.
    public var step: Step? {
        if case .timeout(let step) = reason { return step }
        return nil
    }

    /// The connector's report, for ``Code/connectFailed``: every endpoint
    /// tried and why each failed.
    public var connectionError: XMPPConnectionError? {
        if case .connectFailed(let error) = reason { return error }
        return nil
    }

    /// The condition of the stream error sent to the server before closing,
    /// for ``Code/invalidStreamHeader``, ``Code/xmlError`` and
    /// ``Code/streamManagementViolation``.
    public var sentCondition: StreamError.Condition? {
        switch reason {
        case .invalidStreamHeader(let condition, _): condition
        case .xmlError(let error): error.condition
        case .streamManagementViolation(let error, _): error.condition
        default: nil
        }
    }

    /// The lower-level error behind this one, when there is one: the TLS
    /// error of ``Code/tlsFailed``, the I/O error of
    /// ``Code/connectionClosed``, the writer's error of
    /// ``Code/unserializableElement``, what ``IQRequest/response(from:)``
    /// threw for ``Code/invalidResponse``, the session's error (or a
    /// `CancellationError`) for ``Code/notAcknowledged``, or the typed errors
    /// the other accessors return.
    public var underlying: (any Error)? {
        switch reason {
        case .tlsFailed(let error, _), .connectionClosed(let error, _): error
        case .authenticationFailed(let error): error
        case .bindFailed(let error, _), .sessionFailed(let error): error
        case .streamError(let error), .seeOtherHostLimit(let error): error
        case .xmlError(let error): error
        case .connectFailed(let error): error
        case .unserializableElement(let error): error
        case .stanzaError(let error): error
        case .invalidResponse(let error): error
        case .registrationFailed(let error): error
        case .notAcknowledged(let error): error
        default: nil
        }
    }

    /// The server's reason for refusing to resume the session, for
    /// ``Code/resumptionRefused`` (for example `item-not-found` for a
    /// session that expired), when it gave one.
    public var resumptionRefusalCondition: StanzaError.Condition? {
        if case .resumptionRefused(let condition) = reason { return condition }
        return nil
    }

    /// The TLS library's error, wherever the TLS failure happened: during
    /// STARTTLS (``Code/tlsFailed``) or during the handshake of a direct-TLS
    /// endpoint (``Code/connectFailed``, from the last endpoint whose
    /// handshake failed).
    public var tlsError: GnuTLSError? {
        switch reason {
        case .tlsFailed(let error, _):
            return error as? GnuTLSError
        case .connectFailed(let error):
            return error.attempts.lazy.reversed().compactMap { $0.failure.underlyingError as? GnuTLSError }.first
        default:
            return nil
        }
    }

    /// A one-line summary: the code and the detail. Never contains secrets.
    public var description: String {
        switch reason {
        case .tlsRequired:
            "XMPP: TLS required, but the server offered no STARTTLS"
        case .tlsFailed(let error, let detail):
            error.map { "XMPP: TLS failed: \(detail): \($0)" } ?? "XMPP: TLS failed: \(detail)"
        case .authenticationFailed(let error):
            "XMPP: authentication failed: \(error)"
        case .bindFailed(let error, let detail):
            error.map { "XMPP: resource binding failed: \($0)" } ?? "XMPP: resource binding failed: \(detail)"
        case .sessionFailed(let error):
            error.map { "XMPP: session establishment failed: \($0)" } ?? "XMPP: session establishment failed"
        case .streamError(let error):
            "XMPP: \(error)"
        case .xmlError(let error):
            "XMPP: \(error)"
        case .timeout(let step):
            "XMPP: timed out during \(step)"
        case .connectionClosed(let error, let detail):
            error.map { "XMPP: connection closed: \(detail): \($0)" } ?? "XMPP: connection closed: \(detail)"
        case .streamClosedByPeer:
            "XMPP: the server closed the stream"
        case .seeOtherHostLimit(let error):
            "XMPP: too many see-other-host redirects (last: \(error))"
        case .proceedInjection:
            "XMPP: data followed <proceed/> before TLS (possible STARTTLS injection); connection aborted"
        case .dataBeforeStreamRestart:
            "XMPP: data followed SASL <success/> before the stream restart; connection aborted"
        case .invalidStreamHeader(let condition, let detail):
            "XMPP: invalid stream header (\(condition)): \(detail)"
        case .unexpectedElement(let name):
            "XMPP: unexpected element \(name) during negotiation"
        case .connectFailed(let error):
            "XMPP: could not connect: \(error)"
        case .invalidConfiguration(let detail):
            "XMPP: invalid configuration: \(detail)"
        case .unserializableElement(let error):
            "XMPP: element cannot be written: \(error)"
        case .stanzaError(let error):
            "XMPP: the request was answered with an error: \(error)"
        case .invalidResponse(let error):
            "XMPP: the response cannot be read: \(error)"
        case .handlerAlreadyRegistered(let key):
            "XMPP: an IQ handler for \(key) is already registered"
        case .featureNotSupported(let feature):
            "XMPP: the server does not support \(feature)"
        case .registrationFailed(let error):
            "XMPP: \(error)"
        case .notAcknowledged(let error):
            "XMPP: the stanza was sent but not acknowledged, so it is not known to be delivered: \(error)"
        case .streamManagementNotEnabled:
            "XMPP: stream management (XEP-0198) is not enabled on this session; nothing was sent"
        case .streamManagementViolation(let error, let detail):
            "XMPP: the server broke stream management (\(detail)); sent \(error.condition)"
        case .unacknowledgedLimitReached(let limit):
            "XMPP: \(limit) stanzas already wait for an acknowledgement; nothing was sent"
        case .notAStanza(let name):
            "XMPP: \(name) is not a stanza, so it cannot be acknowledged; nothing was sent"
        case .peerUnresponsive(let detail):
            "XMPP: the server stopped responding (\(detail)); the connection is treated as dead"
        case .resumptionRefused(let condition):
            "XMPP: the server refused to resume the session (\(condition.map { "\($0)" } ?? "no reason given")); a new session was started"
        case .clientStopped:
            "XMPP: the client is not running"
        }
    }
}

// MARK: - Construction

extension XMPPClientError {
    static let tlsRequired = XMPPClientError(.tlsRequired)
    static let streamClosedByPeer = XMPPClientError(.streamClosedByPeer)
    static let proceedInjection = XMPPClientError(.proceedInjection)
    static let dataBeforeStreamRestart = XMPPClientError(.dataBeforeStreamRestart)

    static func tlsFailed(_ underlying: (any Error)?, detail: String) -> XMPPClientError {
        XMPPClientError(.tlsFailed(underlying: underlying, detail: detail))
    }

    static func authenticationFailed(_ error: SASLError) -> XMPPClientError {
        XMPPClientError(.authenticationFailed(error))
    }

    static func bindFailed(_ error: StanzaError?, detail: String) -> XMPPClientError {
        XMPPClientError(.bindFailed(error, detail: detail))
    }

    static func sessionFailed(_ error: StanzaError?) -> XMPPClientError {
        XMPPClientError(.sessionFailed(error))
    }

    static func streamError(_ error: StreamError) -> XMPPClientError {
        XMPPClientError(.streamError(error))
    }

    static func xmlError(_ error: XMLStreamError) -> XMPPClientError {
        XMPPClientError(.xmlError(error))
    }

    static func timeout(_ step: Step) -> XMPPClientError {
        XMPPClientError(.timeout(step))
    }

    static func connectionClosed(_ underlying: (any Error)? = nil, detail: String) -> XMPPClientError {
        XMPPClientError(.connectionClosed(underlying: underlying, detail: detail))
    }

    static func seeOtherHostLimit(_ error: StreamError) -> XMPPClientError {
        XMPPClientError(.seeOtherHostLimit(error))
    }

    static func invalidStreamHeader(_ condition: StreamError.Condition, detail: String) -> XMPPClientError {
        XMPPClientError(.invalidStreamHeader(condition: condition, detail: detail))
    }

    static func unexpectedElement(_ name: XMLQualifiedName) -> XMPPClientError {
        XMPPClientError(.unexpectedElement(name))
    }

    static func connectFailed(_ error: XMPPConnectionError) -> XMPPClientError {
        XMPPClientError(.connectFailed(error))
    }

    static func invalidConfiguration(_ detail: String) -> XMPPClientError {
        XMPPClientError(.invalidConfiguration(detail))
    }

    static func unserializableElement(_ error: XMLWriterError) -> XMPPClientError {
        XMPPClientError(.unserializableElement(error))
    }

    static func stanzaError(_ error: StanzaError) -> XMPPClientError {
        XMPPClientError(.stanzaError(error))
    }

    static func invalidResponse(_ error: any Error) -> XMPPClientError {
        XMPPClientError(.invalidResponse(underlying: error))
    }

    static func handlerAlreadyRegistered(_ key: String) -> XMPPClientError {
        XMPPClientError(.handlerAlreadyRegistered(key))
    }

    static func featureNotSupported(_ feature: String) -> XMPPClientError {
        XMPPClientError(.featureNotSupported(feature))
    }

    static func registrationFailed(_ error: RegistrationError) -> XMPPClientError {
        XMPPClientError(.registrationFailed(error))
    }

    static func notAcknowledged(_ underlying: any Error) -> XMPPClientError {
        XMPPClientError(.notAcknowledged(underlying: underlying))
    }

    static let streamManagementNotEnabled = XMPPClientError(.streamManagementNotEnabled)

    static func streamManagementViolation(_ sent: StreamError, detail: String) -> XMPPClientError {
        XMPPClientError(.streamManagementViolation(sent, detail: detail))
    }

    static func unacknowledgedLimitReached(_ limit: Int) -> XMPPClientError {
        XMPPClientError(.unacknowledgedLimitReached(limit))
    }

    static func notAStanza(_ name: XMLQualifiedName) -> XMPPClientError {
        XMPPClientError(.notAStanza(name))
    }

    static func peerUnresponsive(detail: String) -> XMPPClientError {
        XMPPClientError(.peerUnresponsive(detail: detail))
    }

    static func resumptionRefused(_ condition: StanzaError.Condition?) -> XMPPClientError {
        XMPPClientError(.resumptionRefused(condition))
    }

    static let clientStopped = XMPPClientError(.clientStopped)
}
