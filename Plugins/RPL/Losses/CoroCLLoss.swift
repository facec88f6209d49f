import ModelZoo
import OoDKit
import SceneData
import TensorCore

/// `{type: corocl, temperature: 0.1, max_views: 512, anchors: crop, contrast: all}`.
public struct CoroCLConfig: RecipeConfig {
    /// The InfoNCE temperature τ.
    public var temperature: Float
    /// The most pixels of each kind sampled per step.
    public var maxViews: Int
    /// Which drawn pixels are anchors (RPL: the crop's).
    public var anchors: CoroCLLoss.PixelSet
    /// Which drawn pixels anchors are contrasted with (RPL: all four kinds).
    public var contrast: CoroCLLoss.PixelSet

    enum CodingKeys: String, CodingKey { case temperature, maxViews = "max_views", anchors, contrast }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        temperature = try c.value(.temperature, default: 0.1)
        maxViews = try c.value(.maxViews, default: 512)
        anchors = try c.value(.anchors, default: .crop)
        contrast = try c.value(.contrast, default: .all)
    }

    public func validate() throws {
        guard temperature > 0, temperature.isFinite else { throw ConfigError(key: "temperature", "must be positive, got \(temperature)") }
        guard maxViews >= 1 else { throw ConfigError(key: "max_views", "must be at least 1, got \(maxViews)") }
        guard !(anchors == .all && contrast == .crop) else {
            throw ConfigError(key: "contrast", "'crop' cannot hold 'all' anchors (the context pixels would contrast with nothing); use contrast: all")
        }
    }
}

/// Context-robust Contrastive Learning (RPL's CoroCL): a supervised InfoNCE over the head's
/// projector embeddings of the crops and the outlier-context images, pulling outlier pixels
/// of both contexts together and away from inlier pixels.
///
/// Only the crops that received a pasted outlier, and their paired context images, take
/// part; with fewer than 2 such crops the step skips the term (0, and the trainer forwards
/// no context images). Labels are resized (nearest) to the embeddings' size; embeddings are
/// L2-normalised per pixel. `n = min(max_views, #crop outliers, #crop inliers, #context
/// outliers, #context inliers)` pixels of each kind are drawn without replacement; anchors
/// are the n crop outliers and n crop inliers, the contrast set those anchors followed by n
/// context outliers and n context inliers (RPL's; ``anchors`` and ``contrast`` change the
/// two sets for ablations). Registered as `corocl`.
///
/// On a data-parallel rank (a batch with a ``BatchShard``) the participants, the pixel pools
/// and the draws are those of the whole global batch; each rank contributes the drawn rows of
/// its own images, the ranks sum them into the drawn matrix one process draws, and every rank
/// computes the whole loss on it, reporting 1/N of its value and taking its gradient through
/// its own rows only: summed over the ranks, the value and the gradient one process computes.
public struct CoroCLLoss: LossTerm {
    /// The four kinds of pixels sampled, in the order they are drawn.
    public enum Kind: Int, Sendable, CaseIterable {
        case cropOutlier, cropInlier, contextOutlier, contextInlier
    }

    /// The drawn pixels of the crops alone (`crop`: n outliers, n inliers) or of the crops
    /// and the context images (`all`: then n context outliers, n context inliers).
    public enum PixelSet: String, Sendable, Decodable, CaseIterable, RecipeChoice {
        case crop, all
    }

    /// How the pixels of each kind are chosen.
    public enum Sampling: Sendable {
        /// Uniformly without replacement, from a generator seeded by ``TrainingBatch/seed``.
        case seeded
        /// These positions into each kind's pixels (in batch, row, column order) — for
        /// replaying a reference implementation's draws. Each list needs at least `n` entries.
        case fixed([Kind: [Int]])
    }

    /// The InfoNCE temperature τ.
    public let temperature: Float
    /// The most pixels of each kind per step.
    public let maxViews: Int
    /// The anchors and the contrast set (RPL: crop anchors against all pixels).
    public let anchors: PixelSet, contrast: PixelSet
    /// How pixels are chosen.
    public let sampling: Sampling

    public var name: String { "corocl" }
    public var splitsOverShards: Bool { true }

    /// The loss with RPL's settings unless given (`anchors: .all` needs `contrast: .all`).
    public init(temperature: Float = 0.1, maxViews: Int = 512, anchors: PixelSet = .crop, contrast: PixelSet = .all,
                sampling: Sampling = .seeded) {
        (self.temperature, self.maxViews, self.anchors, self.contrast, self.sampling) = (temperature, maxViews, anchors, contrast, sampling)
    }

    /// The crops that received a pasted outlier (of the whole global batch on a rank).
    func participants(_ batch: TrainingBatch) -> [Int] {
        let pasted = batch.shard?.wholePasted ?? batch.pasted
        return pasted.indices.filter { pasted[$0] }
    }

    public func readsContext(_ batch: TrainingBatch) -> Bool { participants(batch).count >= 2 }

