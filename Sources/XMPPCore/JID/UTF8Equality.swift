#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-wise equality of strings' UTF-8, for the comparisons on the receive
/// path (addresses, attribute values).
///
/// `String.==` compares by canonical equivalence; `utf8.elementsEqual`
/// compares bytes but one at a time through the generic collection
/// protocol. Native strings keep their UTF-8 contiguous, so this compares
/// the lengths (constant time) and then the two buffers.
package enum UTF8Equality {
    /// Whether `lhs` and `rhs` are the same UTF-8 byte sequence.
    @inlinable
    package static func equal(_ lhs: String, _ rhs: String) -> Bool {
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        let compared = lhs.utf8.withContiguousStorageIfAvailable { left in
            rhs.utf8.withContiguousStorageIfAvailable { right in
                bytesEqual(left, right)
            }
        }
        // Bridged or lazily stored strings have no contiguous buffer.
        return (compared ?? nil) ?? lhs.utf8.elementsEqual(rhs.utf8)
    }

    /// Whether two buffers hold the same bytes (`memcmp`, which compares
    /// many bytes per step).
    @inlinable
    package static func bytesEqual(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        guard let left = lhs.baseAddress, let right = rhs.baseAddress, lhs.count > 0 else { return true }
        return memcmp(left, right, lhs.count) == 0
    }

    /// Whether `lhs` and `rhs` are both absent or the same byte sequence.
    @inlinable
    package static func equal(_ lhs: String?, _ rhs: String?) -> Bool {
        switch (lhs, rhs) {
        case (nil, nil): true
        case let (lhs?, rhs?): equal(lhs, rhs)
        default: false
        }
    }
}
