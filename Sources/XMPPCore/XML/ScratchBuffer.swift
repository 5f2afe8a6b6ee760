/// A growable buffer the reader reuses for every stanza, whose contents can
/// be moved out in one `memcpy`-like step, without retaining and releasing
/// each element the way copying out of an `Array` would.
///
/// It is a plain struct over manually managed memory: the owner must call
/// ``deallocate()`` exactly once and must not copy it.
struct ScratchBuffer<Element> {
    fileprivate var pointer: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        pointer = .allocate(capacity: self.capacity)
    }

    mutating func append(_ element: Element) {
        if count == capacity { grow(to: capacity * 2) }
        (pointer + count).initialize(to: element)
        count += 1
    }

    /// The first element's address; valid until the next append.
    var baseAddress: UnsafeMutablePointer<Element> { pointer }

    /// Appends `count` elements copied from `source` (for trivial types).
    mutating func append(copying source: UnsafePointer<Element>, count newCount: Int) {
        if count + newCount > capacity { grow(to: max(capacity * 2, count + newCount)) }
        (pointer + count).initialize(from: source, count: newCount)
        count += newCount
    }

    subscript(index: Int) -> Element {
        get { pointer[index] }
        _modify { yield &pointer[index] }
    }

    /// Appends elements `start..<count` of `source` to this buffer, and
    /// removes them from `source`.
    mutating func moveTail(of source: inout ScratchBuffer<Element>, from start: Int) {
        let moving = source.count - start
        guard moving > 0 else { return }
        if count + moving > capacity { grow(to: max(capacity * 2, count + moving)) }
        (pointer + count).moveInitialize(from: source.pointer + start, count: moving)
        count += moving
        source.count = start
    }

    /// Moves every element to `destination` (uninitialised memory for
    /// `count` elements) and leaves this buffer empty.
    mutating func moveAll(to destination: UnsafeMutableRawPointer) {
        guard count > 0 else { return }
        destination.bindMemory(to: Element.self, capacity: count).moveInitialize(from: pointer, count: count)
        count = 0
    }

    /// Destroys the elements from `newCount` on, keeping the memory.
    mutating func truncate(to newCount: Int) {
        guard newCount < count else { return }
        (pointer + newCount).deinitialize(count: count - newCount)
        count = newCount
    }

    /// Destroys the elements, keeping the memory.
    mutating func removeAll() {
        pointer.deinitialize(count: count)
        count = 0
    }

    /// Destroys the elements and frees the memory.
    mutating func deallocate() {
        removeAll()
        pointer.deallocate()
        capacity = 0
    }

    private mutating func grow(to newCapacity: Int) {
        let grown = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        grown.moveInitialize(from: pointer, count: count)
        pointer.deallocate()
        pointer = grown
        capacity = newCapacity
    }
}

extension ScratchBuffer<UInt8> {
    /// The bytes of `range`, decoded as UTF-8.
    func string(_ range: XMLTreeStorage.ByteRange) -> String {
        String(decoding: UnsafeBufferPointer(start: pointer + Int(range.offset), count: Int(range.count)), as: UTF8.self)
    }
}
