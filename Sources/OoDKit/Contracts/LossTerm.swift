import ModelZoo
import SceneData
import TensorCore

/// One named term of a training loss. The trainer sums the terms of a stage (each with its
/// recipe weight), logs each under its name, and names the term when one is NaN or infinite.
public protocol LossTerm: Sendable {
    /// The name used in logs and NaN reports, e.g. `"rpl.energy"`.
    var name: String { get }
    /// The term's value on one batch, a scalar tensor.
    /// - Throws: when the batch lacks what the term needs (no outlier pixels where they are
    ///   required, no head output), with a message naming the term.
    func callAsFunction(_ batch: TrainingBatch, _ seg: SegmenterOutput, _ head: HeadOutput) throws -> Tensor
}
