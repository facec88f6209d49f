/// SegmentMeIfYouCan's component-level metrics, accumulated image by image.
///
/// Definitions (the benchmark's, Chan et al. 2021, as its public evaluation code computes them):
/// 1. Predicted anomaly mask = `score > threshold` (strictly greater) outside void pixels
///    (label 255). Ground-truth mask = label 1. Both are split into 8-connected components.
/// 2. Predicted components smaller than `minimumPredictedSize` pixels are dropped (500 on
///    the Anomaly track, 50 on the Obstacle track); ground-truth components smaller than
///    `minimumInstanceSize` (100 / 10) become void.
/// 3. Only pixels outside void count from here on (the region of interest).
/// 4. For a ground-truth component k, with 𝒫(k) the predicted components that touch it:
///    `sIoU(k) = |k ∩ 𝒫(k)| / (|k| + |𝒫(k)| − |k ∩ 𝒫(k)| − |𝒫(k) ∩ other gt components|)`,
///    the IoU adjusted so that predicted pixels lying on *other* gt components do not count
///    against k.
/// 5. For a predicted component p: `PPV(p) = |p ∩ gt anomalies| / |p|`.
/// 6. For each τ in 0.25, 0.30, …, 0.75 over the whole dataset: TP = gt components with
///    sIoU ≥ τ, FN = those below, FP = predicted components with PPV < τ;
///    `F1(τ) = 2TP / (2TP + FN + FP)`; the reported F1 is the mean over the 11 values.
/// 7. Mean sIoU and mean PPV average over all components of the dataset.
/// The benchmark takes `threshold` as the pixel-level best-F1 threshold
/// (``PixelMetrics/bestF1Threshold``).
public struct ComponentEvaluation: Sendable {
    /// The anomaly-score threshold of the predicted mask (`score > threshold`).
    public let threshold: Float
    /// Predicted components below this size are dropped.
    public let minimumPredictedSize: Int
    /// Ground-truth components below this size become void.
    public let minimumInstanceSize: Int
    /// The τ values of the F1 average.
    public static let f1Thresholds: [Double] = (0...10).map { 0.25 + 0.05 * Double($0) }

    private var sIoUs: [Double] = []
    private var precisions: [Double] = []
    private var counts = [(tp: Int, fn: Int, fp: Int)](repeating: (0, 0, 0), count: f1Thresholds.count)

    /// Creates an evaluation. SMIYC's settings: Anomaly track `(500, 100)`, Obstacle track `(50, 10)`.
    public init(threshold: Float, minimumPredictedSize: Int, minimumInstanceSize: Int) {
        (self.threshold, self.minimumPredictedSize, self.minimumInstanceSize) = (threshold, minimumPredictedSize, minimumInstanceSize)
    }

    /// Feeds one `height`×`width` image (row-major score and label maps; labels 0/1/255).
    public mutating func add(scores: [Float], labels: [UInt8], height: Int, width: Int) throws {
        guard scores.count == height * width, labels.count == height * width else {
            throw MetricsError.sizeMismatch(image: -1, scores: scores.count, labels: labels.count)
        }
        let gt = ConnectedComponents.label(labels.map { $0 == 1 }, height: height, width: width)
        var predicted = ConnectedComponents.label(zip(scores, labels).map { $0 > threshold && $1 != 255 },
                                                  height: height, width: width)
        var predictedSize = [Int](repeating: 0, count: predicted.count + 1)
        for l in predicted.labels { predictedSize[Int(l)] += 1 }
        var gtSize = [Int](repeating: 0, count: gt.count + 1)
        for l in gt.labels { gtSize[Int(l)] += 1 }
        for i in predicted.labels.indices where predicted.labels[i] > 0 && predictedSize[Int(predicted.labels[i])] < minimumPredictedSize {
            predicted.labels[i] = 0
        }
        // Joint pixel counts (gt component, predicted component) over the region of interest.
        var joint: [Int: Int] = [:]
        for i in labels.indices where labels[i] != 255 {
            let g = Int(gt.labels[i])
            if g > 0 && gtSize[g] < minimumInstanceSize { continue }  // small gt component: void
            joint[g * (predicted.count + 1) + Int(predicted.labels[i]), default: 0] += 1
        }
        let stride = predicted.count + 1
        var gtArea = [Int](repeating: 0, count: gt.count + 1), predArea = [Int](repeating: 0, count: stride)
        var onBackground = [Int](repeating: 0, count: stride)
        for (cell, n) in joint {
            gtArea[cell / stride] += n
            predArea[cell % stride] += n
            if cell / stride == 0 { onBackground[cell % stride] += n }
        }
        var touching = [[Int]](repeating: [], count: gt.count + 1)
        for cell in joint.keys.sorted() where cell / stride > 0 && cell % stride > 0 { touching[cell / stride].append(cell % stride) }
        for k in gtArea.indices where k > 0 && gtArea[k] > 0 {
            let hits = touching[k]
            let intersection = hits.reduce(0) { $0 + joint[k * stride + $1]! }
            let unionOfHits = hits.reduce(0) { $0 + predArea[$1] }
            let onOthers = hits.reduce(0) { $0 + predArea[$1] - onBackground[$1] - joint[k * stride + $1]! }
            let sIoU = Double(intersection) / Double(unionOfHits + gtArea[k] - intersection - onOthers)
            sIoUs.append(sIoU)
            for (t, tau) in Self.f1Thresholds.enumerated() {
                if sIoU >= tau { counts[t].tp += 1 } else { counts[t].fn += 1 }
            }
        }
        for p in predArea.indices where p > 0 && predArea[p] > 0 {
            let precision = Double(predArea[p] - onBackground[p]) / Double(predArea[p])
            precisions.append(precision)
            for (t, tau) in Self.f1Thresholds.enumerated() where precision < tau { counts[t].fp += 1 }
        }
    }

