import ModelZoo
import NeuralNet
import OoDKit
import SceneData
import TensorCore

/// Standardized Max Logits (Jung et al., ICCV 2021): the max logit `M` of each pixel
/// standardised by the mean and standard deviation of `M` over the training pixels
/// *predicted* as the same class (no ground truth), `SML = (M − μ_ĉ)/σ_ĉ`, then boundary
/// suppression and dilated smoothing (``SMLPostProcessing``); score `−SML`.
///
/// Fitted in one pass over `data.train` (`trains: fit`). Buffers (under `head.`):
/// `class_mean` and `class_var` (`[K]`, unbiased variance, as the official
/// `calculate_statistics.py`), and `class_fraction` (`[K]`, the share of fitted pixels
/// predicted as each class; a class with fewer than two pixels takes the pooled mean and
/// variance of all pixels, and shows 0 or a tiny share here).
public final class SMLHead: Module, FittedHead {
    /// The class count.
    public let classes: Int
    let postProcessing: SMLPostProcessing
    let classMean: Buffer, classVar: Buffer, classFraction: Buffer
    private var sums: [RunningMoments] = []

    public override var buffers: [(name: String, buffer: Buffer)] {
        [("class_mean", classMean), ("class_var", classVar), ("class_fraction", classFraction)]
    }
    public override var typeName: String { "SML" }
    public var requiredFeatures: [String] { [] }

    /// An unfitted head for `classes` classes (mean 0, variance 1: the plain max logit).
    public init(_ config: SMLConfig, classes: Int) {
        self.classes = classes
        postProcessing = config.postProcessing
        classMean = Buffer(Tensor.zeros([classes]))
        classVar = Buffer(Tensor.ones([classes]))
        classFraction = Buffer(Tensor.zeros([classes]))
        super.init()
    }

    public func callAsFunction(_ seg: SegmenterOutput, segmenter: any Segmenter) -> HeadOutput { HeadOutput(logits: seg.logits) }

    public func beginFitting() { sums = Array(repeating: RunningMoments(), count: classes) }

    public func accumulate(_ seg: SegmenterOutput, labels: LabelMap) throws {
        let (n, k) = (seg.logits.shape[0], seg.logits.shape[1])
        guard k == classes else { throw FittingError(head: "sml", "the segmenter has \(k) classes, the head \(classes)") }
        let plane = seg.logits.count / (n * k)
        let (maxima, prediction) = Self.maxLogits(seg.logits)
        for image in 0..<n {
            var perImage = Array(repeating: RunningMoments(), count: classes)
            for p in 0..<plane { perImage[Int(prediction[image * plane + p])].add(Double(maxima[image * plane + p])) }
            for c in 0..<classes { sums[c].merge(perImage[c]) }
        }
    }

    public func finishFitting() throws {
        var pooled = RunningMoments()
        for moments in sums { pooled.merge(moments) }
        guard pooled.count >= 2 else { throw FittingError(head: "sml", "fewer than two pixels seen") }
        let total = Double(pooled.count)
        let fallback = sums.map { $0.count < 2 }
        classMean.value = Tensor(shape: [classes], zip(sums, fallback).map { Float($1 ? pooled.mean : $0.mean) })
        classVar.value = Tensor(shape: [classes], zip(sums, fallback).map { Float($1 ? pooled.variance : $0.variance) })
        classFraction.value = Tensor(shape: [classes], sums.map { Float(Double($0.count) / total) })
        sums = []
    }

    /// `−postprocess((M − μ_ĉ)/σ_ĉ)`. Shape: `[N, H, W]`.
    public func anomalyScore(_ out: HeadOutput, _ seg: SegmenterOutput) throws -> Tensor {
        let logits = out.logits ?? seg.logits
        let (n, h, w) = (logits.shape[0], logits.shape[2], logits.shape[3])
        let (maxima, prediction) = Self.maxLogits(logits)
        let mean = classMean.value.scalars, std = classVar.value.scalars.map { $0.squareRoot() }
        var scores: [Float] = []
        scores.reserveCapacity(n * h * w)
        for image in 0..<n {
            let range = image * h * w..<(image + 1) * h * w
            let classesOfImage = Array(prediction[range])
            let standardized = zip(maxima[range], classesOfImage).map { ($0 - mean[Int($1)]) / std[Int($1)] }
            scores += postProcessing(standardized, prediction: classesOfImage, height: h, width: w).map { -$0 }
        }
        return Tensor(shape: [n, h, w], scores)
    }

    /// The max logit and its class per pixel of `[N, K, H, W]` logits (first class on ties).
    static func maxLogits(_ logits: Tensor) -> (maxima: [Float], classes: [Int32]) {
        let (n, k) = (logits.shape[0], logits.shape[1])
        let plane = logits.count / (n * k)
        var maxima = [Float](repeating: -.infinity, count: n * plane), classes = [Int32](repeating: 0, count: n * plane)
        logits.withUnsafeBufferPointer { v in
            for image in 0..<n {
                for c in 0..<k {
                    let base = (image * k + c) * plane
                    for p in 0..<plane where v[base + p] > maxima[image * plane + p] {
                        maxima[image * plane + p] = v[base + p]
                        classes[image * plane + p] = Int32(c)
                    }
                }
            }
        }
        return (maxima, classes)
    }
}

/// Count, mean and sum of squared deviations of a stream (Welford), mergeable (Chan et al.).
struct RunningMoments: Sendable {
    private(set) var count = 0
    private(set) var mean = 0.0
    private var m2 = 0.0

    mutating func add(_ value: Double) {
        count += 1
        let delta = value - mean
        mean += delta / Double(count)
        m2 += delta * (value - mean)
    }

    mutating func merge(_ other: RunningMoments) {
        guard other.count > 0 else { return }
        guard count > 0 else { self = other; return }
        let total = Double(count + other.count), delta = other.mean - mean
        mean += delta * Double(other.count) / total
        m2 += other.m2 + delta * delta * Double(count) * Double(other.count) / total
        count += other.count
    }

    /// Unbiased variance (n − 1).
    var variance: Double { count > 1 ? m2 / Double(count - 1) : 0 }
}
