import XMPPCore

extension IQRequestHandler {
    /// Runs the handler for `request` and makes the one answer RFC 6120
    /// §8.2.3 requires:
    ///
    /// - a returned element (or `nil`) becomes a `result` with it as payload;
    /// - a thrown ``StanzaError`` becomes an `error` with exactly that error;
    /// - anything else thrown becomes `internal-server-error`, with no text:
    ///   the error's description stays on this side, since it may say more
    ///   about the application than a peer should learn.
    ///
    /// The answer goes back to the request's sender with the same `id`;
    /// `from` is left to the server (RFC 6120 §8.1.2.1).
    func reply(to request: IQ) async -> IQ {
        var reply: IQ
        do {
            reply = request.makeResult(payload: try await body(request))
        } catch let error as StanzaError {
            reply = request.makeError(error)
        } catch {
            reply = request.makeError(StanzaError(.internalServerError))
        }
        reply.from = nil
        return reply
    }

    /// The answer for a request no handler takes: `service-unavailable`
    /// (RFC 6120 §8.4), addressed like ``reply(to:)``.
    static func serviceUnavailable(answering request: IQ) -> IQ {
        var reply = request.makeError(StanzaError(.serviceUnavailable))
        reply.from = nil
        return reply
    }
}
