import XMPPCore

extension StreamManagementElement {
    /// Reads a stream-management element, strictly.
    ///
    /// - Counts (`h`) must be decimal `xs:unsignedInt`s: ASCII digits only,
    ///   at least one, at most 4294967295. No sign, no whitespace, no empty
    ///   value; leading zeros are allowed, as in the schema's lexical space.
    /// - `resume` must be `true`, `false`, `1` or `0`.
    /// - `max` must be a positive decimal; values past 2^32 − 1 seconds are
    ///   read as 2^32 − 1. In `<enabled/>` a `max` of 0 (outside the
    ///   schema, but what Prosody sends when it keeps no detached sessions)
    ///   is read as "no window given" rather than ending the session.
    /// - `previd` must be present and not empty; `<enabled/>`'s `id` and
    ///   `location` are optional and kept as sent (the ledger judges them).
    /// - Attributes the schema does not define, and text, are ignored.
    /// - Throws: ``StreamManagementParseError``.
    init(element: XMLElement) throws(StreamManagementParseError) {
        guard Self.isStreamManagement(element) else { throw .notStreamManagement(element.name) }
        let reader = AttributeReader(element: element)
        switch element.name.localName {
        case "enable":
            self = .enable(resume: try reader.boolean("resume"), preferredMaximum: try reader.positive("max"))
        case "enabled":
            self = .enabled(
                StreamManagementEnabled(
                    id: element[attribute: "id"],
                    resume: try reader.boolean("resume"),
                    maximumResumption: try reader.positive("max", zeroMeansAbsent: true),
                    location: element[attribute: "location"]
                )
            )
        case "r":
            self = .requestAck
        case "a":
            self = .ack(try reader.requiredCount("h"))
        case "resume":
            self = .resume(previousID: try reader.previousID(), handled: try reader.requiredCount("h"))
        case "resumed":
            self = .resumed(previousID: try reader.previousID(), handled: try reader.requiredCount("h"))
        case "failed":
            let condition = element.elements.first { child in
                child.name.namespace == XMLNamespace.stanzaErrors && child.name.localName != "text"
            }
            self = .failed(
                StreamManagementFailure(
                    handled: try reader.count("h"),
                    condition: condition.map { StanzaError.Condition($0.name.localName) }
                )
            )
        case let other:
            throw .unknownElement(localName: other)
        }
    }

    /// Reads a decimal `xs:unsignedInt` strictly (see ``init(element:)``);
    /// `nil` when `text` is not one.
    static func parseCount(_ text: String) -> StanzaCount? {
        var value: UInt32 = 0
        var sawDigit = false
        for byte in text.utf8 {
            guard let digit = decimalDigit(byte) else { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = shifted.addingReportingOverflow(digit)
            guard !overflow, !carry else { return nil }
            value = sum
            sawDigit = true
        }
        return sawDigit ? StanzaCount(value) : nil
    }

    /// Reads a positive decimal, saturating at `UInt32.max`; `nil` when
    /// `text` is empty, zero, or has anything but ASCII digits.
    static func parsePositive(_ text: String) -> UInt32? {
        var value: UInt32 = 0
        var sawDigit = false
        for byte in text.utf8 {
            guard let digit = decimalDigit(byte) else { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = shifted.addingReportingOverflow(digit)
            value = overflow || carry ? .max : sum
            sawDigit = true
        }
        return sawDigit && value > 0 ? value : nil
    }

    private static func decimalDigit(_ byte: UInt8) -> UInt32? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? UInt32(byte - UInt8(ascii: "0")) : nil
    }
}

/// Reads one element's attributes, throwing the parse error that names
/// the element and the attribute.
private struct AttributeReader {
    /// The element being read.
    let element: XMLElement

    private var localName: String { element.name.localName }

    private func invalid(_ attribute: String, _ value: String) -> StreamManagementParseError {
        .invalidAttribute(element: localName, attribute: attribute, value: value)
    }

    /// An optional count attribute.
    func count(_ attribute: String) throws(StreamManagementParseError) -> StanzaCount? {
        guard let text = element[attribute: attribute] else { return nil }
        guard let count = StreamManagementElement.parseCount(text) else { throw invalid(attribute, text) }
        return count
    }

    /// A count attribute that must be present.
    func requiredCount(_ attribute: String) throws(StreamManagementParseError) -> StanzaCount {
        guard let count = try count(attribute) else {
            throw .missingAttribute(element: localName, attribute: attribute)
        }
        return count
    }

    /// An optional boolean attribute; absent means `false`.
    func boolean(_ attribute: String) throws(StreamManagementParseError) -> Bool {
        switch element[attribute: attribute] {
        case nil, "false", "0": return false
        case "true", "1": return true
        case let text?: throw invalid(attribute, text)
        }
    }

    /// An optional positive decimal attribute.
    func positive(_ attribute: String, zeroMeansAbsent: Bool = false) throws(StreamManagementParseError) -> UInt32? {
        guard let text = element[attribute: attribute] else { return nil }
        if zeroMeansAbsent, !text.isEmpty, text.utf8.allSatisfy({ $0 == UInt8(ascii: "0") }) { return nil }
        guard let value = StreamManagementElement.parsePositive(text) else { throw invalid(attribute, text) }
        return value
    }

    /// The `previd` attribute, present and not empty.
    func previousID() throws(StreamManagementParseError) -> String {
        guard let id = element[attribute: "previd"] else {
            throw .missingAttribute(element: localName, attribute: "previd")
        }
        guard !id.isEmpty else { throw invalid("previd", id) }
        return id
    }
}
