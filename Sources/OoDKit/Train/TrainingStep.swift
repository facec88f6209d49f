import ModelZoo
import NeuralNet
import SceneData
import TensorCore

/// The forward and the loss of one training step, shared by the ``Trainer`` and by tests that
/// replay steps against PyTorch.
///
/// When a term reads the context images on the batch (``LossTerm/readsContext(_:)``), crops
/// and context images go through the segmenter and head as one batch of `2N` — as the
/// public RPL code runs CoroCL, so the head's batch norm sees both — and every term gets the
/// crops' half; context-reading terms get the other half too. Otherwise only the crops are
/// forwarded.
public struct TrainingStep {
    /// The segmenter (frozen unless `trainsSegmenter`).
    public let segmenter: any Segmenter
    /// The stage's head, if any.
    public let head: (any OoDHead)?
    /// The weighted terms.
    public let losses: [(term: any LossTerm, weight: Float)]
    /// Whether the segmenter's forward records gradients.
    public let trainsSegmenter: Bool
    /// Whether the total ties in every output of the forward with weight 0, so that backward
    /// visits every recorded op whatever the terms read: on the ranks of a data-parallel step,
    /// where synchronised batch norm meets the other ranks in its backward, a rank whose terms
    /// are all 0 on its share must still take part.
    public let reachesEveryOutput: Bool

    /// A step over these parts.
    public init(segmenter: any Segmenter, head: (any OoDHead)?, losses: [(term: any LossTerm, weight: Float)], trainsSegmenter: Bool,
                reachesEveryOutput: Bool = false) {
        (self.segmenter, self.head, self.losses, self.trainsSegmenter) = (segmenter, head, losses, trainsSegmenter)
        self.reachesEveryOutput = reachesEveryOutput
    }

    /// Whether `batch`'s context images are forwarded.
    public func forwardsContext(_ batch: TrainingBatch) -> Bool {
        batch.contextImages != nil && batch.contextLabels != nil && losses.contains { $0.term.readsContext(batch) }
    }

    /// The weighted total of the terms on `batch`, each term's unweighted value, in order
    /// (the caller checks them for NaN before `backward()`), and the head's output on the
    /// crops (for a ``StepUpdatingHead`` after the step).
    /// - Throws: ``LossError`` from a term, or when a term returns more than one value.
    public func loss(_ batch: TrainingBatch) throws -> (total: Tensor, terms: [(name: String, value: Float)], head: HeadOutput) {
        let n = batch.images.shape[0]
        var contextInput: (images: Tensor, labels: IndexTensor)?
        if forwardsContext(batch), let images = batch.contextImages, let labels = batch.contextLabels { contextInput = (images, labels) }
        let input = contextInput.map { Tensor.concat([batch.images, $0.images], axis: 0) } ?? batch.images
        var seg = trainsSegmenter ? segmenter(input) : GradMode.noGrad { segmenter(input) }
        var headOutput = head.map { $0(seg, segmenter: segmenter) } ?? HeadOutput()
        let anchor = reachesEveryOutput ? Self.zeroWeighted(seg, headOutput) : nil
        var context: ContextForward?
        if let labels = contextInput?.labels {
            context = ContextForward(labels: labels, segmenter: seg.batches(n..<(2 * n)), head: headOutput.batches(n..<(2 * n)))
            (seg, headOutput) = (seg.batches(0..<n), headOutput.batches(0..<n))
        }
        var total: Tensor?
        var values: [(name: String, value: Float)] = []
        for (term, weight) in losses {
            let value = try term(batch, seg, headOutput, context: context)
            guard value.count == 1 else { throw LossError(term: term.name, "returned a tensor of shape \(value.shape), not a scalar") }
            values.append((term.name, value.item))
            let weighted = weight == 1 ? value : value * weight
            total = total.map { $0 + weighted } ?? weighted
        }
        if let anchor { total = total.map { $0 + anchor } ?? anchor }
        return (total ?? Tensor.zeros([]), values, headOutput)
    }

    /// `0 · Σ` of every output that records gradients (nil when none does).
    private static func zeroWeighted(_ seg: SegmenterOutput, _ head: HeadOutput) -> Tensor? {
        let outputs = [seg.logits, seg.decoderFeatures] + seg.features.keys.sorted().compactMap { seg.features[$0] }
            + [seg.abstentionLogits, head.logits, head.embeddings].compactMap { $0 } + head.extra.keys.sorted().compactMap { head.extra[$0] }
        let recorded = outputs.filter(\.requiresGrad)
        guard !recorded.isEmpty else { return nil }
        return recorded.map { $0.sum() }.reduce(Tensor.zeros([])) { $0 + $1 } * 0
    }
}

extension SegmenterOutput {
    /// The images `range` of a batched forward.
    fileprivate func batches(_ range: Range<Int>) -> SegmenterOutput {
        SegmenterOutput(logits: logits.slice(axis: 0, start: range.lowerBound, end: range.upperBound),
                        decoderFeatures: decoderFeatures.slice(axis: 0, start: range.lowerBound, end: range.upperBound),
                        features: features.mapValues { $0.slice(axis: 0, start: range.lowerBound, end: range.upperBound) },
                        abstentionLogits: abstentionLogits?.slice(axis: 0, start: range.lowerBound, end: range.upperBound))
    }
}

extension HeadOutput {
    /// The images `range` of a batched head output.
    fileprivate func batches(_ range: Range<Int>) -> HeadOutput {
        func part(_ t: Tensor) -> Tensor { t.slice(axis: 0, start: range.lowerBound, end: range.upperBound) }
        return HeadOutput(logits: logits.map(part), embeddings: embeddings.map(part), extra: extra.mapValues(part))
    }
}
