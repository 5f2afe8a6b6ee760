// Number formatting shared by the reader and micro benchmarks (the micro
// benchmark links this file from Shared/).

/// `value` with exactly `digits` decimals, without Foundation.
func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    guard digits > 0 else { return (value < 0 ? "-" : "") + grouped(Int(abs(value).rounded())) }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int((abs(value) * scale).rounded())
    let whole = scaled / Int(scale)
    let fraction = String(scaled % Int(scale))
    let padded = String(repeating: "0", count: digits - fraction.count) + fraction
    return (value < 0 ? "-" : "") + "\(whole).\(padded)"
}

/// A non-negative integer with comma grouping: 8,000,123.
func grouped(_ value: Int) -> String {
    let digits = Array(String(value))
    var result = ""
    for (index, digit) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
        result.append(digit)
    }
    return result
}
