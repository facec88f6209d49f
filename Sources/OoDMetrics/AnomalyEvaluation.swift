/// How pixel metrics are aggregated over a dataset. Every report names the one it used.
public enum Aggregation: String, Sendable, Codable, CaseIterable {
    /// All pixels of all images pooled into one set of curves (the papers' "statistic"
    /// manner, and the default).
    case pooled
    /// The mean of per-image results over images that contain both inlier and anomaly
    /// pixels (what some evaluation code prints, and why numbers from the official RPL
    /// code can differ from the paper's).
    case perImageMean = "per_image_mean"
}

/// Streaming pixel-level evaluation of anomaly scores: feed score and label maps image by
/// image, then read AUROC, AuPRC and FPR@TPR for either aggregation.
///
/// Labels: 1 = anomaly, 0 = inlier, anything else (255 void, 254, …) is ignored. Memory is
/// bounded by the distinct float32 scores, not by the pixel count (see `ScoreHistogram`),
/// and past a ``SpillPolicy``'s budget by the budget (sorted runs go to temporary files and
/// merge back when the curves are read, with the same numbers to the last bit); evaluations of disjoint image sets ``merge(_:)`` into the same result whatever the
/// order, so images can be scored on several threads or processes.
public struct AnomalyEvaluation {
    /// The TPR level of the FPR figures.
    public let recallLevel: Double
    /// Points kept per down-sampled curve.
    public let curvePoints: Int
    /// Every pooled pixel's (score, label) count (read by ``distribution(bins:)``).
    private(set) var pooled: ScoreHistogram
    var perImage: [PerImage] = []
    /// Images fed so far.
    public internal(set) var imageCount = 0
    /// Images skipped by the per-image mean for lacking inliers or anomalies.
    public var imagesWithoutBothClasses: Int { imageCount - perImage.count }

    /// The per-image figures the mean aggregation averages.
    struct PerImage: Sendable {
        var auroc, averagePrecision, fpr, fprStrict, fprInterpolated: Double
    }

    /// Creates an empty evaluation.
    /// - Parameters:
    ///   - recallLevel: the TPR of "FPR at TPR", in (0, 1]; 0.95 gives FPR95.
    ///   - curvePoints: how many points the down-sampled curves keep (about).
    ///   - spill: when the pooled runs go to disk (nil: never).
    public init(recallLevel: Double = 0.95, curvePoints: Int = 200, spill: SpillPolicy? = nil) throws {
        guard recallLevel > 0 && recallLevel <= 1 else {
            throw MetricsError.invalidArgument("recall level \(recallLevel) outside (0, 1]")
        }
        guard curvePoints > 0 else { throw MetricsError.invalidArgument("curve points must be positive, got \(curvePoints)") }
        if let spill, spill.budgetBytes < 0 { throw MetricsError.invalidArgument("a memory budget cannot be negative, got \(spill.budgetBytes)") }
        (self.recallLevel, self.curvePoints, pooled) = (recallLevel, curvePoints, ScoreHistogram(spill: spill))
    }

    /// Feeds one image: `scores[i]` is pixel i's anomaly score (higher = more anomalous),
    /// `labels[i]` its label.
    ///
    /// - Throws: ``MetricsError/sizeMismatch(image:scores:labels:)``, or
    ///   ``MetricsError/nanScore(image:pixel:)`` for a NaN at an evaluated pixel (±inf are
    ///   valid scores), and then nothing is added; ``MetricsError/spill(path:reason:)`` when
    ///   spilling fails, the image then counted in memory.
    public mutating func add(scores: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<UInt8>) throws {
        guard scores.count == labels.count else {
            throw MetricsError.sizeMismatch(image: imageCount, scores: scores.count, labels: labels.count)
        }
        let runs: ScoreRuns
        do {
            runs = try ScoreRuns(scores: scores, labels: labels)
        } catch MetricsError.nanScore(_, let pixel) {
            throw MetricsError.nanScore(image: imageCount, pixel: pixel)
        }
        var image = ScoreHistogram()
        try image.add(runs)
        if let metrics = try? CurveStatistics.compute(image, recallLevel: recallLevel, curvePoints: 1) {
            perImage.append(PerImage(auroc: metrics.auroc, averagePrecision: metrics.averagePrecision,
                                     fpr: metrics.fpr, fprStrict: metrics.fprStrict, fprInterpolated: metrics.fprInterpolated))
        }
        imageCount += 1
        try pooled.add(runs)
    }

    /// Feeds one image from arrays; see ``add(scores:labels:)-(UnsafeBufferPointer<Float>,_)``.
    public mutating func add(scores: [Float], labels: [UInt8]) throws {
        try scores.withUnsafeBufferPointer { s in try labels.withUnsafeBufferPointer { l in try add(scores: s, labels: l) } }
    }

    /// Adds the images of `other` (same recall level; its spilled files are shared, not
    /// copied); the result does not depend on order.
    /// - Throws: ``MetricsError/invalidArgument(_:)`` for another recall level;
    ///   ``MetricsError/spill(path:reason:)`` when spilling fails.
    public mutating func merge(_ other: AnomalyEvaluation) throws {
        guard other.recallLevel == recallLevel else {
            throw MetricsError.invalidArgument("cannot merge evaluations at recall levels \(recallLevel) and \(other.recallLevel)")
        }
        perImage += other.perImage
        imageCount += other.imageCount
        try pooled.merge(other.pooled)
    }

