import ModelZoo
import SceneData
import TensorCore

/// One named term of a training loss. The trainer sums the terms of a stage (each with its
/// recipe weight), logs each under its name, and names the term when one is NaN or infinite.
///
/// Every term sees the forward of the batch's crops. A term that also needs the paired
/// outlier-context images (CoroCL) says so per batch with ``readsContext(_:)``; the trainer
/// then forwards crops and context images as one batch (so batch norm in train mode sees
/// both) and hands the context half to ``callAsFunction(_:_:_:context:)``.
public protocol LossTerm: Sendable {
    /// The name used in logs and NaN reports, e.g. `"rpl.energy"`.
    var name: String { get }
    /// The term's value on one batch, a scalar tensor.
    /// - Throws: when the batch lacks what the term needs (no outlier pixels where they are
    ///   required, no head output), with a message naming the term.
    func callAsFunction(_ batch: TrainingBatch, _ seg: SegmenterOutput, _ head: HeadOutput) throws -> Tensor
    /// Whether the term's value on a batch with a ``BatchShard`` is that shard's share of
    /// its value on the whole global batch, so that the ranks of a data-parallel step may sum
    /// values and gradients: means over pixels through ``PixelMask/mean(_:)`` or
    /// ``PixelMask/share(ofMean:)``, means over images through `batch.share(ofImageMean:)`, sums as
    /// they are. Default: false; the trainer refuses to train such a term on several ranks.
    var splitsOverShards: Bool { get }
    /// Whether the term reads the context images' forward on `batch`. Default: false.
    func readsContext(_ batch: TrainingBatch) -> Bool
    /// The term's value given also the context images' forward (nil when the trainer did
    /// not run one). Default: ``callAsFunction(_:_:_:)``.
    func callAsFunction(_ batch: TrainingBatch, _ seg: SegmenterOutput, _ head: HeadOutput, context: ContextForward?) throws -> Tensor
}

extension LossTerm {
    public var splitsOverShards: Bool { false }

    public func readsContext(_ batch: TrainingBatch) -> Bool { false }

    public func callAsFunction(_ batch: TrainingBatch, _ seg: SegmenterOutput, _ head: HeadOutput, context: ContextForward?) throws -> Tensor {
        try self(batch, seg, head)
    }
}

/// The outlier-context images' half of a step's forward: their labels (254 on the object,
/// 0 elsewhere), segmenter output and head output, paired image by image with the crops.
public struct ContextForward {
    /// `[N, H, W]` context labels.
    public var labels: IndexTensor
    /// The segmenter's output on the context images.
    public var segmenter: SegmenterOutput
    /// The head's output on the context images.
    public var head: HeadOutput

    /// Bundles the context half of a forward.
    public init(labels: IndexTensor, segmenter: SegmenterOutput, head: HeadOutput) {
        (self.labels, self.segmenter, self.head) = (labels, segmenter, head)
    }
}