    public func callAsFunction(_ batch: TrainingBatch, _ seg: SegmenterOutput, _ head: HeadOutput) throws -> Tensor {
        try self(batch, seg, head, context: nil)
    }

    public func callAsFunction(_ batch: TrainingBatch, _ seg: SegmenterOutput, _ head: HeadOutput, context: ContextForward?) throws -> Tensor {
        let images = participants(batch)
        guard images.count >= 2, let context else { return Tensor.zeros([]) }
        guard let cropEmbeddings = head.embeddings, let contextEmbeddings = context.head.embeddings else {
            throw LossError(term: name, "the head returns no embeddings (CoroCL needs a head with a projector, such as rpl)")
        }
        if let shard = batch.shard {
            return batch.share(ofValueOnEveryRank: try sharded(shard, images: images, crop: cropEmbeddings, context: contextEmbeddings,
                                                               seed: batch.seed))
        }
        let size = (cropEmbeddings.shape[2], cropEmbeddings.shape[3])
        let crop = (embeddings: Self.normalizedRows(cropEmbeddings, images: images), pools: Self.pools(batch.labels, images: images, size: size))
        let ctx = (embeddings: Self.normalizedRows(contextEmbeddings, images: images), pools: Self.pools(context.labels, images: images, size: size))
        var rng = SeededGenerator(seed: batch.seed)
        let pools: [(Kind, Tensor, [Int])] = [(.cropOutlier, crop.embeddings, crop.pools.outliers), (.cropInlier, crop.embeddings, crop.pools.inliers),
                                             (.contextOutlier, ctx.embeddings, ctx.pools.outliers), (.contextInlier, ctx.embeddings, ctx.pools.inliers)]
        let n = min(maxViews, pools.map(\.2.count).min() ?? 0)
        guard n > 0 else { return Tensor.zeros([]) }
        var drawn: [Tensor] = []
        for (kind, embeddings, rows) in pools {
            let chosen = try choose(kind, n, from: rows.count, using: &rng)
            drawn.append(embeddings.indexSelect(axis: 0, indices: chosen.map { rows[$0] }))
        }
        // With crop contrast an anchor has n - 1 positives: none when n is 1.
        if contrast == .crop && n < 2 { return Tensor.zeros([]) }
        func rows(_ set: PixelSet) -> Tensor { Tensor.concat(set == .crop ? Array(drawn[0..<2]) : drawn, axis: 0) }
        return infoNCE(anchors: rows(anchors), contrast: rows(contrast), n: n)
    }

    /// The whole loss on a data-parallel rank: the whole batch's pools and draws, this rank's
    /// rows of the drawn matrix differentiable and the other ranks' summed in as constants.
    private func sharded(_ shard: BatchShard, images: [Int], crop: Tensor, context: Tensor, seed: UInt64) throws -> Tensor {
        guard let contextLabels = shard.wholeContextLabels else {
            throw LossError(term: name, "a split batch carries no context labels of the whole batch")
        }
        let (channels, size) = (crop.shape[1], (crop.shape[2], crop.shape[3]))
        let plane = size.0 * size.1
        let cropPools = Self.pools(shard.wholeLabels, images: images, size: size), contextPools = Self.pools(contextLabels, images: images, size: size)
        let pools: [(Kind, Bool, [Int])] = [(.cropOutlier, true, cropPools.outliers), (.cropInlier, true, cropPools.inliers),
                                           (.contextOutlier, false, contextPools.outliers), (.contextInlier, false, contextPools.inliers)]
        let n = min(maxViews, pools.map(\.2.count).min() ?? 0)
        guard n > 0 else { return Tensor.zeros([]) }
        var rng = SeededGenerator(seed: seed)
        var chosen: [(crop: Bool, row: Int)] = []
        for (kind, isCrop, rows) in pools { chosen += try choose(kind, n, from: rows.count, using: &rng).map { (isCrop, rows[$0]) } }
        if contrast == .crop && n < 2 { return Tensor.zeros([]) }

        // This rank's participants, and the drawn rows that are theirs (by position in `chosen`).
        let mine = images.filter { shard.images.contains($0) }
        let slot = Dictionary(uniqueKeysWithValues: mine.enumerated().map { ($1, $0) })
        var own: [(position: Int, crop: Bool, row: Int)] = []
        for (position, pick) in chosen.enumerated() {
            guard let k = slot[images[pick.row / plane]] else { continue }
            own.append((position, pick.crop, k * plane + pick.row % plane))
        }
        var parts: [Tensor] = [], order: [Int] = []
        let local = mine.map { $0 - shard.images.lowerBound }
        for (isCrop, embeddings) in [(true, crop), (false, context)] {
            let picks = own.filter { $0.crop == isCrop }
            guard !picks.isEmpty else { continue }
            parts.append(Self.normalizedRows(embeddings, images: local).indexSelect(axis: 0, indices: picks.map(\.row)))
            order += picks.map(\.position)
        }
        let ownRows = parts.isEmpty ? nil : Tensor.concat(parts, axis: 0)
        var filled = [Double](repeating: 0, count: chosen.count * channels)
        if let ownRows {
            let values = ownRows.scalars
            for (i, position) in order.enumerated() {
                for c in 0..<channels { filled[position * channels + c] = Double(values[i * channels + c]) }
            }
        }
        let summed = Tensor(shape: [chosen.count, channels], shard.ranks.sum(filled).map(Float.init))
        var drawn = summed
        if let ownRows {
            var source = (0..<chosen.count).map { order.count + $0 }
            for (i, position) in order.enumerated() { source[position] = i }
            drawn = Tensor.concat([ownRows, summed], axis: 0).indexSelect(axis: 0, indices: source)
        }
        func rows(_ set: PixelSet) -> Tensor { set == .crop ? drawn.slice(axis: 0, start: 0, end: 2 * n) : drawn }
        return infoNCE(anchors: rows(anchors), contrast: rows(contrast), n: n)
    }

