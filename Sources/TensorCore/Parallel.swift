import Dispatch
import Foundation

/// Workers `parallelFor` splits for, read once (`activeProcessorCount` reads cgroup files on
/// Linux on every call, far too slow for a hot path): `PIXELOOD_THREADS` when it is a positive
/// integer (`pixelood-mpi` sets it to the cores per rank), else the available cores.
@usableFromInline let parallelWorkers = ParallelWorkers.count(environment: ProcessInfo.processInfo.environment,
                                                              cores: ProcessInfo.processInfo.activeProcessorCount)
/// Whether `parallelWorkers` is below the machine's cores (a thread budget set from outside):
/// then `parallelFor` makes no more chunks than workers, so at most that many threads work.
@usableFromInline let parallelCapped = parallelWorkers < ProcessInfo.processInfo.activeProcessorCount

/// How many workers the kernels split for.
public enum ParallelWorkers {
    /// The environment variable that sets them.
    public static let variable = "PIXELOOD_THREADS"

    /// `environment[PIXELOOD_THREADS]` when it is a positive integer, else `cores` (at least 1).
    public static func count(environment: [String: String], cores: Int) -> Int {
        if let text = environment[variable], let threads = Int(text), threads > 0 { return threads }
        return max(1, cores)
    }
}

/// Splits `0..<count` into contiguous chunks and runs them on the available cores.
///
/// Work below `grain` elements runs inline on the calling thread. Chunks are contiguous
/// ranges so kernels keep sequential memory access; the split never changes results
/// because every chunk writes disjoint outputs.
@inlinable
public func parallelFor(_ count: Int, grain: Int = 32_768, _ body: (Range<Int>) -> Void) {
    guard count > 0 else { return }
    let chunks = min(parallelCapped ? parallelWorkers : parallelWorkers * 4, max(1, count / max(grain, 1)))
    if chunks <= 1 {
        body(0..<count)
        return
    }
    let size = (count + chunks - 1) / chunks
    withoutActuallyEscaping(body) { body in
        let task = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = chunk * size
            let end = min(count, start + size)
            if start < end { task.value(start..<end) }
        }
    }
}

/// Carries a value into `concurrentPerform`. Sound here because every chunk writes
/// disjoint memory and `parallelFor` returns only after all chunks finished.
@usableFromInline
struct UncheckedSendable<Value>: @unchecked Sendable {
    @usableFromInline let value: Value
    @usableFromInline init(_ value: Value) { self.value = value }
}
