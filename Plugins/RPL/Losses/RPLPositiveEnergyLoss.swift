import ModelZoo
import OoDKit
import SceneData
import TensorCore

/// RPL's outlier loss on the pasted outlier pixels (254): `mean relu(logsumexp_c ŷ_c)`, i.e.
/// `max(−E(ŷ), 0)`, pushing the head's energy up to at least 0 there; 0 on a batch without
/// outlier pixels. The paper weights it 0.05 (`weight: 0.05`). Registered as
/// `rpl.positive_energy`.
public struct RPLPositiveEnergyLoss: LossTerm {
    public var name: String { "rpl.positive_energy" }
    public var splitsOverShards: Bool { true }

    /// The loss.
    public init() {}

    public func callAsFunction(_ batch: TrainingBatch, _ seg: SegmenterOutput, _ head: HeadOutput) throws -> Tensor {
        guard let logits = head.logits else { throw LossError(term: name, "the head returns no logits") }
        let outliers = PixelMask.outliers(batch)
        guard outliers.count > 0 else { return Tensor.zeros([]) }
        return outliers.mean(logits.logsumexp(axis: 1).relu())
    }
}
