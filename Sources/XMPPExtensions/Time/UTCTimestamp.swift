/// A moment in UTC as XEP-0082 writes it (`2026-11-21T15:04:36Z`), without
/// Foundation: the calendar fields, and the count of seconds since
/// 1970-01-01T00:00:00Z they stand for.
public struct UTCTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The year, 0 to 9999.
    public var year: Int
    /// The month, 1 to 12.
    public var month: Int
    /// The day of the month, from 1.
    public var day: Int
    /// The hour, 0 to 23.
    public var hour: Int
    /// The minute, 0 to 59.
    public var minute: Int
    /// The second, 0 to 59.
    public var second: Int
    /// The fraction of the second, in nanoseconds (0 to 999 999 999).
    public var nanosecond: Int

    /// The moment `secondsSince1970` (plus `nanoseconds`) after the Unix
    /// epoch, in the proleptic Gregorian calendar.
    /// - Parameters:
    ///   - secondsSince1970: Whole seconds since 1970-01-01T00:00:00Z.
    ///   - nanoseconds: The fraction, 0 to 999 999 999.
    public init(secondsSince1970: Int64, nanoseconds: Int = 0) {
        let days = Int(secondsSince1970.floorDivided(by: 86_400))
        let secondOfDay = Int(secondsSince1970 - Int64(days) * 86_400)
        (year, month, day) = Self.civil(fromDays: days)
        hour = secondOfDay / 3600
        minute = secondOfDay / 60 % 60
        second = secondOfDay % 60
        nanosecond = min(max(nanoseconds, 0), 999_999_999)
    }

    /// Reads an XEP-0082 DateTime in UTC: `CCYY-MM-DDThh:mm:ss[.sss]Z`.
    ///
    /// Only `Z` is accepted as the zone (XEP-0202 sends UTC); fractions
    /// beyond nanoseconds are cut. Returns `nil` for anything else,
    /// including dates that do not exist (February 30).
    /// - Parameter text: The text.
    public init?(_ text: String) {
        var scanner = DigitScanner(text)
        guard let year = scanner.number(digits: 4), scanner.skip("-"),
            let month = scanner.number(digits: 2), scanner.skip("-"),
            let day = scanner.number(digits: 2), scanner.skip("T"),
            let hour = scanner.number(digits: 2), scanner.skip(":"),
            let minute = scanner.number(digits: 2), scanner.skip(":"),
            let second = scanner.number(digits: 2)
        else { return nil }
        var nanosecond = 0
        if scanner.skip(".") {
            guard let fraction = scanner.fraction() else { return nil }
            nanosecond = fraction
        }
        guard scanner.skip("Z"), scanner.isAtEnd,
            (1...12).contains(month), (1...31).contains(day),
            hour < 24, minute < 60, second < 60,
            Self.civil(fromDays: Self.days(year: year, month: month, day: day)) == (year, month, day)
        else { return nil }
        (self.year, self.month, self.day) = (year, month, day)
        (self.hour, self.minute, self.second, self.nanosecond) = (hour, minute, second, nanosecond)
    }

    /// Whole seconds since 1970-01-01T00:00:00Z (negative before).
    public var secondsSince1970: Int64 {
        Int64(Self.days(year: year, month: month, day: day)) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// The XEP-0082 form, whole seconds: `2026-11-21T15:04:36Z`.
    public var description: String {
        "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))Z"
    }

    /// Orders by time.
    public static func < (lhs: UTCTimestamp, rhs: UTCTimestamp) -> Bool {
        (lhs.secondsSince1970, lhs.nanosecond) < (rhs.secondsSince1970, rhs.nanosecond)
    }

    /// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    static func civil(fromDays count: Int) -> (year: Int, month: Int, day: Int) {
        let z = count + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// `value` as decimal digits, zero-padded to `width`.
func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value.magnitude)
    return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
}

extension Int64 {
    /// Division rounding towards minus infinity.
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}

/// Reads ASCII digits and separators from the start of a string.
struct DigitScanner {
    private let bytes: [UInt8]
    private var index = 0

    /// A scanner at the start of `text`.
    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    /// Whether everything was read.
    var isAtEnd: Bool { index == bytes.count }

    /// Skips `character` if it comes next.
    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    /// Exactly `digits` ASCII digits, as a number.
    mutating func number(digits: Int) -> Int? {
        guard bytes.count - index >= digits else { return nil }
        var value = 0
        for byte in bytes[index..<index + digits] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        index += digits
        return value
    }

    /// One or more digits after a decimal point, as nanoseconds (digits
    /// past the ninth are read and dropped).
    mutating func fraction() -> Int? {
        var value = 0
        var count = 0
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            if count < 9 { value = value * 10 + Int(bytes[index] - UInt8(ascii: "0")) }
            count += 1
            index += 1
        }
        guard count > 0 else { return nil }
        for _ in count..<max(count, 9) { value *= 10 }
        return value
    }
}
