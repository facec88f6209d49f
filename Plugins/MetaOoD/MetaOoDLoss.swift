import ModelZoo
import OoDKit
import SceneData
import TensorCore

/// `{type: meta_ood, lambda: 0.9, logits: auto}`.
public struct MetaOoDConfig: RecipeConfig {
    /// The outlier share of the soft targets (λ; 0.9 in Meta-OoD).
    public var lambda: Float
    /// Whose logits the loss reads.
    public var logits: LossLogits

    enum CodingKeys: String, CodingKey { case lambda, logits }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lambda = try c.value(.lambda, default: 0.9)
        logits = try c.value(.logits, default: .auto)
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
public struct MetaOoDLoss: LossTerm {
    /// λ.
    public let lambda: Float
    /// Whose logits the loss reads.
    public let logits: LossLogits

    public var name: String { "meta_ood" }

    /// Meta-OoD's λ = 0.9 unless given.
    public init(lambda: Float = 0.9, logits: LossLogits = .auto) { (self.lambda, self.logits) = (lambda, logits) }

    public func callAsFunction(_ batch: TrainingBatch, _ seg: SegmenterOutput, _ head: HeadOutput) throws -> Tensor {
        let input = try logits.select(seg, head, term: name)
        let classes = input.shape[1]
        let elements = Float(input.count)
        let targets = try ClassTargets.make(batch.labels, classes: classes, term: name)
        let inlier = input.crossEntropy(target: targets, ignoreIndex: Int(ClassTargets.ignore), reduction: .sum)
        let outliers = PixelMask.outliers(batch.labels)
        var total = inlier * ((1 - lambda) / elements)
        if outliers.count > 0 {
            let uniform = (-input.logSoftmax(axis: 1)).sum(axis: 1)
            total = total + (uniform * outliers.mask).sum() * (lambda / Float(classes) / elements)
        }
        return total
    }
}
