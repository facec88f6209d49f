import TensorCore

/// Where a batch stands in the global batch of a data-parallel step: the images it holds and
/// what loss terms need of the whole batch to weigh their share (the labels and pasted
/// flags of every image), so that the shares of all processes add up to the loss one
/// process computes on the whole batch.
public struct BatchShard: Sendable {
    /// The global batch's images this batch holds.
    public let images: Range<Int>
    /// `[B, H, W]` labels of the whole global batch.
    public let wholeLabels: IndexTensor
    /// Per image of the whole global batch, whether an outlier object was pasted into it.
    public let wholePasted: [Bool]
    /// `[B, H, W]` labels of the whole global batch's outlier-context images, if any.
    public let wholeContextLabels: IndexTensor?
    /// Sums values over the ranks (the same array on every rank), for a term that needs
    /// what other ranks computed on their shares (CoroCL's drawn embeddings).
    public let ranks: any StatisticsReducer

    /// Images in the whole global batch.
    public var wholeCount: Int { wholePasted.count }
}

/// A batch that cannot be split as asked.
public struct BatchShardError: Error, CustomStringConvertible {
    /// What is wrong.
    public let description: String
}

extension TrainingBatch {
    /// This batch's share of a loss that is a mean over the images of the whole global
    /// batch: local images / global images (1 without a shard).
    public var imageShare: Float { shard.map { Float(images.shape[0]) / Float($0.wholeCount) } ?? 1 }

    /// A value every rank computes whole (from what the ranks summed), with the gradient
    /// through this rank's own inputs: its share for the ranks to sum, 1/N of the value, the
    /// gradient kept whole (N ranks, equal shares). Unchanged without a shard.
    public func share(ofValueOnEveryRank value: Tensor) -> Tensor {
        guard let shard else { return value }
        let ranks = Float(shard.wholeCount) / Float(max(1, images.shape[0]))
        return value + value.detached() * (1 / ranks - 1)
    }

    /// A mean over every pixel of this batch's images as its share of the mean over the whole
    /// global batch's (all images are the same size): unchanged without a shard.
    public func share(ofImageMean mean: Tensor) -> Tensor { shard == nil ? mean : mean * imageShare }

    /// Part `part` of `parts` equal parts of this (global) batch: its images, labels, pasted
    /// flags, context images and indices, with the ``BatchShard`` that places it (`ranks`
    /// sums across the parts' processes); the seed is kept, so random choices of the loss
    /// terms can be made on the whole batch.
    /// - Throws: ``BatchShardError`` when the batch size is not a multiple of `parts`.
    public func shard(_ part: Int, of parts: Int, ranks: any StatisticsReducer) throws -> TrainingBatch {
        let count = images.shape[0]
        guard parts > 0, part >= 0, part < parts, count % parts == 0 else {
            throw BatchShardError(description: "a batch of \(count) images cannot be split into \(parts) equal parts (one per rank): "
                                  + "make data.batch_size a multiple of the number of ranks")
        }
        let size = count / parts, range = (part * size)..<((part + 1) * size)
        func sliced(_ t: Tensor) -> Tensor { t.slice(axis: 0, start: range.lowerBound, end: range.upperBound) }
        func sliced(_ t: IndexTensor) -> IndexTensor {
            let plane = t.shape.dropFirst().reduce(1, *)
            return IndexTensor(shape: [size] + Array(t.shape.dropFirst()),
                               Array(t.values[(range.lowerBound * plane)..<(range.upperBound * plane)]))
        }
        var share = TrainingBatch(images: sliced(images), labels: sliced(labels), pasted: Array(pasted[range]),
                                  contextImages: contextImages.map(sliced), contextLabels: contextLabels.map(sliced),
                                  indices: indices.count == count ? Array(indices[range]) : indices, seed: seed)
        share.shard = BatchShard(images: range, wholeLabels: labels, wholePasted: pasted, wholeContextLabels: contextLabels, ranks: ranks)
        return share
    }
}