    /// The evaluation as bytes, for another process to merge (``init(serialized:spill:)``):
    /// what a rank of a sharded evaluation sends rank 0. Spilled runs are read into it.
    /// - Throws: ``MetricsError/spill(path:reason:)`` when a spilled file cannot be read.
    public func serialized() throws -> [UInt8] {
        var message = MessageWriter()
        message.write(Self.messageTag)
        message.write(recallLevel)
        message.write(Int64(curvePoints))
        message.write(Int64(imageCount))
        message.write(Int64(perImage.count))
        for image in perImage {
            for value in [image.auroc, image.averagePrecision, image.fpr, image.fprStrict, image.fprInterpolated] { message.write(value) }
        }
        try pooled.write(to: &message)
        return message.bytes
    }

    /// An evaluation read back from ``serialized()`` bytes, spilling under `spill`.
    /// - Throws: ``MetricsError/malformedMessage(_:)`` for bytes that are not one.
    public init(serialized bytes: [UInt8], spill: SpillPolicy? = nil) throws {
        var message = MessageReader(bytes)
        guard try message.read(UInt32.self) == Self.messageTag else { throw MetricsError.malformedMessage("not a serialized evaluation") }
        try self.init(recallLevel: try message.readDouble(), curvePoints: Int(try message.read(Int64.self)), spill: spill)
        imageCount = Int(try message.read(Int64.self))
        perImage = try (0..<message.readCount(bytesEach: 40)).map { _ in
            PerImage(auroc: try message.readDouble(), averagePrecision: try message.readDouble(), fpr: try message.readDouble(),
                     fprStrict: try message.readDouble(), fprInterpolated: try message.readDouble())
        }
        pooled = try ScoreHistogram(reading: &message, spill: spill)
        guard message.isAtEnd, perImage.count <= imageCount else { throw MetricsError.malformedMessage("trailing bytes after the evaluation") }
    }

    /// The first bytes of ``serialized()``: "PXAE".
    private static let messageTag: UInt32 = 0x4541_5850

    /// Bytes held in memory by the pooled runs (spilled runs not counted).
    public var memoryBytes: Int { pooled.memoryBytes }
    /// Temporary files holding spilled runs.
    public var spillFiles: Int { pooled.spillFiles }

    /// The results under `aggregation`.
    /// - Throws: ``MetricsError/noPositives`` / ``MetricsError/noNegatives`` when the pooled
    ///   pixels lack a class (or, per image, when no image has both).
    public func report(_ aggregation: Aggregation = .pooled) throws -> AnomalyReport {
        let metrics = try CurveStatistics.compute(pooled, recallLevel: recallLevel, curvePoints: curvePoints)
        switch aggregation {
        case .pooled:
            return AnomalyReport(aggregation: .pooled, images: imageCount, imagesUsed: imageCount, auroc: metrics.auroc,
                                 averagePrecision: metrics.averagePrecision, fpr: metrics.fpr,
                                 fprStrict: metrics.fprStrict, fprInterpolated: metrics.fprInterpolated, recallLevel: recallLevel,
                                 pooled: metrics)
        case .perImageMean:
            guard !perImage.isEmpty else { throw metrics.positives == 0 ? MetricsError.noPositives : MetricsError.noNegatives }
            func mean(_ value: (PerImage) -> Double) -> Double {
                var sum = KahanSum()
                for v in perImage.map(value).sorted() { sum.add(v) }  // sorted: independent of feeding order
                return sum.value / Double(perImage.count)
            }
            return AnomalyReport(aggregation: .perImageMean, images: imageCount, imagesUsed: perImage.count,
                                 auroc: mean(\.auroc), averagePrecision: mean(\.averagePrecision), fpr: mean(\.fpr),
                                 fprStrict: mean(\.fprStrict), fprInterpolated: mean(\.fprInterpolated), recallLevel: recallLevel,
                                 pooled: metrics)
        }
    }
}

/// The headline numbers under one aggregation, with the pooled details beside them.
public struct AnomalyReport: Sendable, Codable, Equatable {
    /// How the numbers were aggregated (always printed with them).
    public var aggregation: Aggregation
    /// Images fed.
    public var images: Int
    /// Images the numbers average over (per-image mean skips images lacking a class).
    public var imagesUsed: Int
    /// AUROC.
    public var auroc: Double
    /// AuPRC (average precision).
    public var averagePrecision: Double
    /// FPR at ``recallLevel``, nearest-recall rule (the tables' definition).
    public var fpr: Double
    /// FPR at the first threshold with TPR ≥ ``recallLevel``.
    public var fprStrict: Double
    /// FPR at ``recallLevel`` interpolated linearly along the ROC curve (SML's code).
    public var fprInterpolated: Double
    /// The TPR level.
    public var recallLevel: Double
    /// Pooled metrics: curves, thresholds, counts.
    public var pooled: PixelMetrics
}
