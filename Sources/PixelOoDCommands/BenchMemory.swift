import Foundation
import TensorCore

/// The process's peak resident memory.
enum PeakMemory {
    /// VmHWM from /proc/self/status, in MB (0 where unavailable).
    static var megabytes: Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kb / 1024
    }
}

/// What the storage cache did over part of a benchmark: how many large buffers it handed out
/// again, mapped afresh and resized from another size class (each fresh or grown page is a
/// fault, each resize an `mremap`).
struct CacheActivity {
    private let start = StorageCache.currentStatistics

    /// The line for the requests since this was made, `what` naming what ran.
    func line(over what: String) -> String {
        guard let start, let now = StorageCache.currentStatistics else { return "storage cache: none serves this task" }
        return String(format: "storage cache over %@: %d buffers reused, %d mapped and %d resized (%.0f MB of fresh pages); %.0f MB idle now",
                      what, now.reused - start.reused, now.allocated - start.allocated, now.resized - start.resized,
                      Double(now.mappedBytes - start.mappedBytes) / 1e6, Double(now.idleBytes) / 1e6)
    }
}
