import ModelZoo
import OoDKit
import SceneData
import TensorCore

/// `{type: pebal.gambler, outlier_weight: 0.1, reward: {kernel: 7, sigma: 1}}`.
public struct GamblerConfig: RecipeConfig {
    /// The weight of the outlier-pixel part (PEBAL's `ood_reg`, 0.1).
    public var outlierWeight: Float
    /// The blur of the per-pixel reward `logsumexp²` (7x7, σ 1, as PEBAL).
    public var reward: GaussianSmoothing

    enum CodingKeys: String, CodingKey { case outlierWeight = "outlier_weight", reward }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        outlierWeight = try c.value(.outlierWeight, default: 0.1)
        reward = try c.value(.reward, default: GaussianSmoothing())
    }

    public func validate() throws {
        guard outlierWeight >= 0, outlierWeight.isFinite else {
            throw ConfigError(key: "outlier_weight", "must be a finite number at least 0, got \(outlierWeight)")
        }
        try reward.validate()
    }
}

/// PEBAL's abstention ("gambler") loss (Tian et al., ECCV 2022, the official `Gambler`):
/// with `p = softmax` over the K class logits and the abstention logit, and the reward
/// `a = blur(logsumexp_c(l_c)²)` per pixel (not detached),
/// - each group of images — those the loader pasted no outlier into, those it pasted one
///   into (``TrainingBatch/pasted``, the code's `is_ood`) — adds
///   `−mean_inlier log(p_y + p_abstain / a)` over its inlier pixels;
/// - the outlier pixels add `−w · mean_(pixel, class) log(max(p_c + p_abstain / a, 1e-7))`
///   (w = 0.1), pushing every class towards abstaining.
///
/// Needs a segmenter with an abstention output (`segmenter.abstention: true`). Registered as
/// `pebal.gambler`; PEBAL's total adds `0.1 ·` (`energy_hinge` + `pebal.regulariser`).
public struct GamblerLoss: LossTerm {
    /// The outlier part's weight.
    public let outlierWeight: Float
    /// The reward's blur.
    public let reward: GaussianSmoothing

    public var name: String { "pebal.gambler" }
    public var splitsOverShards: Bool { true }

    /// PEBAL's settings unless given.
    public init(outlierWeight: Float = 0.1, reward: GaussianSmoothing = GaussianSmoothing()) {
        (self.outlierWeight, self.reward) = (outlierWeight, reward)
    }

    public func callAsFunction(_ batch: TrainingBatch, _ seg: SegmenterOutput, _ head: HeadOutput) throws -> Tensor {
        guard let abstention = seg.abstentionLogits else {
            throw LossError(term: name, "needs a segmenter with an abstention output: set 'segmenter.abstention: true'")
        }
        let logits = seg.logits
        let (n, k, h, w) = (logits.shape[0], logits.shape[1], logits.shape[2], logits.shape[3])
        let parts = Tensor.concat([logits, abstention], axis: 1).softmax(axis: 1).split(sizes: [k, 1], axis: 1)
        let boost = parts[1] / reward(logits.logsumexp(axis: 1).pow(2)).reshaped([n, 1, h, w])
        let targets = try ClassTargets.make(batch.labels, classes: k, term: name)
        let gatherable = IndexTensor(shape: [n, 1, h, w], targets.values.map { $0 == ClassTargets.ignore ? 0 : $0 })
        let inlierLog = (parts[0].gather(axis: 1, index: gatherable) + boost).log().reshaped([n, h, w])

        let withOutliers = batch.pasted
        guard withOutliers.count == n else { throw LossError(term: name, "the batch flags \(withOutliers.count) images as pasted or not, it has \(n)") }
        var total = Tensor.zeros([])
        for group in [false, true] where withOutliers.contains(group) {
            total = total - PixelMask.inliers(batch, inImagesPasted: group).mean(inlierLog)
        }
        let outliers = PixelMask.outliers(batch)
        if outliers.count > 0 {
            let abstaining = (parts[0] + boost).clamp(min: 1e-7).log().sum(axis: 1)
            total = total - (abstaining * outliers.mask).sum() * (outlierWeight / Float(outliers.normalizer * k))
        }
        return total
    }
}
