/// The qualified names one reader has met, shared by every tree it builds, so
/// that a tree stores a 4-byte index per element and attribute instead of a
/// name (two strings to retain when built and release when freed).
///
/// Append-only and never moved: names live in chunks that are allocated as
/// needed and freed with the store. A tree keeps its store alive. The
/// reader appends from its own thread; a tree read elsewhere only reads
/// entries that were written before the tree was built and handed over
/// (handing a value to another task or thread orders the two), which is why
/// the `@unchecked Sendable` is sound.
///
/// The chunks hold 32, 32, 64, 128, … 2,048 names: an idle session meets a
/// few dozen names, so its store stays at one or two small chunks (a fixed
/// 256-name first chunk was 8 KiB per reader), while doubling keeps the
/// number of chunks, and locating an index, cheap.
final class XMLNameStore: @unchecked Sendable {
    /// log2 of the first chunk's size, 32 names.
    private static let firstChunkShift = 5
    static let chunkCount = 8
    /// How many names one store can hold: 32 + 32 + 64 + … + 2,048 = 4,096.
    static let capacity = 1 << (firstChunkShift + chunkCount - 1)

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
            let (start, size) = Self.bounds(ofChunk: chunk)
            names.deinitialize(count: min(size, max(0, count - start)))
            names.deallocate()
        }
        chunks.deallocate()
    }

    /// The first index in `chunk` and how many names it holds: chunk 0
    /// starts at 0, chunk k > 0 at 2^(k+4), and each holds as many names as
    /// come before it (chunk 0: 32).
    private static func bounds(ofChunk chunk: Int) -> (start: Int, size: Int) {
        let size = 1 << (firstChunkShift + max(0, chunk - 1))
        return (chunk == 0 ? 0 : size, size)
    }

    /// The chunk holding `index` and its position there. The highest set bit
    /// of `index | 31` is 4 for chunk 0 and 4 + k for chunk k, which starts
    /// at that bit's value (chunk 0 at 0, hence the mask).
    @inline(__always)
    private static func locate(_ index: Int) -> (chunk: Int, offset: Int) {
        let low = (1 << firstChunkShift) - 1
        let high = Int.bitWidth - 1 - (index | low).leadingZeroBitCount
        return (high - (firstChunkShift - 1), index - ((1 << high) & ~low))
    }

    /// Whether another name fits.
    var isFull: Bool { count == Self.capacity }

    /// Stores `name` and returns its index; the store must not be full.
    func append(_ name: XMLQualifiedName) -> Int32 {
        let (chunk, offset) = Self.locate(count)
        let names: UnsafeMutablePointer<XMLQualifiedName>
        if let existing = chunks[chunk] {
            names = existing
        } else {
            names = .allocate(capacity: Self.bounds(ofChunk: chunk).size)
            chunks[chunk] = names
        }
        (names + offset).initialize(to: name)
        count += 1
        return Int32(count - 1)
    }

    /// The name at `index`.
    func name(_ index: Int32) -> XMLQualifiedName {
        let (chunk, offset) = Self.locate(Int(index))
        // Only indices handed out by `append` reach here, so the chunk exists.
        guard chunk < Self.chunkCount, let names = chunks[chunk] else { return XMLQualifiedName("") }
        return names[offset]
    }
}
