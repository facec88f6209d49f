import ModelZoo
import OoDKit
import SceneData
import TensorCore

/// A loss term on a whole batch against its shares on ranks of threads
/// (``LossTerm/splitsOverShards``): the shares' values must add up to the whole value and
/// their gradients, laid side by side, must be the whole gradients.
public struct LossShares {
    /// The term's value on the whole batch, and the sum of the ranks' shares.
    public let whole: Float, summed: Float
    /// The whole batch's gradients with respect to the segmenter logits and the head logits,
    /// and the ranks' gradients concatenated in rank order.
    public let wholeGradients: [Tensor], sharedGradients: [Tensor]

    /// Runs `term` on `batch` with `segmenterLogits` and `headLogits` (`[N, K, H, W]`), then on
    /// `ranks` equal shares of it, each rank with its images' rows of both as fresh leaves.
    /// - Throws: the term's errors; when `N` is not a multiple of `ranks`.
    public init(_ term: any LossTerm, batch: TrainingBatch, segmenterLogits: Tensor, headLogits: Tensor, ranks: Int) throws {
        let leaves = (segmenterLogits.detached().requiringGrad(), headLogits.detached().requiringGrad())
        let value = try term(batch, Self.segmenter(leaves.0), HeadOutput(logits: leaves.1))
        value.backward()
        whole = value.item
        wholeGradients = [leaves.0.grad ?? Tensor.zeros(leaves.0.shape), leaves.1.grad ?? Tensor.zeros(leaves.1.shape)]
        let (segmenter, head) = (segmenterLogits.detached(), headLogits.detached())
        let parts = try ThreadGroup.run(ranks: ranks) { group -> (Float, [Float], [Float]) in
            let share = try batch.shard(group.rank, of: group.size, ranks: group)
            let rows = share.shard?.images ?? 0..<0
            func own(_ t: Tensor) -> Tensor { t.slice(axis: 0, start: rows.lowerBound, end: rows.upperBound).copy().requiringGrad() }
            let mine = (own(segmenter), own(head))
            let part = try term(share, Self.segmenter(mine.0), HeadOutput(logits: mine.1))
            if part.requiresGrad { part.backward() }  // a share with none of the pixels the term reads is a constant 0
            return (part.item, mine.0.grad?.scalars ?? [Float](repeating: 0, count: mine.0.count),
                    mine.1.grad?.scalars ?? [Float](repeating: 0, count: mine.1.count))
        }
        summed = parts.map(\.0).reduce(0, +)
        sharedGradients = [Tensor(shape: segmenterLogits.shape, parts.flatMap(\.1)), Tensor(shape: headLogits.shape, parts.flatMap(\.2))]
    }

    /// A random batch of `images` images of `classes` classes at `height × width`, outlier
    /// pixels (254) in the last image only (so the first ranks hold none), some void
    /// (255), with segmenter and head logits.
    public static func randomInputs(seed: UInt64, images: Int = 4, classes: Int = 5, height: Int = 6, width: Int = 7)
        -> (batch: TrainingBatch, segmenterLogits: Tensor, headLogits: Tensor) {
        var rng = SeededGenerator(seed: seed)
        let plane = height * width
        let labels: [Int32] = (0..<(images * plane)).map { index in
            let draw = rng.nextUniform()
            if index / plane == images - 1 && draw < 0.3 { return 254 }
            return draw > 0.9 ? 255 : Int32(rng.int(0...(classes - 1)))
        }
        let pasted = (0..<images).map { labels[($0 * plane)..<(($0 + 1) * plane)].contains(254) }
        let count = images * classes * plane
        func logits() -> Tensor { Tensor(shape: [images, classes, height, width], (0..<count).map { _ in rng.nextUniform() * 6 - 3 }) }
        let batch = TrainingBatch(images: Tensor.zeros([images, 3, height, width]), labels: IndexTensor(shape: [images, height, width], labels),
                                  pasted: pasted, seed: seed)
        return (batch, logits(), logits())
    }

    private static func segmenter(_ logits: Tensor) -> SegmenterOutput {
        SegmenterOutput(logits: logits, decoderFeatures: Tensor.zeros([logits.shape[0], 1, 1, 1]), features: [:])
    }
}
