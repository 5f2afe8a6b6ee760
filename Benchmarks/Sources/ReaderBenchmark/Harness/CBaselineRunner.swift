import CExpatBaseline

/// Runs the C baseline from Swift, timed with the same clock and on the same
/// buffer as the Swift reader.
enum CBaselineRunner {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// One pass of raw Expat over `corpus`, with or without tree building.
    static func run(_ corpus: Corpus, chunkSize: Int, buildTree: Bool) throws(Failure) -> Pass {
        var result = cexpat_result()
        let mode = buildTree ? CEXPAT_MODE_TREE : CEXPAT_MODE_TOKENS_ONLY
        let start = ContinuousClock.now
        corpus.bytes.withUnsafeBufferPointer { buffer in
            cexpat_baseline_run(buffer.baseAddress, buffer.count, chunkSize, mode, &result)
        }
        let elapsed = seconds(since: start)
        guard result.ok == 1 else {
            let message = String(cString: cexpat_error_string(result.error_code))
            throw Failure(description: "Expat rejected corpus \(corpus.name): \(message) at \(result.error_line):\(result.error_column)")
        }
        return Pass(stanzas: result.stanzas, weight: result.weight, seconds: elapsed)
    }

    /// Whether Expat lets both sides turn reparse deferral off.
    static var reparseDeferralAvailable: Bool { cexpat_reparse_deferral_available() != 0 }

    /// Expat's version as the loaded library reports it.
    static var expatVersion: String { String(cString: cexpat_version_string()) }
}
