/// A value a stanza seldom carries (an error, a thread), kept behind one
/// reference so that it does not widen every stanza.
///
/// A `StanzaError?` inline made `Message` 344 bytes, copied (and its
/// references retained) each time a message value moves, for the error
/// almost no message has. Immutable, so sharing it between copies and
/// tasks is safe; equal and hashed by its value.
final class RareValue<Value: Hashable & Sendable>: Hashable, Sendable {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }

    static func == (lhs: RareValue, rhs: RareValue) -> Bool {
        lhs === rhs || lhs.value == rhs.value
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(value)
    }
}
