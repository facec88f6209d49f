/// Exact per-score counts of inlier and anomaly pixels over many images.
///
/// Each image becomes a ``ScoreRuns`` (its labelled pixels' order-preserving float32 keys,
/// radix-sorted and run-length encoded); runs are kept in a stack of sorted lists whose
/// sizes at least halve from bottom to top, merging the top two whenever that breaks
/// (a log-structured merge), so every pixel is merged O(log images) times.
///
/// Memory: about 20 bytes per *distinct* float32 score in use, at most about twice that
/// while merging, plus one image's keys — bounded by the number of distinct scores, which
/// the float32 key space caps (scores of 24-bit resolution, say, never exceed 2²⁴ keys),
/// and not by the number of pixels: feeding the same images again adds no key.
///
/// Every distinct score is one threshold, so curves and areas computed from it equal
/// scikit-learn's (which also merges tied scores into one threshold).
struct ScoreHistogram {
    private var stack: [ScoreRuns] = []
    /// Anomaly pixels counted.
    private(set) var positives: UInt64 = 0
    /// Inlier pixels counted.
    private(set) var negatives: UInt64 = 0

    /// Bytes held by the runs.
    var memoryBytes: Int { stack.reduce(0) { $0 + $1.memoryBytes } }

    /// Adds one image's runs.
    mutating func add(_ runs: ScoreRuns) {
        positives += runs.positives
        negatives += runs.negatives
        stack.append(runs)
        while stack.count >= 2 && stack[stack.count - 2].count <= 2 * stack[stack.count - 1].count {
            let top = stack.removeLast()
            stack[stack.count - 1] = ScoreRuns.merged(stack[stack.count - 1], top)
        }
    }

    /// Adds every count of `other` (order-independent: counts add).
    mutating func merge(_ other: ScoreHistogram) {
        for runs in other.stack { add(runs) }
    }

    /// All runs merged into one list.
    func collapsed() -> ScoreRuns? {
        guard var result = stack.last else { return nil }
        for runs in stack.dropLast().reversed() { result = ScoreRuns.merged(runs, result) }
        return result
    }

    /// Calls `body(key, inliers, anomalies)` for every key with a pixel, highest score first.
    func forEachDescending(_ body: (UInt32, UInt64, UInt64) -> Void) {
        collapsed()?.forEachDescending(body)
    }
}
