import Testing

@testable import XMPP

/// Inputs the `scram` libFuzzer target (`Fuzz/`, `Scripts/fuzz.sh`) found;
/// each is also a seed under `Tests/Fuzz/scram/`.
@Suite struct SCRAMFuzzRegressionTests {
    // `r=` with no nonce at all parsed as a server-first with an empty nonce
    // (RFC 5802: nonce = 1*printable). The client then refused it only
    // because it did not extend ours.
    @Test func emptyServerNonceIsMalformed() {
        let message = Array("r=,s=wCR2,i=4096".utf8)
        #expect(SCRAMMessages.parseServerFirst(message, iterationRange: 1...1_000_000) == .failure(.malformedChallenge("r")))
    }
}
