/// The "tiny" corpus: the small, frequent elements where per-stanza overhead
/// dominates: stream-management requests and acks, pings, short presences and
/// one-word messages.
extension StanzaFactory {
    mutating func tinyStanza() -> String {
        switch random.below(100) {
        case 0..<12: return "<r xmlns='urn:xmpp:sm:3'/>"
        case 12..<24: return "<a xmlns='urn:xmpp:sm:3' h='\(random.below(100_000))'/>"
        case 24..<52: return "<presence from='\(fullJID())' to='\(bareJID())' id='\(shortID())'/>"
        case 52..<76:
            let word = random.pick(["ok", "hi", "👍", "brb", "Tom &amp; Jerry", "à+", "好的"])
            return "<message from='\(fullJID())' to='\(bareJID())' type='chat' id='\(shortID())'><body>\(word)</body></message>"
        case 76..<88:
            return "<iq from='\(random.pick(Vocabulary.domains))' to='\(fullJID())' id='\(shortID())' type='get'><ping xmlns='urn:xmpp:ping'/></iq>"
        default: return "<iq from='\(bareJID())' to='\(fullJID())' id='\(shortID())' type='result'/>"
        }
    }
}
