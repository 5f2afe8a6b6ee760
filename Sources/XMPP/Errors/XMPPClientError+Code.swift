extension XMPPClientError {
    /// The kinds of failure. A struct rather than an enum so kinds can be
    /// added without breaking code that switches over them.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case tlsRequired, tlsFailed, authenticationFailed, bindFailed, sessionFailed
            case streamError, xmlError, timeout, connectionClosed, streamClosedByPeer
            case seeOtherHostLimit, proceedInjection, dataBeforeStreamRestart, invalidStreamHeader
            case unexpectedElement, connectFailed, invalidConfiguration, unserializableElement
            case stanzaError, invalidResponse, handlerAlreadyRegistered, registrationFailed
            case featureNotSupported
            case notAcknowledged, streamManagementNotEnabled, streamManagementViolation, unacknowledgedLimitReached
            case notAStanza
            case peerUnresponsive
            case resumptionRefused, clientStopped
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The connection is not encrypted and the server did not offer
        /// STARTTLS; nothing was sent in the clear but the stream header
        /// (RFC 6120 §5.3.1; the connection never continues without TLS).
        public static let tlsRequired = Code(.tlsRequired)
        /// The server refused STARTTLS, or the TLS handshake or a TLS record
        /// failed (see ``XMPPClientError/tlsError``).
        public static let tlsFailed = Code(.tlsFailed)
        /// SASL failed (see ``XMPPClientError/saslError``); no other
        /// mechanism was tried.
        public static let authenticationFailed = Code(.authenticationFailed)
        /// Resource binding failed (see ``XMPPClientError/stanzaError``).
        public static let bindFailed = Code(.bindFailed)
        /// The RFC 3921 session the server required could not be established.
        public static let sessionFailed = Code(.sessionFailed)
        /// The server sent a stream error (see ``XMPPClientError/streamError``).
        public static let streamError = Code(.streamError)
        /// The server's XML broke RFC 6120 §11 or a reader limit (see
        /// ``XMPPClientError/xmlError``); the matching stream error was sent.
        public static let xmlError = Code(.xmlError)
        /// A step did not finish in time (see ``XMPPClientError/step``).
        public static let timeout = Code(.timeout)
        /// The connection closed (or failed) without a stream error: the
        /// server dropped it, the network failed, or it was closed before the
        /// session was established.
        public static let connectionClosed = Code(.connectionClosed)
        /// The server closed the stream (`</stream:stream>`) on its own.
        public static let streamClosedByPeer = Code(.streamClosedByPeer)
        /// The server redirected with `see-other-host` more often than
        /// allowed (``XMPPConnection/Configuration/maximumRedirects``).
        public static let seeOtherHostLimit = Code(.seeOtherHostLimit)
        /// Data arrived after `<proceed/>` in the same read, before TLS: a
        /// STARTTLS command-injection attempt (the connection was aborted).
        public static let proceedInjection = Code(.proceedInjection)
        /// Data arrived after SASL `<success/>` in the same read, before the
        /// stream restart (the connection was aborted).
        public static let dataBeforeStreamRestart = Code(.dataBeforeStreamRestart)
        /// The server's stream header had the wrong root, content namespace,
        /// version or `from` (see ``XMPPClientError/sentCondition``). Legacy
        /// (pre-1.0) streams are refused, never negotiated.
        public static let invalidStreamHeader = Code(.invalidStreamHeader)
        /// The server sent an element that does not belong at that point of
        /// the negotiation.
        public static let unexpectedElement = Code(.unexpectedElement)
        /// No endpoint of the server could be reached (see
        /// ``XMPPClientError/connectionError``).
        public static let connectFailed = Code(.connectFailed)
        /// The configuration cannot work (for example a JID without a
        /// localpart, a TLS trust store without anchors, or a timeout that
        /// is not positive).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// An element could not be serialised (a character XML 1.0 cannot
        /// carry); nothing was sent.
        public static let unserializableElement = Code(.unserializableElement)
        /// The recipient answered an IQ request with `type='error'` (see
        /// ``XMPPClientError/stanzaError``, for example `item-not-found`).
        public static let stanzaError = Code(.stanzaError)
        /// The `result` of an IQ request could not be read:
        /// ``IQRequest/response(from:)`` threw (see
        /// ``XMPPClientError/underlying``).
        public static let invalidResponse = Code(.invalidResponse)
        /// A handler for inbound IQ requests with this payload is already
        /// registered on the connection (see
        /// ``XMPPConnection/handleIQ(namespace:localName:_:)``).
        public static let handlerAlreadyRegistered = Code(.handlerAlreadyRegistered)
        /// The server did not announce a stream feature the operation needs
        /// (for example subscription pre-approval); nothing was sent.
        public static let featureNotSupported = Code(.featureNotSupported)
        /// In-band registration (XEP-0077) failed (see
        /// ``XMPPClientError/registrationError``); the stream was closed.
        public static let registrationFailed = Code(.registrationFailed)
        /// A stanza sent with ``XMPPConnection/sendAcknowledged(_:)-(XMLElement)``
        /// was written, but no XEP-0198 acknowledgement covered it: the
        /// session ended first (``XMPPClientError/underlying`` is the
        /// session's error), or the caller's task stopped waiting
        /// (``XMPPClientError/underlying`` is a `CancellationError`). The
        /// stanza is **not known to be delivered**: the server may or may not
        /// have received it.
        public static let notAcknowledged = Code(.notAcknowledged)
        /// An acknowledged send needs XEP-0198 stream management, which this
        /// session does not have: switched off in
        /// ``XMPPConnection/Configuration/streamManagement``, not offered by
        /// the server, or refused by it (see
        /// ``XMPPConnection/isStreamManagementEnabled``). Nothing was sent.
        public static let streamManagementNotEnabled = Code(.streamManagementNotEnabled)
        /// The server broke XEP-0198 stream management: it acknowledged more
        /// stanzas than were sent, or sent a malformed or unexpected
        /// stream-management element. The stream error in
        /// ``XMPPClientError/sentCondition`` (`undefined-condition`) was sent
        /// and the stream closed.
        public static let streamManagementViolation = Code(.streamManagementViolation)
        /// ``XMPPConnection/Configuration/StreamManagement/maximumUnacknowledged``
        /// stanzas already wait for the server's acknowledgement; this one
        /// was not sent. The server has stopped acknowledging; try again
        /// later, or end the session.
        public static let unacknowledgedLimitReached = Code(.unacknowledgedLimitReached)
        /// Only stanzas (`message`, `presence`, `iq` in `jabber:client`) are
        /// acknowledged by XEP-0198; the element given to an acknowledged
        /// send is not one. Nothing was sent.
        public static let notAStanza = Code(.notAStanza)
        /// The established session ended because the server stopped
        /// answering: nothing was read within
        /// ``XMPPConnection/Configuration/Liveness/probeTimeout`` of a
        /// silence probe, or no XEP-0198 `<a/>` answered an `<r/>` in that
        /// time (see ``XMPPConnection/Configuration/Liveness``). The
        /// connection is treated as dead and was closed without waiting for
        /// the server; stanzas not acknowledged are not known to be
        /// delivered. Connecting again (resuming, where possible) is the way on.
        public static let peerUnresponsive = Code(.peerUnresponsive)
        /// The server refused to resume the XEP-0198 session
        /// (`<failed/>` to `<resume/>`, for example because the session
        /// expired or the server restarted): a new session was started,
        /// and stanzas sent on the old one that the server never
        /// acknowledged are not known to be delivered. See
        /// ``XMPPClientError/resumptionRefusalCondition`` for the server's reason.
        public static let resumptionRefused = Code(.resumptionRefused)
        /// The ``XMPPClient`` is not running: ``XMPPClient/run()`` has
        /// returned (or never started), so nothing can be sent or queued.
        public static let clientStopped = Code(.clientStopped)

        /// A short name, for example `"authentication failed"`.
        public var description: String {
            switch base {
            case .tlsRequired: "TLS required"
            case .tlsFailed: "TLS failed"
            case .authenticationFailed: "authentication failed"
            case .bindFailed: "resource binding failed"
            case .sessionFailed: "session failed"
            case .streamError: "stream error"
            case .xmlError: "XML error"
            case .timeout: "timeout"
            case .connectionClosed: "connection closed"
            case .streamClosedByPeer: "stream closed by peer"
            case .seeOtherHostLimit: "see-other-host limit"
            case .proceedInjection: "STARTTLS injection"
            case .dataBeforeStreamRestart: "data before stream restart"
            case .invalidStreamHeader: "invalid stream header"
            case .unexpectedElement: "unexpected element"
            case .connectFailed: "connect failed"
            case .invalidConfiguration: "invalid configuration"
            case .unserializableElement: "unserializable element"
            case .stanzaError: "stanza error"
            case .invalidResponse: "invalid response"
            case .handlerAlreadyRegistered: "handler already registered"
            case .featureNotSupported: "feature not supported"
            case .registrationFailed: "registration failed"
            case .notAcknowledged: "not acknowledged"
            case .streamManagementNotEnabled: "stream management not enabled"
            case .streamManagementViolation: "stream management violation"
            case .unacknowledgedLimitReached: "unacknowledged limit reached"
            case .notAStanza: "not a stanza"
            case .peerUnresponsive: "peer unresponsive"
            case .resumptionRefused: "resumption refused"
            case .clientStopped: "client stopped"
            }
        }
    }

    /// A step of connecting, negotiating or using the session, each with its
    /// own deadline. A struct rather than an enum so steps can be added
    /// without breaking code that switches over them.
    public struct Step: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case streamOpening, startTLS, tlsHandshake, authentication, resourceBinding, sessionEstablishment, closing
            case iqRequest, registration, streamManagement
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Waiting for the server's stream header and features (after
        /// connecting, after TLS and after authentication).
        public static let streamOpening = Step(.streamOpening)
        /// Waiting for the answer to `<starttls/>`.
        public static let startTLS = Step(.startTLS)
        /// The TLS handshake after `<proceed/>`.
        public static let tlsHandshake = Step(.tlsHandshake)
        /// The SASL exchange, from `<auth/>` to `<success/>`.
        public static let authentication = Step(.authentication)
        /// Waiting for the resource binding result.
        public static let resourceBinding = Step(.resourceBinding)
        /// Waiting for the RFC 3921 session result.
        public static let sessionEstablishment = Step(.sessionEstablishment)
        /// Waiting for the server's `</stream:stream>` after ours.
        public static let closing = Step(.closing)
        /// Waiting for the answer to an IQ request
        /// (``XMPPConnection/request(_:to:timeout:)``); the session goes on.
        public static let iqRequest = Step(.iqRequest)
        /// Waiting for the answer to an in-band registration request
        /// (XEP-0077) before authentication.
        public static let registration = Step(.registration)
        /// Waiting for the answer to XEP-0198's `<enable/>`, written after
        /// resource binding when the server offers stream management.
        public static let streamManagement = Step(.streamManagement)

        /// The step's name, for example `"resource binding"`.
        public var description: String {
            switch base {
            case .streamOpening: "stream opening"
            case .startTLS: "STARTTLS"
            case .tlsHandshake: "TLS handshake"
            case .authentication: "authentication"
            case .resourceBinding: "resource binding"
            case .sessionEstablishment: "session establishment"
            case .closing: "closing"
            case .iqRequest: "IQ request"
            case .registration: "registration"
            case .streamManagement: "stream management"
            }
        }
    }
}
