import ModelZoo
import OoDKit
import SceneData
import TensorCore

/// `{type: meta_ood, lambda: 0.9, logits: auto, outlier_images: false}`.
public struct MetaOoDConfig: RecipeConfig {
    /// The outlier share of the soft targets (λ; 0.9 in Meta-OoD).
    public var lambda: Float
    /// Whose logits the loss reads.
    public var logits: LossLogits
    /// Also train on whole outlier images, their background as road (the official code).
    public var outlierImages: Bool

    enum CodingKeys: String, CodingKey { case lambda, logits, outlierImages = "outlier_images" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lambda = try c.value(.lambda, default: 0.9)
        logits = try c.value(.logits, default: .auto)
        outlierImages = try c.value(.outlierImages, default: false)
    }

    public func validate() throws {
        guard lambda >= 0, lambda <= 1 else { throw ConfigError(key: "lambda", "must be in [0, 1], got \(lambda)") }
    }
}

/// Meta-OoD's training loss (Chan et al., ICCV 2021, the official code's soft-target
/// cross-entropy): targets `(1−λ)·onehot(y)` on inlier pixels, `λ/K` on every class of a
/// pasted outlier pixel (254), 0 on void (255); the loss is the mean over all pixel×class
/// elements of `target · (−log softmax)`, i.e.
/// `[(1−λ) Σ_in −log p_y + (λ/K) Σ_out Σ_c −log p_c] / (N·H·W·K)`. Entropy maximisation on
/// the outliers pulls their prediction towards uniform; the inlier part keeps the
/// segmentation. Registered as `meta_ood`.
///
/// With `outlier_images: true` the loader's whole outlier images (the context images, one per
/// crop: 254 on the object, 0 elsewhere) are forwarded with the crops and join the mean, so
/// their background trains as class 0 (road) — what the official code does with whole COCO
/// images mixed into the batches.
public struct MetaOoDLoss: LossTerm {
    /// λ.
    public let lambda: Float
    /// Whose logits the loss reads.
    public let logits: LossLogits
    /// Whether the whole outlier images train too.
    public let outlierImages: Bool

    public var name: String { "meta_ood" }
    public var splitsOverShards: Bool { true }

    /// Meta-OoD's λ = 0.9 on pasted objects unless given.
    public init(lambda: Float = 0.9, logits: LossLogits = .auto, outlierImages: Bool = false) {
        (self.lambda, self.logits, self.outlierImages) = (lambda, logits, outlierImages)
    }

    public func callAsFunction(_ batch: TrainingBatch, _ seg: SegmenterOutput, _ head: HeadOutput) throws -> Tensor {
        let input = try logits.select(seg, head, term: name)
        return batch.share(ofImageMean: try weightedSum(input, labels: batch.labels) / Float(input.count))
    }

    public func readsContext(_ batch: TrainingBatch) -> Bool { outlierImages && batch.contextImages != nil }

    public func callAsFunction(_ batch: TrainingBatch, _ seg: SegmenterOutput, _ head: HeadOutput, context: ContextForward?) throws -> Tensor {
        guard outlierImages, let context else { return try self(batch, seg, head) }
        let crops = try logits.select(seg, head, term: name), images = try logits.select(context.segmenter, context.head, term: name)
        let total = try weightedSum(crops, labels: batch.labels) + weightedSum(images, labels: context.labels)
        return batch.share(ofImageMean: total / Float(crops.count + images.count))
    }

    /// `Σ target · (−log softmax)` over every pixel × class element of `input`.
    private func weightedSum(_ input: Tensor, labels: IndexTensor) throws -> Tensor {
        let classes = input.shape[1]
        let targets = try ClassTargets.make(labels, classes: classes, term: name)
        var total = input.crossEntropy(target: targets, ignoreIndex: Int(ClassTargets.ignore), reduction: .sum) * (1 - lambda)
        let outliers = PixelMask.outliers(labels)
        if outliers.count > 0 {
            total = total + ((-input.logSoftmax(axis: 1)).sum(axis: 1) * outliers.mask).sum() * (lambda / Float(classes))
        }
        return total
    }
}
