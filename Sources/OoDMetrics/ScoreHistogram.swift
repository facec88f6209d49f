import Foundation

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
/// and not by the number of pixels: feeding the same images again adds no key. With a
/// ``SpillPolicy``, runs past its budget are written to temporary files
/// (``ScoreSpillFile``) and merged back as a stream when the curves are read, with the same
/// result to the last bit.
///
/// Every distinct score is one threshold, so curves and areas computed from it equal
/// scikit-learn's (which also merges tied scores into one threshold).
struct ScoreHistogram {
    /// Files the fewest spilled runs are compacted into one past.
    static let maximumSpillFiles = 16

    /// Where runs past the memory budget go (nil: all in memory).
    let spill: SpillPolicy?
    private var stack: [ScoreRuns] = []
    private var spilled: [ScoreSpillFile] = []
    /// Anomaly pixels counted.
    private(set) var positives: UInt64 = 0
    /// Inlier pixels counted.
    private(set) var negatives: UInt64 = 0

    /// An empty histogram, spilling under `spill`.
    init(spill: SpillPolicy? = nil) { self.spill = spill }

    /// Bytes held in memory by the runs (spilled runs not counted).
    var memoryBytes: Int { stack.reduce(0) { $0 + $1.memoryBytes } }
    /// Temporary files holding spilled runs.
    var spillFiles: Int { spilled.count }

    /// Adds one image's runs.
    /// - Throws: ``MetricsError/spill(path:reason:)`` when spilling fails.
    mutating func add(_ runs: ScoreRuns) throws {
        positives += runs.positives
        negatives += runs.negatives
        try push(runs)
    }

    /// Adds every count of `other` (order-independent: counts add).
    /// - Throws: ``MetricsError/spill(path:reason:)`` when spilling fails.
    mutating func merge(_ other: ScoreHistogram) throws {
        positives += other.positives
        negatives += other.negatives
        for runs in other.stack { try push(runs) }
        spilled += other.spilled
        try compactSpills()
    }

    private mutating func push(_ runs: ScoreRuns) throws {
        stack.append(runs)
        while stack.count >= 2 && stack[stack.count - 2].count <= 2 * stack[stack.count - 1].count {
            let top = stack.removeLast()
            stack[stack.count - 1] = ScoreRuns.merged(stack[stack.count - 1], top)
        }
        if let spill, memoryBytes > spill.budgetBytes, let all = collapsed() {
            spilled.append(try ScoreSpillFile.writing(all, in: spill.directory))
            stack = []
            try compactSpills()
        }
    }

    private mutating func compactSpills() throws {
        guard spilled.count > Self.maximumSpillFiles else { return }
        let directory = spill?.directory ?? NSTemporaryDirectory()
        spilled = [try ScoreSpillFile.merging(spilled, in: directory)]
    }

    /// The in-memory runs merged into one list.
    private func collapsed() -> ScoreRuns? {
        guard var result = stack.last else { return nil }
        for runs in stack.dropLast().reversed() { result = ScoreRuns.merged(runs, result) }
        return result
    }

    /// Appends the pixel counts and every run (highest key first) to `message`.
    /// - Throws: ``MetricsError/spill(path:reason:)`` when a spilled file cannot be read.
    func write(to message: inout MessageWriter) throws {
        var runs = MessageWriter(), count: Int64 = 0
        try forEachDescending { key, inliers, anomalies in
            runs.write(key); runs.write(inliers); runs.write(anomalies)
            count += 1
        }
        message.write(positives)
        message.write(negatives)
        message.write(count)
        message.write(runs.bytes)
    }

    /// A histogram read back from what ``write(to:)`` wrote, spilling under `spill`.
    /// - Throws: ``MetricsError/malformedMessage(_:)``; spill errors.
    init(reading message: inout MessageReader, spill: SpillPolicy?) throws {
        self.init(spill: spill)
        let (positives, negatives) = (try message.read(UInt64.self), try message.read(UInt64.self))
        let count = try message.readCount(bytesEach: ScoreSpillFile.recordBytes)
        var runs = MessageReader(try message.readBytes())
        if count > 0 {
            let read = try ScoreRuns(descending: count, from: &runs)
            guard read.positives == positives, read.negatives == negatives, runs.isAtEnd else {
                throw MetricsError.malformedMessage("the runs do not add up to the pixel counts")
            }
            try add(read)
        } else if positives != 0 || negatives != 0 || !runs.isAtEnd {
            throw MetricsError.malformedMessage("pixel counts without runs")
        }
    }

    /// Calls `body(key, inliers, anomalies)` for every key with a pixel, highest score first.
    /// - Throws: ``MetricsError/spill(path:reason:)`` when a spilled file cannot be read.
    func forEachDescending(_ body: (UInt32, UInt64, UInt64) -> Void) throws {
        guard !spilled.isEmpty else { collapsed()?.forEachDescending(body); return }
        try DescendingRunMerge.forEach(files: spilled, memory: collapsed(), body)
    }
}

/// When a pooled evaluation writes its sorted score runs to disk: past `budgetBytes` of runs
/// in memory, into temporary files under `directory` (removed when the evaluation is gone).
/// Results are bitwise those of the in-memory path.
public struct SpillPolicy: Sendable, Equatable {
    /// Bytes of runs one evaluation keeps in memory before it spills.
    public var budgetBytes: Int
    /// Where the temporary files go.
    public var directory: String

    /// A policy spilling past `budgetBytes` into `directory` (default: the system's
    /// temporary folder).
    public init(budgetBytes: Int, directory: String = NSTemporaryDirectory()) {
        (self.budgetBytes, self.directory) = (budgetBytes, directory)
    }
}
