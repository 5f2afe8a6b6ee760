import Glibc
import NIOCore
import Testing
@testable import XMPPTransport

/// How errors from NIO and the TLS handler become attempt failures; the
/// cases loopback tests cannot provoke (a connect timeout, an unknown host).
@Suite("Attempt failure classification")
struct ConnectionAttemptFailureTests {
    @Test("Connect errors")
    func connectErrors() {
        let timeout = ConnectionAttemptFailure(connecting: ChannelError.connectTimeout(.seconds(3)), timeout: .seconds(3))
        #expect(timeout.code == .connectTimedOut)
        #expect(timeout.description == "connect timed out: no answer within 3.0 seconds")
        #expect(ConnectionAttemptFailure(connecting: IOError(errnoCode: ECONNREFUSED, reason: "connect"), timeout: .seconds(1)).code == .connectionRefused)
        let reset = ConnectionAttemptFailure(connecting: IOError(errnoCode: ENETUNREACH, reason: "connect"), timeout: .seconds(1))
        #expect(reset.code == .connectFailed)
        #expect(reset.underlyingError is IOError)
    }

    @Test("Handshake errors")
    func handshakeErrors() {
        #expect(ConnectionAttemptFailure(handshaking: TLSHandshakeWaiter.TimedOut(), timeout: .milliseconds(500)).description
            == "TLS handshake timed out: not finished within 0.5 seconds")
        #expect(ConnectionAttemptFailure(handshaking: TLSHandshakeWaiter.ClosedDuringHandshake(), timeout: .seconds(1)).code == .tlsFailed)
        #expect(ConnectionAttemptFailure(handshaking: FakeTLSError(description: "bad record mac"), timeout: .seconds(1)).description
            == "TLS failed: bad record mac")
    }
}
