/// The qualified names one reader has met, shared by every tree it builds, so
/// that a tree stores a 4-byte index per element and attribute instead of a
/// name (two strings to retain when built and release when freed).
///
/// Append-only and never moved: names live in fixed chunks that are allocated
/// as needed and freed with the store. A tree keeps its store alive. The
/// reader appends from its own thread; a tree read elsewhere only reads
/// entries that were written before the tree was built and handed over
/// (handing a value to another task or thread orders the two), which is why
/// the `@unchecked Sendable` is sound.
final class XMLNameStore: @unchecked Sendable {
    static let chunkSize = 256
    static let chunkCount = 16
    /// How many names one store can hold.
    static let capacity = chunkSize * chunkCount

    private let chunks: UnsafeMutablePointer<UnsafeMutablePointer<XMLQualifiedName>?>
    /// Written only by the owning reader.
    private(set) var count = 0

    init() {
        chunks = .allocate(capacity: Self.chunkCount)
        chunks.initialize(repeating: nil, count: Self.chunkCount)
    }

    deinit {
        for chunk in 0..<Self.chunkCount {
            guard let names = chunks[chunk] else { continue }
            names.deinitialize(count: min(Self.chunkSize, max(0, count - chunk * Self.chunkSize)))
            names.deallocate()
        }
        chunks.deallocate()
    }

    /// Whether another name fits.
    var isFull: Bool { count == Self.capacity }

    /// Stores `name` and returns its index; the store must not be full.
    func append(_ name: XMLQualifiedName) -> Int32 {
        let chunk = count / Self.chunkSize
        let names: UnsafeMutablePointer<XMLQualifiedName>
        if let existing = chunks[chunk] {
            names = existing
        } else {
            names = .allocate(capacity: Self.chunkSize)
            chunks[chunk] = names
        }
        (names + count % Self.chunkSize).initialize(to: name)
        count += 1
        return Int32(count - 1)
    }

    /// The name at `index`.
    func name(_ index: Int32) -> XMLQualifiedName {
        let index = Int(index)
        // Only indices handed out by `append` reach here, so the chunk exists.
        guard let names = chunks[index / Self.chunkSize] else { return XMLQualifiedName("") }
        return names[index % Self.chunkSize]
    }
}
