/// The fuzzer's bytes read as a sequence of choices. Reading past the end
/// yields zeros and empty runs, so every input, however short, is a valid
/// program for a harness.
public struct FuzzInput {
    private let bytes: [UInt8]
    /// How many bytes were consumed.
    public private(set) var position = 0

    /// Copies the bytes libFuzzer hands over.
    public init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    }

    /// Wraps bytes (for replaying inputs in code).
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Whether every byte was consumed.
    public var isAtEnd: Bool { position >= bytes.count }

    /// The number of bytes left.
    public var remaining: Int { max(0, bytes.count - position) }

    /// The next byte, or 0 at the end.
    public mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// A number in `0..<bound` taken from one byte (`bound` ≤ 256).
    public mutating func choice(_ bound: Int) -> Int {
        Int(byte()) % max(1, bound)
    }

    /// The next `count` bytes (fewer at the end).
    public mutating func take(_ count: Int) -> [UInt8] {
        let end = min(bytes.count, position + max(0, count))
        defer { position = max(position, end) }
        return position < end ? Array(bytes[position..<end]) : []
    }

    /// A run whose length (at most `maximum`) is given by the next byte.
    public mutating func run(maximum: Int = 255) -> [UInt8] {
        take(choice(maximum + 1))
    }

    /// Everything not consumed yet.
    public mutating func rest() -> [UInt8] {
        take(remaining)
    }
}

/// Stops the process with a message when an invariant does not hold; libFuzzer
/// reports the trap as a crash and saves the input.
public func fuzzCheck(
    _ condition: @autoclosure () -> Bool,
    _ message: @autoclosure () -> String,
    file: StaticString = #file,
    line: UInt = #line
) {
    if !condition() {
        fatalError("fuzz invariant failed: \(message())", file: file, line: line)
    }
}

/// The input as a byte array.
public func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
}
