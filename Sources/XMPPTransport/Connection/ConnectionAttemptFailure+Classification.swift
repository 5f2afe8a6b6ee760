import Glibc
import NIOCore
import NIOPosix

extension ConnectionAttemptFailure {
    /// Classifies an error from NIO's connect (Happy Eyeballs).
    init(connecting error: any Error, timeout: Duration) {
        switch error {
        case let failure as ConnectionAttemptFailure:
            self = failure
        case ChannelError.connectTimeout:
            self.init(.connectTimedOut, detail: "no answer within \(timeout)", underlyingError: error)
        case let error as NIOConnectionError where error.connectionErrors.isEmpty:
            // Nothing was tried: the name resolved to no address.
            let lookupError = error.dnsAError ?? error.dnsAAAAError
            self.init(.hostNotFound, detail: lookupError.map { "\($0)" } ?? "", underlyingError: error)
        case let error as NIOConnectionError where error.connectionErrors.allSatisfy({ Self.isRefusal($0.error) }):
            self.init(.connectionRefused, underlyingError: error)
        case let error as NIOConnectionError:
            let details = error.connectionErrors.map { "\($0.target): \($0.error)" }
            self.init(.connectFailed, detail: details.joined(separator: "; "), underlyingError: error)
        case _ where Self.isRefusal(error):
            self.init(.connectionRefused, underlyingError: error)
        default:
            self.init(.connectFailed, detail: "\(error)", underlyingError: error)
        }
    }

    /// Classifies an error from setting up TLS or waiting for its handshake.
    init(handshaking error: any Error, timeout: Duration) {
        switch error {
        case let failure as ConnectionAttemptFailure:
            self = failure
        case is TLSHandshakeWaiter.TimedOut:
            self.init(.tlsHandshakeTimedOut, detail: "not finished within \(timeout)", underlyingError: error)
        case is TLSHandshakeWaiter.ClosedDuringHandshake, ChannelError.ioOnClosedChannel, ChannelError.alreadyClosed:
            // The last two: the server closed before the handlers were even added.
            self.init(.tlsFailed, detail: "connection closed during the handshake", underlyingError: error)
        default:
            self.init(.tlsFailed, detail: "\(error)", underlyingError: error)
        }
    }

    /// Whether `error` is the peer refusing a TCP connection.
    private static func isRefusal(_ error: any Error) -> Bool {
        (error as? IOError)?.errnoCode == ECONNREFUSED
    }
}
