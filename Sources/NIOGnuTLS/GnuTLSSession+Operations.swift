internal import CGnuTLS
package import NIOCore

extension GnuTLSSession {
    /// The largest plaintext one TLS record carries (RFC 8446 §5.1).
    static let maxRecordPlaintext = 16384

    /// Runs the handshake as far as the buffered bytes allow.
    package func handshake() -> Step<Void> {
        guard let session = raw else { return .failed(Self.closedError) }
        let rc = gnutls_handshake(session)
        if rc == GNUTLS_E_SUCCESS { return .complete(()) }
        if let step: Step<Void> = Self.transient(rc) { return step }
        if transport.isAtEndOfFile && Self.isEndOfFileCode(rc) {
            return .failed(GnuTLSError(gnutls: rc, as: .handshakeEOF, detail: "the peer closed the connection"))
        }
        if rc == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR || rc == GNUTLS_E_CERTIFICATE_ERROR {
            let problems = certificateProblems(after: rc)
            sendAlert(Self.alert(for: problems))
            return .failed(GnuTLSError(gnutls: rc, as: .certificateVerificationFailed, detail: verificationDetail())
                .with(problems: problems))
        }
        if rc == GNUTLS_E_FATAL_ALERT_RECEIVED {
            return .failed(GnuTLSError(gnutls: rc, as: .handshakeFailed, detail: receivedAlertName(session)))
        }
        _ = gnutls_alert_send_appropriate(session, rc)
        return .failed(GnuTLSError(gnutls: rc, as: .handshakeFailed))
    }

    /// Decrypts at most one record's worth of plaintext into `buffer`.
    /// `.complete(0)` means the peer sent `close_notify`.
    /// - Parameter room: The writable bytes to make sure of first. A record
    ///   longer than that is not lost: GnuTLS keeps the rest for the next
    ///   call (``hasPendingPlaintext``).
    package func read(into buffer: inout ByteBuffer, room: Int = maxRecordPlaintext) -> Step<Int> {
        guard let session = raw else { return .failed(Self.closedError) }
        var rc = 0
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: room) { space in
            rc = gnutls_record_recv(session, space.baseAddress, space.count)
            return max(rc, 0)
        }
        if rc >= 0 { return .complete(rc) }
        let code = Int32(truncatingIfNeeded: rc)
        switch code {
        case GNUTLS_E_REHANDSHAKE, GNUTLS_E_REAUTH_REQUEST:
            // Renegotiation has a history of attacks (CVE-2009-3555), and no
            // XMPP server needs it: refuse and let the handler close.
            sendAlert(GNUTLS_A_NO_RENEGOTIATION)
            return .failed(GnuTLSError(gnutls: code, as: .renegotiationRefused))
        case GNUTLS_E_FATAL_ALERT_RECEIVED:
            return .failed(GnuTLSError(gnutls: code, as: .recordFailed, detail: receivedAlertName(session)))
        default:
            break
        }
        if let step: Step<Int> = Self.transient(code) { return step }
        if transport.isAtEndOfFile && Self.isEndOfFileCode(code) {
            let detail = code == GNUTLS_E_PREMATURE_TERMINATION
                ? "EOF without close_notify" : "EOF inside a record"
            return .failed(GnuTLSError(gnutls: code, as: .uncleanShutdown, detail: detail))
        }
        _ = gnutls_alert_send_appropriate(session, code)
        return .failed(GnuTLSError(gnutls: code, as: .recordFailed))
    }

    /// Whether GnuTLS holds decrypted bytes a read has not returned yet.
    package var hasPendingPlaintext: Bool {
        guard let session = raw else { return false }
        return gnutls_record_check_pending(session) > 0
    }

    /// Encrypts all of `plaintext`, one record per call to GnuTLS (it sends
    /// at most one record's worth at a time), into the outbound buffer.
    /// - Parameter maxRetries: How many calls in a row may make no progress
    ///   before the write fails with ``GnuTLSError/Kind/noProgress``.
    package func write(_ plaintext: ByteBuffer, maxRetries: Int) -> Step<Void> {
        guard let session = raw else { return .failed(Self.closedError) }
        return plaintext.withUnsafeReadableBytes { bytes -> Step<Void> in
            var offset = 0
            var retries = 0
            while offset < bytes.count {
                let rc = gnutls_record_send(session, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                if rc > 0 {
                    offset += rc
                    retries = 0
                    continue
                }
                let code = Int32(truncatingIfNeeded: rc)
                // Memory never pushes back, so AGAIN should not happen; if it
                // does, GnuTLS wants the same call repeated, within a bound.
                guard code == GNUTLS_E_AGAIN || code == GNUTLS_E_INTERRUPTED else {
                    return .failed(GnuTLSError(gnutls: code, as: .recordFailed))
                }
                retries += 1
                if retries > maxRetries {
                    return .failed(GnuTLSError(.noProgress, code: code, detail: "record send made no progress"))
                }
            }
            return .complete(())
        }
    }

    /// Sends our `close_notify` (`gnutls_bye` with `GNUTLS_SHUT_WR`: it does
    /// not wait for the peer's).
    package func bye() -> Step<Void> {
        guard let session = raw else { return .failed(Self.closedError) }
        let rc = gnutls_bye(session, GNUTLS_SHUT_WR)
        if rc == GNUTLS_E_SUCCESS { return .complete(()) }
        if let step: Step<Void> = Self.transient(rc) { return step }
        return .failed(GnuTLSError(gnutls: rc, as: .recordFailed, detail: "sending close_notify"))
    }

    /// Sends a fatal alert, best effort (the connection is failing anyway).
    func sendAlert(_ alert: gnutls_alert_description_t) {
        guard let session = raw else { return }
        _ = gnutls_alert_send(session, GNUTLS_AL_FATAL, alert)
    }

    /// Maps the codes that are not failures: `nil` for the rest.
    private static func transient<Value>(_ code: Int32) -> Step<Value>? {
        if code == GNUTLS_E_AGAIN { return .wouldBlock }
        if code == GNUTLS_E_INTERRUPTED || gnutls_error_is_fatal(code) == 0 { return .retry }
        return nil
    }

    /// Codes GnuTLS gives when the transport reported end of file: at a
    /// record boundary, inside a record header or body.
    private static func isEndOfFileCode(_ code: Int32) -> Bool {
        code == GNUTLS_E_PREMATURE_TERMINATION || code == GNUTLS_E_UNEXPECTED_PACKET_LENGTH
            || code == GNUTLS_E_PULL_ERROR
    }

    private func receivedAlertName(_ session: gnutls_session_t) -> String {
        guard let name = gnutls_alert_get_name(gnutls_alert_get(session)) else { return "the peer sent an alert" }
        return "the peer sent the alert \"\(String(cString: name))\""
    }

    /// The alert that tells the server why we hung up (RFC 8446 §6.2).
    private static func alert(for problems: GnuTLSError.CertificateProblems) -> gnutls_alert_description_t {
        if problems.contains(.expired) || problems.contains(.notActivated) { return GNUTLS_A_CERTIFICATE_EXPIRED }
        if problems.contains(.untrusted) { return GNUTLS_A_UNKNOWN_CA }
        if problems.contains(.revoked) { return GNUTLS_A_CERTIFICATE_REVOKED }
        return GNUTLS_A_BAD_CERTIFICATE
    }
}

extension GnuTLSError {
    /// This error with its certificate problems set.
    func with(problems: CertificateProblems) -> GnuTLSError {
        var copy = self
        copy.certificateProblems = problems
        return copy
    }
}
