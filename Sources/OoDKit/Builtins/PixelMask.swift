import SceneData
import TensorCore

/// Which pixels of a batch's `[N, H, W]` labels a loss term reads, as a `{0, 1}` mask of the
/// same shape, its count, and the count of the same selection over the whole global batch
/// (``normalizer``), which ``mean(_:)`` divides by. Labels follow the training convention:
/// 254 pasted outlier, 255 void, anything else an inlier class.
///
/// In one process the normalizer is the count. In a data-parallel step (a batch with a
/// ``BatchShard``) each rank's mean is its share of the whole batch's mean, so the ranks'
/// values and gradients add up to what one process computes on the whole batch.
public struct PixelMask {
    /// 1 where selected.
    public let mask: Tensor
    /// Selected pixels of this batch.
    public let count: Int
    /// Selected pixels of the whole global batch (``count`` without a shard).
    public let normalizer: Int

    /// The batch's pixels that are neither void (255) nor pasted outlier (254); with
    /// `pasted`, only in the images whose pasted flag equals it.
    public static func inliers(_ batch: TrainingBatch, inImagesPasted pasted: Bool? = nil) -> PixelMask {
        PixelMask(batch, pasted: pasted) { $0 != 254 && $0 != 255 }
    }

    /// The batch's pasted outlier pixels (254).
    public static func outliers(_ batch: TrainingBatch) -> PixelMask { PixelMask(batch, pasted: nil) { $0 == 254 } }

    /// The pasted outlier pixels (254) of `labels` alone (labels that are not a training
    /// batch's: the context images of CoroCL and Meta-OoD); its normalizer is its count.
    public static func outliers(_ labels: IndexTensor) -> PixelMask {
        let values = selection(labels, pasted: nil, flags: [], { $0 == 254 })
        let count = values.reduce(0) { $0 + Int($1) }
        return PixelMask(mask: Tensor(shape: labels.shape, values), count: count, normalizer: count)
    }

    private init(mask: Tensor, count: Int, normalizer: Int) { (self.mask, self.count, self.normalizer) = (mask, count, normalizer) }

    private init(_ batch: TrainingBatch, pasted: Bool?, _ selected: (Int32) -> Bool) {
        let values = Self.selection(batch.labels, pasted: pasted, flags: batch.pasted, selected)
        mask = Tensor(shape: batch.labels.shape, values)
        count = values.reduce(0) { $0 + Int($1) }
        if let shard = batch.shard {
            normalizer = Self.selection(shard.wholeLabels, pasted: pasted, flags: shard.wholePasted, selected).reduce(0) { $0 + Int($1) }
        } else {
            normalizer = count
        }
    }

    /// 1 where `selected(label)` holds and, with `pasted`, the image's flag equals it.
    private static func selection(_ labels: IndexTensor, pasted: Bool?, flags: [Bool], _ selected: (Int32) -> Bool) -> [Float] {
        let plane = labels.shape.dropFirst().reduce(1, *)
        return labels.values.enumerated().map { index, label in
            if let pasted, plane > 0, flags.indices.contains(index / plane), flags[index / plane] != pasted { return 0 }
            return selected(label) ? 1 : 0
        }
    }

    /// The mean of `map` (`[N, H, W]`) over the selected pixels of the whole batch (this
    /// batch's share of it in a data-parallel step); 0 when this batch has none.
    public func mean(_ map: Tensor) -> Tensor { count == 0 ? Tensor.zeros([]) : (map * mask).sum() / Float(normalizer) }

    /// A mean over this batch's selected pixels (an op's own reduction, such as the
    /// cross-entropy's) as its share of the mean over the whole batch's: unchanged in one
    /// process, scaled by count / normalizer in a data-parallel step, 0 when this batch has
    /// none of the pixels the whole batch has.
    public func share(ofMean mean: Tensor) -> Tensor {
        if count == normalizer { return mean }
        return count == 0 ? Tensor.zeros([]) : mean * (Float(count) / Float(normalizer))
    }
}
