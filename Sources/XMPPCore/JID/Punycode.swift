/// Punycode (RFC 3492): the Bootstring encoding IDNA uses to carry a U-label
/// in an A-label (`xn--` + Punycode).
enum Punycode {
    private static let base = 36
    private static let tMin = 1
    private static let tMax = 26
    private static let skew = 38
    private static let damp = 700
    private static let initialBias = 72
    private static let initialN = 0x80
    private static let delimiter = UInt8(ascii: "-")

    /// Decodes Punycode (without the `xn--` prefix) to code points.
    /// - Returns: `nil` for malformed input, overflow, or a result that is
    ///   not a sequence of Unicode scalars.
    static func decode(_ input: Substring.UTF8View) -> [Unicode.Scalar]? {
        let bytes = Array(input)
        let delimiterIndex = bytes.lastIndex(of: delimiter)
        var output: [UInt32] = []
        if let delimiterIndex {
            for byte in bytes[..<delimiterIndex] {
                guard byte < 0x80 else { return nil }
                output.append(UInt32(byte))
            }
        }
        var position = delimiterIndex.map { $0 + 1 } ?? 0
        var n = initialN
        var i = 0
        var bias = initialBias
        while position < bytes.count {
            let oldI = i
            var weight = 1
            var k = base
            while true {
                guard position < bytes.count, let digit = digitValue(bytes[position]) else { return nil }
                position += 1
                guard let product = multiply(digit, weight), let sum = add(i, product) else { return nil }
                i = sum
                let t = threshold(k, bias)
                if digit < t { break }
                guard let nextWeight = multiply(weight, base - t) else { return nil }
                weight = nextWeight
                k += base
            }
            let length = output.count + 1
            bias = adapt(delta: i - oldI, count: length, isFirst: oldI == 0)
            guard let nextN = add(n, i / length), nextN <= 0x10FFFF else { return nil }
            n = nextN
            i %= length
            output.insert(UInt32(n), at: i)
            i += 1
        }
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(output.count)
        for value in output {
            guard let scalar = Unicode.Scalar(value) else { return nil }
            scalars.append(scalar)
        }
        return scalars
    }

    /// Encodes code points as Punycode (without the `xn--` prefix).
    /// - Returns: `nil` on arithmetic overflow, which labels of DNS size
    ///   cannot cause.
    static func encode(_ scalars: [Unicode.Scalar]) -> String? {
        let input = scalars.map { Int($0.value) }
        var output: [UInt8] = input.filter { $0 < 0x80 }.map { UInt8($0) }
        let basicCount = output.count
        var handled = basicCount
        if basicCount > 0 { output.append(delimiter) }
        var n = initialN
        var delta = 0
        var bias = initialBias
        while handled < input.count {
            guard let m = input.filter({ $0 >= n }).min(),
                  let step = multiply(m - n, handled + 1),
                  let newDelta = add(delta, step)
            else { return nil }
            delta = newDelta
            n = m
            for code in input {
                if code < n {
                    guard let next = add(delta, 1) else { return nil }
                    delta = next
                } else if code == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = threshold(k, bias)
                        if q < t { break }
                        output.append(digitCharacter(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digitCharacter(q))
                    bias = adapt(delta: delta, count: handled + 1, isFirst: handled == basicCount)
                    delta = 0
                    handled += 1
                }
            }
            delta += 1
            n += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func threshold(_ k: Int, _ bias: Int) -> Int {
        k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
    }

    private static func adapt(delta: Int, count: Int, isFirst: Bool) -> Int {
        var delta = isFirst ? delta / damp : delta / 2
        delta += delta / count
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }

    /// `a`–`z` (either case) are 0–25, `0`–`9` are 26–35.
    private static func digitValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"): Int(byte - UInt8(ascii: "a"))
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): Int(byte - UInt8(ascii: "A"))
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0")) + 26
        default: nil
        }
    }

    private static func digitCharacter(_ digit: Int) -> UInt8 {
        digit < 26 ? UInt8(ascii: "a") + UInt8(digit) : UInt8(ascii: "0") + UInt8(digit - 26)
    }

    private static func add(_ a: Int, _ b: Int) -> Int? {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : sum
    }

    private static func multiply(_ a: Int, _ b: Int) -> Int? {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : product
    }
}
