import XMPPCore

extension SessionStateMachine {
    /// Every side effect the machine can ask for. The channel handler carries
    /// them out, in order, in one `run(_:)`.
    enum Action: Sendable {
        /// Write this stream header (with the XML declaration).
        case writeStreamHeader(XMLStreamHeader)
        /// Write this top-level element.
        case writeElement(XMLElement)
        /// Write `</stream:stream>`.
        case writeStreamClose
        /// Put a TLS handler at the front of the pipeline (STARTTLS), which
        /// starts the handshake; report ``SessionStateMachine/tlsEstablished(channelBindings:)``
        /// or ``SessionStateMachine/tlsFailed(_:)``.
        case addTLSHandler
        /// Reset the XML reader for a new stream (after TLS, after SASL).
        case resetReader
        /// Call ``SessionStateMachine/deadlineFired(_:)`` with this id after
        /// this long, unless cancelled first.
        case scheduleDeadline(DeadlineID, Duration)
        /// Cancel a scheduled deadline.
        case cancelDeadline(DeadlineID)
        /// Negotiation is done: the session is ready for stanzas.
        case established(EstablishedSession)
        /// Hand this element (a stanza or another top-level element) to the
        /// application.
        case deliver(XMLElement)
        /// The server redirected this connection attempt; connect there,
        /// with the same TLS configuration and the same verification name
        /// (the JID's domain). The stream has been closed.
        case followSeeOtherHost(host: String, port: Int?)
        /// Close the connection (after the writes before this action).
        case closeConnection
        /// The connection attempt or the session failed with this error.
        case fail(XMPPClientError)
    }

    /// Names one scheduled deadline: the step it guards and a number that
    /// is never reused, so a deadline that fires after it was replaced is
    /// recognised as stale and ignored.
    struct DeadlineID: Hashable, Sendable, CustomStringConvertible {
        /// The step the deadline guards.
        var step: XMPPClientError.Step
        /// Counts up from 1 per machine.
        var sequence: Int

        /// Creates an id.
        init(_ step: XMPPClientError.Step, _ sequence: Int) {
            self.step = step
            self.sequence = sequence
        }

        /// For example `"resource binding #4"`.
        var description: String { "\(step) #\(sequence)" }
    }

    /// What a finished negotiation produced.
    struct EstablishedSession: Hashable, Sendable {
        /// The full JID the server bound.
        var boundJID: FullJID
        /// The features of the final (authenticated) stream.
        var features: StreamFeatures
        /// The SASL mechanism that authenticated the session.
        var authenticationMechanism: SASLMechanismName
    }

    /// How the connection is secured when the machine starts.
    enum Transport: Sendable {
        /// Plain TCP: STARTTLS is required.
        case plain
        /// Direct TLS (XEP-0368), with what it can bind to.
        case tls(SASLTransportSecurity)
    }
}
