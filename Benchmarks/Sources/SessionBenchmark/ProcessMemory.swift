// The memory figures of the idle-sessions scenario: what the kernel says the
// process occupies (/proc/self/status) and what glibc's malloc holds, read
// the same way as on the C side (strophe_bench.c) so the two are comparable.
import CMemoryStats
import Foundation

#if canImport(Glibc)
import Glibc
#endif

struct MemorySample {
    /// Resident set size (VmRSS), KiB: every page the process has in RAM,
    /// shared libraries included.
    var rssKiB = 0
    /// The anonymous part of it (RssAnon), KiB: heap, stacks, mmapped
    /// buffers; libraries' code does not count here.
    var rssAnonKiB = 0
    /// The peak resident set size so far (VmHWM), KiB.
    var peakKiB = 0
    /// Threads of the process.
    var threads = 0
    /// Bytes handed out by malloc and not freed, all arenas (mallinfo2), KiB.
    var heapInUseKiB = 0
    /// Bytes malloc holds from the system (arenas + mmapped chunks), KiB.
    var heapHeldKiB = 0

    /// Reads the figures now.
    static func now() -> MemorySample {
        var sample = MemorySample()
        // Read with stdio: procfs files report size 0, which Foundation's
        // whole-file readers take at its word.
        if let file = fopen("/proc/self/status", "r") {
            defer { fclose(file) }
            var buffer = [CChar](repeating: 0, count: 512)
            while fgets(&buffer, Int32(buffer.count), file) != nil {
                // "Key:\t  123 kB": the key, then the first number.
                let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2 else { continue }
                let number = Int(parts[1].split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first ?? "") ?? 0
                switch parts[0] {
                case "VmRSS": sample.rssKiB = number
                case "RssAnon": sample.rssAnonKiB = number
                case "VmHWM": sample.peakKiB = number
                case "Threads": sample.threads = number
                default: break
                }
            }
        }
        let heap = cmemory_heap_stats_now()
        sample.heapInUseKiB = Int(heap.in_use / 1024)
        sample.heapHeldKiB = Int(heap.held / 1024)
        return sample
    }
}
