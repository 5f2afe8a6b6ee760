import Logging
import NIOCore
import XMPPCore

/// In-band registration (XEP-0077) in the handler: the negotiation pauses
/// at the server's form, the connection answers it through
/// ``submitRegistration(_:)`` (on the event loop), and the negotiation goes
/// on with a fresh promise.
extension XMPPChannelHandler {
    /// Submits the answer to the registration form and returns the future
    /// of what follows: ``NegotiationOutcome/registered`` (the stream is
    /// closing), ``NegotiationOutcome/established(_:)`` (logged in with the
    /// new account), or a failure.
    /// - Throws: What ``SessionStateMachine/submitRegistration(_:)`` throws
    ///   (nothing is sent then); when the session ended while the
    ///   application answered, the error it ended with.
    func submitRegistration(_ answer: RegistrationAnswer) throws(XMPPClientError) -> EventLoopFuture<NegotiationOutcome> {
        guard let context else { throw failure ?? .connectionClosed(detail: "the session handler was removed") }
        let actions: [SessionStateMachine.Action]
        do throws(XMPPClientError) {
            actions = try machine.submitRegistration(answer)
        } catch {
            throw failure ?? error
        }
        let promise = context.eventLoop.makePromise(of: NegotiationOutcome.self)
        negotiation = promise
        run(actions)
        return promise.futureResult
    }

    // MARK: Actions (called from `run(_:context:)`)

    /// Hands the form to the connection and waits for its answer
    /// (``SessionStateMachine/Action/registrationFormReceived(_:)``).
    func pauseForRegistrationAnswer(_ form: RegistrationForm) {
        logger.debug(
            "XMPP registration form received",
            metadata: [
                "xmpp.registration_fields": "\(form.fields.map(\.localName).joined(separator: ","))",
                "xmpp.registration_data_form": "\(form.dataForm != nil)",
            ])
        negotiation?.succeed(.registrationForm(form))
        negotiation = nil
    }

    /// The account was created
    /// (``SessionStateMachine/Action/accountRegistered(sessionContinues:)``):
    /// report it now unless SASL follows on the same stream.
    func accountRegistered(sessionContinues: Bool) {
        logger.debug("XMPP account registered", metadata: ["xmpp.session_continues": "\(sessionContinues)"])
        guard !sessionContinues else { return }
        negotiation?.succeed(.registered)
        negotiation = nil
    }
}
