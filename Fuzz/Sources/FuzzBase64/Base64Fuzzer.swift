// Fuzz target `base64`: the strict SASL base64 decoder (RFC 4648 §4).
//
// Input: the text to decode (bytes decoded as UTF-8 with replacement), and
// the same bytes as data to encode.
//
// Checks: no crash or leak; whatever decodes is canonical, so
// encode(decode(x)) == x; encode always decodes back to the same bytes; the
// SASL payload form treats "" and "=" as empty and is otherwise the same.
import FuzzSupport
@testable import XMPP

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBase64(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = fuzzBytes(data, size)
    let text = String(decoding: bytes, as: UTF8.self)

    if let decoded = SASLBase64.decode(text) {
        fuzzCheck(SASLBase64.encode(decoded) == text, "\(text.debugDescription) decodes but is not canonical")
        fuzzCheck(decoded.count == text.utf8.count / 4 * 3 - text.utf8.suffix(2).filter { $0 == UInt8(ascii: "=") }.count,
                  "\(text.debugDescription) decoded to \(decoded.count) bytes")
    }
    let payload = SASLBase64.decodePayload(text)
    if text == "=" {
        fuzzCheck(payload == [], "\"=\" is not an empty payload")
    } else {
        fuzzCheck(payload == SASLBase64.decode(text), "the payload form differs for \(text.debugDescription)")
    }

    let encoded = SASLBase64.encode(bytes)
    fuzzCheck(encoded.utf8.count == (bytes.count + 2) / 3 * 4, "encoding of \(bytes.count) bytes is \(encoded.utf8.count) long")
    fuzzCheck(SASLBase64.decode(encoded) == bytes, "\(encoded) does not decode back")
    fuzzCheck(SASLBase64.decodePayload(SASLBase64.encodePayload(bytes)) == bytes, "payload round trip")
    return 0
}
