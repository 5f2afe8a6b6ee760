import Testing

@testable import XMPP
import XMPPTestSupport

@Suite struct SASLBase64Tests {
    /// RFC 4648 §10 test vectors.
    static let vectors: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ]

    @Test(arguments: vectors)
    func encodesAndDecodesRFC4648Vectors(plain: String, encoded: String) {
        #expect(SASLBase64.encode(Array(plain.utf8)) == encoded)
        #expect(SASLBase64.decode(encoded) == Array(plain.utf8))
    }

    @Test func decodesTheFullAlphabet() {
        let bytes: [UInt8] = [0xFB, 0xEF, 0xFF, 0x00, 0x10, 0x83]
        #expect(SASLBase64.encode(bytes) == "++//ABCD")
        #expect(SASLBase64.decode("++//ABCD") == bytes)
    }

    @Test(arguments: [
        "Zm9v YmFy",  // space
        "Zm9v\nYmFy",  // line break
        "Zm9vYmFy\r\n",
        " Zm9v",
        "Zm9v-_==",  // URL-safe alphabet
        "Zm9*",  // illegal character
        "Zm9vYg",  // missing padding
        "Zm9vY",  // bad length
        "Zg=a",  // data after padding
        "Zm=v",  // padding in the middle of a group
        "Zg==Zg==",  // padding before the end
        "=Zg=",
        "Z===",  // too much padding
        "====",
        "Zh==",  // non-zero bits under the padding (non-canonical "f")
        "Zm9=",  // non-canonical "fo"
        "Zm9vYmFy\u{00E9}",  // non-ASCII
    ])
    func rejectsNonCanonicalInput(_ text: String) {
        #expect(SASLBase64.decode(text) == nil)
    }

    @Test func payloadEqualsSignMeansEmpty() {
        #expect(SASLBase64.decodePayload("=") == [])
        #expect(SASLBase64.decodePayload("") == [])
        #expect(SASLBase64.decodePayload("==") == nil)
        #expect(SASLBase64.encodePayload([]) == "=")
        #expect(SASLBase64.encodePayload([0x66]) == "Zg==")
    }

    @Test func roundTripsPseudoRandomBytes() {
        var generator = SeededGenerator(seed: 0x5A5A_2024)
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = SASLBase64.encode(bytes)
            #expect(SASLBase64.decode(encoded) == bytes, "length \(length)")
        }
    }
}

