extension StanzaParseError {
    /// The condition to answer with when a received stanza fails to parse
    /// (RFC 6120 §8.3.3): `jid-malformed` for a bad `to` or `from`,
    /// `bad-request` for everything else.
    public var replyCondition: StanzaError.Condition {
        isMalformedAddress ? .jidMalformed : .badRequest
    }

    /// Whether an address attribute (`to`, `from`, `by`) is not a valid JID.
    public var isMalformedAddress: Bool {
        kind == .malformedAddress
    }
}
