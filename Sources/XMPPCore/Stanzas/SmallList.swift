/// Zero, one or more values, where zero and one take no allocation.
///
/// A received message nearly always has exactly one body and one or two
/// extension elements; as `[Element]` each of those lists is a heap
/// allocation to make and to free for every stanza, whether or not anybody
/// reads it. The model keeps such lists in this form and hands out arrays
/// only when asked for one.
///
/// The form is canonical (`many` holds at least two values), so the
/// synthesised equality and hashing agree with the arrays'.
enum SmallList<Element: Hashable & Sendable>: Hashable, Sendable {
    case none
    case one(Element)
    /// At least two values.
    case many([Element])

    /// The list holding `values`.
    init(_ values: [Element]) {
        switch values.count {
        case 0: self = .none
        case 1: self = .one(values[0])
        default: self = .many(values)
        }
    }

    /// The values as an array (an allocation for one value).
    var array: [Element] {
        switch self {
        case .none: []
        case .one(let value): [value]
        case .many(let values): values
        }
    }

    /// How many values it holds.
    var count: Int {
        switch self {
        case .none: 0
        case .one: 1
        case .many(let values): values.count
        }
    }

    /// Whether the list holds no value.
    var isEmpty: Bool {
        if case .none = self { return true }
        return false
    }

    /// Adds `value` at the end.
    mutating func append(_ value: Element) {
        switch self {
        case .none: self = .one(value)
        case .one(let first): self = .many([first, value])
        case .many(var values):
            // Dropping the payload first keeps the array uniquely referenced,
            // so the append does not copy it.
            self = .none
            values.append(value)
            self = .many(values)
        }
    }

    /// Calls `body` on every value, in order, without making an array.
    func forEach(_ body: (Element) throws -> Void) rethrows {
        switch self {
        case .none: break
        case .one(let value): try body(value)
        case .many(let values): try values.forEach(body)
        }
    }
}
