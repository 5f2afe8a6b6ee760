import Testing

@testable import XMPPCore

/// A message's error and thread, and a presence's error, sit behind a
/// reference to keep the stanzas narrow; they must still behave as plain
/// value properties.
@Suite struct StanzaRareValueTests {
    @Test("Equal errors and threads in separate boxes: equal stanzas, equal hashes")
    func equalityByValue() {
        let first = Message(type: .error, thread: Message.Thread("t1"), error: StanzaError(.itemNotFound))
        let second = Message(type: .error, thread: Message.Thread("t1"), error: StanzaError(.itemNotFound))
        #expect(first == second)
        #expect(first.hashValue == second.hashValue)
        #expect(first != Message(type: .error, thread: Message.Thread("t2"), error: StanzaError(.itemNotFound)))
        #expect(first != Message(type: .error, thread: Message.Thread("t1"), error: StanzaError(.gone)))
        #expect(Presence(type: .error, error: StanzaError(.gone)) == Presence(type: .error, error: StanzaError(.gone)))
        #expect(Presence(type: .error, error: StanzaError(.gone)) != Presence(type: .error, error: StanzaError(.conflict)))
    }

    @Test("Changing a copy's error or thread leaves the original as it was")
    func valueSemantics() {
        let original = Message(type: .error, thread: Message.Thread("t1"), error: StanzaError(.itemNotFound))
        var copy = original
        copy.error?.text = "changed"
        copy.thread?.parent = "p"
        #expect(copy.error?.text == "changed")
        #expect(copy.thread?.parent == "p")
        #expect(original.error?.text == nil)
        #expect(original.thread?.parent == nil)
        copy.error = nil
        copy.thread = nil
        #expect(copy.error == nil && copy.thread == nil)
        #expect(original.error?.condition == .itemNotFound)

        var presence = Presence(type: .error, error: StanzaError(.gone))
        let before = presence
        presence.error?.text = "moved"
        #expect(presence.error?.text == "moved")
        #expect(before.error?.text == nil)
    }
}
