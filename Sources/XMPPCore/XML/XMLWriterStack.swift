/// A stack in memory the caller lends (normally from
/// `withUnsafeTemporaryAllocation`, so on the machine stack) that moves to
/// the heap only when it outgrows it.
///
/// ``XMLWriter`` keeps its open elements and the attribute names of the
/// element it is writing here: an ordinary stanza then costs no allocation
/// for them, while an element of any depth still fits (a `write` call
/// cannot keep arrays between calls: it is non-mutating and the writer is
/// `Sendable`).
///
/// Noncopyable, so the elements it holds are deinitialised (and the heap
/// storage freed) exactly once, also when writing stops with an error.
struct XMLWriterStack<Element>: ~Copyable {
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    /// How many elements are on the stack.
    private(set) var count = 0
    private var ownsBase = false

    /// A stack that starts in `storage` (uninitialised memory that must
    /// outlive it).
    init(lending storage: UnsafeMutableBufferPointer<Element>) {
        if let base = storage.baseAddress, !storage.isEmpty {
            self.base = base
            capacity = storage.count
        } else {
            base = .allocate(capacity: 8)
            capacity = 8
            ownsBase = true
        }
    }

    deinit {
        base.deinitialize(count: count)
        if ownsBase { base.deallocate() }
    }

    /// Whether the stack holds nothing.
    var isEmpty: Bool { count == 0 }

    /// Pushes `element`.
    @inline(__always)
    mutating func append(_ element: consuming Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    /// Pops the top element; the stack must not be empty.
    @inline(__always)
    mutating func removeLast() -> Element {
        precondition(count > 0, "pop from an empty stack")
        count -= 1
        return (base + count).move()
    }

    /// Removes every element, keeping the storage.
    mutating func removeAll() {
        base.deinitialize(count: count)
        count = 0
    }

    /// Element `index` (0 is the bottom).
    subscript(index: Int) -> Element {
        @inline(__always) get {
            precondition(index >= 0 && index < count, "index out of range")
            return base[index]
        }
    }

    /// The top element, to read or change in place; the stack must not be
    /// empty. Valid until the next push or pop.
    @inline(__always)
    var top: UnsafeMutablePointer<Element> {
        precondition(count > 0, "empty stack")
        return base + (count - 1)
    }

    /// Moves the elements to heap storage twice the size.
    @inline(never)
    private mutating func grow() {
        let newCapacity = capacity * 2
        let newBase = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newBase.moveInitialize(from: base, count: count)
        if ownsBase { base.deallocate() }
        base = newBase
        capacity = newCapacity
        ownsBase = true
    }
}