    /// Adds the images of `other` (same settings).
    public mutating func merge(_ other: ComponentEvaluation) {
        sIoUs += other.sIoUs
        precisions += other.precisions
        for t in counts.indices {
            counts[t].tp += other.counts[t].tp; counts[t].fn += other.counts[t].fn; counts[t].fp += other.counts[t].fp
        }
    }

    /// The evaluation as bytes, for another process to merge (``init(serialized:)``): what
    /// a rank of a sharded evaluation sends rank 0.
    public func serialized() -> [UInt8] {
        var message = MessageWriter()
        message.write(Self.messageTag)
        message.write(threshold)
        message.write(Int64(minimumPredictedSize))
        message.write(Int64(minimumInstanceSize))
        for values in [sIoUs, precisions] {
            message.write(Int64(values.count))
            for value in values { message.write(value) }
        }
        for count in counts { for value in [count.tp, count.fn, count.fp] { message.write(Int64(value)) } }
        return message.bytes
    }

    /// An evaluation read back from ``serialized()``.
    /// - Throws: ``MetricsError/malformedMessage(_:)`` for bytes that are not one.
    public init(serialized bytes: [UInt8]) throws {
        var message = MessageReader(bytes)
        guard try message.read(UInt32.self) == Self.messageTag else { throw MetricsError.malformedMessage("not a serialized component evaluation") }
        self.init(threshold: try message.readFloat(), minimumPredictedSize: Int(try message.read(Int64.self)),
                  minimumInstanceSize: Int(try message.read(Int64.self)))
        sIoUs = try (0..<message.readCount(bytesEach: 8)).map { _ in try message.readDouble() }
        precisions = try (0..<message.readCount(bytesEach: 8)).map { _ in try message.readDouble() }
        counts = try counts.map { _ in (Int(try message.read(Int64.self)), Int(try message.read(Int64.self)), Int(try message.read(Int64.self))) }
        guard message.isAtEnd else { throw MetricsError.malformedMessage("trailing bytes after the component evaluation") }
    }

    /// Marks a serialized component evaluation.
    static let messageTag: UInt32 = 0x434F_4D50  // "COMP"

    /// The dataset's component-level results.
    public var report: ComponentReport {
        func mean(_ values: [Double]) -> Double {
            var sum = KahanSum()
            for v in values.sorted() { sum.add(v) }
            return values.isEmpty ? .nan : sum.value / Double(values.count)
        }
        let f1 = counts.map { c in Double(2 * c.tp) / Double(max(1, 2 * c.tp + c.fn + c.fp)) }
        return ComponentReport(meanSIoU: mean(sIoUs), meanPPV: mean(precisions), meanF1: f1.reduce(0, +) / Double(f1.count),
                               f1: f1, groundTruthComponents: sIoUs.count, predictedComponents: precisions.count)
    }
}

/// SMIYC component-level results.
public struct ComponentReport: Sendable, Codable, Equatable {
    /// Mean sIoU over ground-truth components.
    public var meanSIoU: Double
    /// Mean PPV (component precision) over predicted components.
    public var meanPPV: Double
    /// Mean of F1 over τ = 0.25…0.75.
    public var meanF1: Double
    /// F1 at each τ of ``ComponentEvaluation/f1Thresholds``.
    public var f1: [Double]
    /// Ground-truth components evaluated.
    public var groundTruthComponents: Int
    /// Predicted components evaluated.
    public var predictedComponents: Int
}