    /// `n` positions among `count` pixels of `kind`.
    func choose(_ kind: Kind, _ n: Int, from count: Int, using rng: inout SeededGenerator) throws -> [Int] {
        switch sampling {
        case .seeded:
            // A partial Fisher-Yates shuffle: the first n of a uniform random permutation.
            var order = Array(0..<count)
            for i in 0..<n { order.swapAt(i, rng.int(i...(count - 1))) }
            return Array(order[0..<n])
        case .fixed(let positions):
            let given = positions[kind] ?? []
            guard given.count >= n, given.allSatisfy({ (0..<count).contains($0) }) else {
                throw LossError(term: name, "fixed sampling for \(kind) needs \(n) positions below \(count), got \(given.count)")
            }
            return Array(given[0..<n])
        }
    }

    /// The L2-normalised embeddings of `images` as rows `[pixels, C]` (batch, row, column order).
    static func normalizedRows(_ embeddings: Tensor, images: [Int]) -> Tensor {
        let (channels, h, w) = (embeddings.shape[1], embeddings.shape[2], embeddings.shape[3])
        let selected = embeddings.indexSelect(axis: 0, indices: images)
        let norm = (selected * selected).sum(axis: 1, keepDims: true).sqrt().clamp(min: 1e-12)
        return (selected / norm).permuted([0, 2, 3, 1]).reshaped([images.count * h * w, channels])
    }

    /// The rows (in ``normalizedRows(_:images:)``'s order) of outlier (254) and inlier
    /// (neither 254 nor 255) pixels of `images`, the labels resized to the embeddings' `size`
    /// by nearest neighbour.
    static func pools(_ labels: IndexTensor, images: [Int], size: (Int, Int)) -> (outliers: [Int], inliers: [Int]) {
        let (h, w) = size
        let (height, width) = (labels.shape[1], labels.shape[2])
        var outliers: [Int] = [], inliers: [Int] = []
        for (k, image) in images.enumerated() {
            for y in 0..<h {
                let sy = min(height - 1, y * height / h)
                for x in 0..<w {
                    let label = labels.values[(image * height + sy) * width + min(width - 1, x * width / w)]
                    let row = (k * h + y) * w + x
                    if label == 254 { outliers.append(row) } else if label != 255 { inliers.append(row) }
                }
            }
        }
        return (outliers, inliers)
    }

    /// The supervised InfoNCE of the anchors against the contrast rows, both blocks of n
    /// rows in the order crop outliers, crop inliers[, context outliers, context inliers]
    /// (RPL: 2n crop anchors against all 4n rows); the anchors are the contrast's first rows.
    /// Logits `a·c/τ` minus the row max; positives share the label, each anchor's own copy
    /// excluded; `log p = l − log(exp(l) + Σ_neg exp(l_neg))`, averaged over positives, then
    /// anchors, negated.
    func infoNCE(anchors: Tensor, contrast: Tensor, n: Int) -> Tensor {
        let (a, c) = (anchors.shape[0], contrast.shape[0])
        let label = { (row: Int) in row % (2 * n) < n }  // true: outlier
        var positive = [Float](repeating: 0, count: a * c), negative = positive
        for i in 0..<a {
            for j in 0..<c {
                if label(i) == label(j) { positive[i * c + j] = i == j ? 0 : 1 } else { negative[i * c + j] = 1 }
            }
        }
        let positives = Tensor(shape: [a, c], positive), negatives = Tensor(shape: [a, c], negative)
        let similarity = anchors.matmul(contrast.transposed()) / temperature
        let logits = similarity - similarity.max(axis: 1, keepDims: true).detached()
        let exponentials = logits.exp()
        let negativeSum = (exponentials * negatives).sum(axis: 1, keepDims: true)
        let logProbability = logits - (exponentials + negativeSum).log()
        let perAnchor = (positives * logProbability).sum(axis: 1) / Float(c / 2 - 1)
        return -perAnchor.mean()
    }
}
