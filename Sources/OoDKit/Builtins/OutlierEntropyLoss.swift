import ModelZoo
import SceneData
import TensorCore

/// `{type: outlier_entropy, logits: auto}`.
public struct OutlierEntropyConfig: RecipeConfig {
    /// Whose logits the loss reads.
    public var logits: LossLogits

    enum CodingKeys: String, CodingKey { case logits }

    public init(from decoder: any Decoder) throws {
        logits = try decoder.container(keyedBy: CodingKeys.self).value(.logits, default: .auto)
    }
}

/// Entropy maximisation on the pasted outlier pixels (254), in Meta-OoD's form: the
/// cross-entropy to the uniform distribution, `mean_out (1/K) Σ_c −log softmax(l)_c`, which
/// is smallest (log K) where the prediction is uniform, i.e. where its entropy is largest.
/// 0 on a batch without outlier pixels. RPL's Table 4 ablation uses it in place of the
/// positive energy; Meta-OoD weights it λ = 0.9. Registered as `outlier_entropy`.
public struct OutlierEntropyLoss: LossTerm {
    /// Whose logits the loss reads.
    public let logits: LossLogits

    public var name: String { "outlier_entropy" }
    public var splitsOverShards: Bool { true }

    /// The loss on the given logits.
    public init(logits: LossLogits = .auto) { self.logits = logits }

    public func callAsFunction(_ batch: TrainingBatch, _ seg: SegmenterOutput, _ head: HeadOutput) throws -> Tensor {
        let input = try logits.select(seg, head, term: name)
        let outliers = PixelMask.outliers(batch)
        guard outliers.count > 0 else { return Tensor.zeros([]) }
        return outliers.mean(-input.logSoftmax(axis: 1).mean(axis: 1))
    }
}
