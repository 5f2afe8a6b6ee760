import XMPPCore

/// What the build benchmark varies per operation: ids, bodies and
/// recipients made once, so that the timed loop measures the model and the
/// writer, not string formatting.
struct StanzaInputs {
    let ids: [String]
    let bodies: [String]
    let recipients: [JID]
    /// XEP-0334 `<no-store/>`, built once as an application would keep it.
    let noStore = XMLElement("no-store", namespace: "urn:xmpp:hints")

    /// Kept a power of two so the loop index is a mask.
    static let count = 256

    /// Operation `operation`'s chat message (to, id, body, no-store hint),
    /// built as an application builds one and made an element: what the
    /// build contenders time.
    @inline(__always)
    func chatElement(_ operation: Int) -> XMLElement {
        chatMessage(operation).element
    }

    /// The message ``chatElement(_:)`` is the element of.
    func chatMessage(_ operation: Int) -> Message {
        let slot = operation & (Self.count - 1)
        var message = Message(type: .chat, to: recipients[slot], id: ids[slot], body: bodies[slot])
        message.extensions.append(noStore)
        return message
    }

    init() {
        var random = SplitMix64(seed: 0x5EED_0000_0000_57A0)
        let words = ["hello", "on my way", "ça va ?", "見ました", "ok", "привет", "see you at 10:30 & bring the 🍕",
                     "did you get the file?", "yes", "👍"]
        var ids: [String] = []
        var bodies: [String] = []
        var recipients: [JID] = []
        for index in 0..<Self.count {
            ids.append("m-\(random.below(1_000_000_000))-\(index)")
            var body = random.pick(words)
            for _ in 0..<random.below(4) { body += " " + random.pick(words) }
            bodies.append(body)
            let address = "contact\(index % 16)@example.com" + (index % 2 == 0 ? "" : "/phone\(index % 3)")
            do {
                recipients.append(try JID(address))
            } catch {
                fail("bad recipient \(address): \(error)")
            }
        }
        self.ids = ids
        self.bodies = bodies
        self.recipients = recipients
    }
}
