import ModelZoo
import OoDKit
import SceneData
import TensorCore

/// `{type: rpl.inlier, temperature: 1, dissimilarity: true}`.
public struct RPLInlierConfig: RecipeConfig {
    /// The entropies' temperature t.
    public var temperature: Float
    /// Add the entropy dissimilarity (DS in the Table 4 ablation); false leaves the
    /// pseudo-label cross-entropy alone.
    public var dissimilarity: Bool

    enum CodingKeys: String, CodingKey { case temperature, dissimilarity }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        temperature = try c.value(.temperature, default: 1)
        dissimilarity = try c.value(.dissimilarity, default: true)
    }

    public func validate() throws {
        guard temperature > 0, temperature.isFinite else { throw ConfigError(key: "temperature", "must be positive, got \(temperature)") }
    }
}

/// RPL's inlier loss on pixels that are neither void nor pasted outlier: cross-entropy of
/// the head's logits `ŷ` against the frozen prediction `argmax ỹ`, plus the entropy
/// dissimilarity `mean (H(ŷ)/t − H(ỹ)/t)²`, each probability clamped at 1e-7 before its
/// entropy (the public code's `energy_loss` entropy part plus `disimilarity_entropy`);
/// `dissimilarity: false` drops the second term (the Table 4 rows without DS).
/// Registered as `rpl.inlier`.
public struct RPLInlierLoss: LossTerm {
    /// The entropies' temperature t.
    public let temperature: Float
    /// Whether the entropy dissimilarity is added.
    public let dissimilarity: Bool

    public var name: String { "rpl.inlier" }
    public var splitsOverShards: Bool { true }

    /// The loss at temperature `t`, with the dissimilarity unless told otherwise.
    public init(temperature: Float = 1, dissimilarity: Bool = true) { (self.temperature, self.dissimilarity) = (temperature, dissimilarity) }

    /// `−Σ_c p_c log p_c / t` of `p = max(softmax(l), 1e-7)`, per pixel.
    func entropy(_ logits: Tensor) -> Tensor {
        let p = logits.softmax(axis: 1).clamp(min: 1e-7)
        return -(p * p.log()).sum(axis: 1) / temperature
    }

    public func callAsFunction(_ batch: TrainingBatch, _ seg: SegmenterOutput, _ head: HeadOutput) throws -> Tensor {
        guard let logits = head.logits else { throw LossError(term: name, "the head returns no logits") }
        let vanilla = seg.logits.detached()
        let inliers = PixelMask.inliers(batch)
        guard inliers.count > 0 else { return Tensor.zeros([]) }
        let ignore: Int32 = 255
        let predicted = vanilla.argmax(axis: 1).values
        let pseudo = zip(predicted, batch.labels.values).map { $1 == 254 || $1 == 255 ? ignore : $0 }
        let crossEntropy = logits.crossEntropy(target: IndexTensor(shape: batch.labels.shape, pseudo), ignoreIndex: Int(ignore))
        guard dissimilarity else { return inliers.share(ofMean: crossEntropy) }
        let gap = entropy(logits) - GradMode.noGrad { entropy(vanilla) }
        return inliers.share(ofMean: crossEntropy) + inliers.mean(gap * gap)
    }
}
