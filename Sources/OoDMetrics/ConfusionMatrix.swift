/// A confusion matrix over `classes` classes for semantic segmentation: rows are ground
/// truth, columns predictions; pixels labelled `ignoreLabel` are skipped.
///
/// PyTorch/mmseg: the `intersect_and_union` accumulation behind `mIoU`.
public struct ConfusionMatrix: Sendable, Equatable {
    /// Number of classes.
    public let classes: Int
    /// Label value that is not evaluated (255 in Cityscapes).
    public let ignoreLabel: Int
    /// `counts[truth * classes + predicted]`.
    public private(set) var counts: [UInt64]

    /// An empty matrix.
    public init(classes: Int, ignoreLabel: Int = 255) {
        precondition(classes > 0, "ConfusionMatrix: needs at least one class")
        (self.classes, self.ignoreLabel) = (classes, ignoreLabel)
        counts = [UInt64](repeating: 0, count: classes * classes)
    }

    /// A matrix with the given counts (`counts[truth * classes + predicted]`): one read back
    /// from another process.
    /// - Throws: ``MetricsError/malformedMessage(_:)`` unless there are `classes²` counts.
    public init(classes: Int, ignoreLabel: Int = 255, counts: [UInt64]) throws {
        guard classes > 0, counts.count == classes * classes else {
            throw MetricsError.malformedMessage("\(counts.count) confusion counts for \(classes) classes")
        }
        (self.classes, self.ignoreLabel, self.counts) = (classes, ignoreLabel, counts)
    }

    /// Adds one image's predicted classes against its labels.
    /// - Throws: ``MetricsError/classOutOfRange(value:classes:)`` for a label or prediction
    ///   outside `0..<classes` (other than the ignore label), ``MetricsError/sizeMismatch(image:scores:labels:)``.
    public mutating func add(predictions: [Int32], labels: [Int32]) throws {
        guard predictions.count == labels.count else {
            throw MetricsError.sizeMismatch(image: -1, scores: predictions.count, labels: labels.count)
        }
        for (p, t) in zip(predictions, labels) where Int(t) != ignoreLabel {
            guard t >= 0 && Int(t) < classes else { throw MetricsError.classOutOfRange(value: Int(t), classes: classes) }
            guard p >= 0 && Int(p) < classes else { throw MetricsError.classOutOfRange(value: Int(p), classes: classes) }
            counts[Int(t) * classes + Int(p)] += 1
        }
    }

    /// Adds another matrix of the same size.
    public mutating func merge(_ other: ConfusionMatrix) {
        precondition(other.classes == classes, "ConfusionMatrix.merge: \(other.classes) vs \(classes) classes")
        for i in counts.indices { counts[i] += other.counts[i] }
    }

    /// IoU of each class, `TP / (TP + FP + FN)`; NaN for a class that appears in neither
    /// labels nor predictions.
    public var perClassIoU: [Double] {
        let truth = labelledPixels
        return (0..<classes).map { c in
            let tp = counts[c * classes + c]
            let predicted = (0..<classes).reduce(UInt64(0)) { $0 + counts[$1 * classes + c] }
            let union = truth[c] + predicted - tp
            return union == 0 ? .nan : Double(tp) / Double(union)
        }
    }

    /// Evaluated pixels labelled with each class (the matrix's row sums).
    public var labelledPixels: [UInt64] {
        (0..<classes).map { c in counts[c * classes..<(c + 1) * classes].reduce(0, +) }
    }

    /// Mean IoU over the classes with a defined IoU (NumPy's `nanmean`, as mmseg).
    public var meanIoU: Double {
        let defined = perClassIoU.filter { !$0.isNaN }
        return defined.isEmpty ? .nan : defined.reduce(0, +) / Double(defined.count)
    }

    /// Fraction of evaluated pixels predicted correctly.
    public var pixelAccuracy: Double {
        let total = counts.reduce(0, +)
        return total == 0 ? .nan : Double((0..<classes).reduce(UInt64(0)) { $0 + counts[$1 * classes + $1] }) / Double(total)
    }
}

/// Open-set segmentation (StreetHazards style): pixels whose anomaly score reaches a
/// threshold are predicted as an extra "unknown" class `classes`, and ground-truth anomaly
/// pixels belong to it; the mIoU then runs over `classes + 1` classes.
public struct OpenSetConfusion: Sendable, Equatable {
    /// The `(classes + 1)`-class matrix; the last class is "unknown".
    public private(set) var matrix: ConfusionMatrix
    /// Scores ≥ this are predicted unknown.
    public let threshold: Float
    /// The label value marking anomalies in the ground truth.
    public let anomalyLabel: Int

    /// Creates an empty open-set evaluation over `classes` known classes.
    public init(classes: Int, threshold: Float, anomalyLabel: Int, ignoreLabel: Int = 255) {
        matrix = ConfusionMatrix(classes: classes + 1, ignoreLabel: ignoreLabel)
        (self.threshold, self.anomalyLabel) = (threshold, anomalyLabel)
    }

    /// Adds one image: closed-set predictions, anomaly scores and labels (anomalies marked
    /// `anomalyLabel`).
    public mutating func add(predictions: [Int32], anomalyScores: [Float], labels: [Int32]) throws {
        guard predictions.count == anomalyScores.count else {
            throw MetricsError.sizeMismatch(image: -1, scores: anomalyScores.count, labels: predictions.count)
        }
        let unknown = Int32(matrix.classes - 1)
        let open = zip(predictions, anomalyScores).map { $1 >= threshold ? unknown : $0 }
        try matrix.add(predictions: open, labels: labels.map { Int($0) == anomalyLabel ? unknown : $0 })
    }

    /// Open-set mIoU over the known classes and "unknown".
    public var meanIoU: Double { matrix.meanIoU }
}
