/// The "mix" corpus: a busy desktop client's inbound traffic with carbons
/// enabled: 48 % chat messages, 18 % carbon copies, 24 % presence, 5 % roster
/// results, 5 % disco#info results, about 520 bytes per stanza on average.
extension StanzaFactory {
    mutating func mixStanza() -> String {
        switch random.below(100) {
        case 0..<48: return chatMessage(from: fullJID(), to: bareJID(), namespace: "")
        case 48..<66: return carbonCopy()
        case 66..<90: return presence()
        case 90..<95: return rosterResult()
        default: return discoInfoResult()
        }
    }

    /// A chat message; most carry a body, the rest are bare chat states or
    /// receipts. `namespace` is set when the message is forwarded.
    mutating func chatMessage(from: String, to: String, namespace: String) -> String {
        let xmlns = namespace.isEmpty ? "" : " xmlns='\(namespace)'"
        var xml = "<message\(xmlns) from='\(from)' to='\(to)' type='chat' id='\(uuid())'"
        switch random.below(100) {
        case 0..<68:
            xml += " xml:lang='en'><body>\(body(maximum: 4))</body>"
            xml += "<origin-id xmlns='urn:xmpp:sid:0' id='\(uuid())'/>"
            xml += "<stanza-id xmlns='urn:xmpp:sid:0' id='\(uuid())' by='\(bareJID())'/>"
            xml += "<active xmlns='http://jabber.org/protocol/chatstates'/>"
            xml += "<request xmlns='urn:xmpp:receipts'/><markable xmlns='urn:xmpp:chat-markers:0'/>"
        case 68..<84:
            xml += "><\(random.pick(["composing", "paused", "active"])) xmlns='http://jabber.org/protocol/chatstates'/>"
            xml += "<no-store xmlns='urn:xmpp:hints'/>"
        default:
            xml += "><received xmlns='urn:xmpp:receipts' id='\(uuid())'/>"
            xml += "<stanza-id xmlns='urn:xmpp:sid:0' id='\(uuid())' by='\(bareJID())'/>"
        }
        return xml + "</message>"
    }

    /// A XEP-0280 carbon: our own account forwarding a message with a delay stamp.
    mutating func carbonCopy() -> String {
        let account = bareJID()
        let direction = random.chance(60) ? "received" : "sent"
        var xml = "<message from='\(account)' to='\(account)/\(resource())' type='chat'>"
        xml += "<\(direction) xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>"
        xml += "<delay xmlns='urn:xmpp:delay' stamp='\(timestamp())'/>"
        xml += chatMessage(from: fullJID(), to: account, namespace: "jabber:client")
        return xml + "</forwarded></\(direction)></message>"
    }

    /// Available presence with entity capabilities, sometimes unavailable.
    mutating func presence() -> String {
        var xml = "<presence from='\(fullJID())' to='\(bareJID())'"
        if random.chance(15) {
            return xml + " type='unavailable'><status>\(random.pick(Vocabulary.statuses))</status></presence>"
        }
        xml += " id='\(shortID())' xml:lang='en'>"
        if random.chance(60) { xml += "<show>\(random.pick(Vocabulary.shows))</show>" }
        if random.chance(60) { xml += "<status>\(random.pick(Vocabulary.statuses))</status>" }
        xml += "<priority>\(random.inRange(-1...50))</priority>"
        xml += "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1'"
        xml += " node='https://\(random.pick(Vocabulary.clients).lowercased()).example/caps'"
        xml += " ver='\(random.string(27, from: Vocabulary.base64))='/>"
        if random.chance(50) {
            xml += "<x xmlns='vcard-temp:x:update'><photo>\(random.string(40, from: Vocabulary.hexDigits))</photo></x>"
        }
        if random.chance(30) {
            xml += "<delay xmlns='urn:xmpp:delay' from='\(random.pick(Vocabulary.domains))' stamp='\(timestamp())'/>"
        }
        return xml + "</presence>"
    }

    /// A roster push or result with a few items.
    mutating func rosterResult() -> String {
        var xml = "<iq to='\(fullJID())' id='\(uuid())' type='result'>"
        xml += "<query xmlns='jabber:iq:roster' ver='ver\(random.below(100_000))'>"
        for _ in 0..<random.inRange(3...7) {
            xml += "<item jid='\(bareJID())' name='\(random.pick(Vocabulary.rosterNames))' subscription='both'>"
            xml += "<group>\(random.pick(Vocabulary.groups))</group></item>"
        }
        return xml + "</query></iq>"
    }

    /// A XEP-0030 disco#info result from a peer's client.
    mutating func discoInfoResult() -> String {
        let node = "https://\(random.pick(Vocabulary.clients).lowercased()).example/caps"
        var xml = "<iq from='\(fullJID())' to='\(fullJID())' id='\(shortID())' type='result'>"
        xml += "<query xmlns='http://jabber.org/protocol/disco#info' node='\(node)#\(random.string(27, from: Vocabulary.base64))='>"
        xml += "<identity category='client' type='\(random.pick(["pc", "phone", "web"]))' name='\(random.pick(Vocabulary.clients))'/>"
        let count = random.inRange(8...14)
        let start = random.below(Vocabulary.features.count)
        for index in 0..<count {
            xml += "<feature var='\(Vocabulary.features[(start + index) % Vocabulary.features.count])'/>"
        }
        return xml + "</query></iq>"
    }
}
