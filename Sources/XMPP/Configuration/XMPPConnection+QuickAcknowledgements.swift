extension XMPPConnection.Configuration {
    /// How long the connection keeps Linux's TCP quick-ACK mode on
    /// (`TCP_QUICKACK`, set again after every read).
    ///
    /// Why it matters: many servers (Prosody by default) leave Nagle's
    /// algorithm on, so a second small write waits until the first is
    /// acknowledged, while the kernel delays the client's ACK by up to
    /// 40 ms hoping to send it with data. During negotiation the server
    /// often answers one request with two writes (a TLS session ticket,
    /// then the stream features), and a login would stall there most of its
    /// time. Quick ACKs remove that stall.
    ///
    /// Once the session is established the trade changes. A client that
    /// mostly receives acknowledges every read at once, so the server sends
    /// each stanza in a segment of its own and the client wakes up for a
    /// few stanzas at a time; with the kernel's delayed ACKs the server
    /// gathers what it has, and each wake-up carries many stanzas. Against
    /// a local Prosody that halved the client's CPU per received message
    /// (see `Benchmarks/README.md`); the price is that a stanza written
    /// right behind another, while the client writes nothing, can wait up
    /// to the delayed-ACK time. Requests and their answers (IQs, a message
    /// and its reply) are not affected: the client's write carries the ACK.
    ///
    /// Elsewhere than on Linux the setting does nothing.
    ///
    /// ```swift
    /// var configuration = XMPPConnection.Configuration(jid: try BareJID("alice@example.com"), password: "secret")
    /// configuration.quickAcknowledgements = .always   // latency over CPU
    /// ```
    public enum QuickAcknowledgements: Hashable, Sendable {
        /// Quick ACKs while the stream is negotiated (and again while a
        /// XEP-0198 session is resumed on a new connection), then the
        /// kernel's delayed ACKs. The default.
        case whileNegotiating
        /// Quick ACKs for the connection's whole life: no stanza ever
        /// waits for the client's delayed ACK, at the cost of a wake-up
        /// for every few stanzas a busy server sends.
        case always
    }
}
