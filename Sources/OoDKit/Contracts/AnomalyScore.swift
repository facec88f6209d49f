import TensorCore

/// A parameter-free per-pixel anomaly score computed from class logits (max softmax, max
/// logit, entropy, energy). Higher means more anomalous.
///
/// A recipe pairs a head with a score (`head: {type: rpl, score: {type: energy}}`); a score
/// alone on a segmenter is a post-hoc baseline.
public protocol AnomalyScore: Sendable {
    /// Scores every pixel. Shape: `[N, K, H, W]` → `[N, H, W]`.
    func score(logits: Tensor) -> Tensor
}

/// A logit score that can also be read off ``SoftmaxStatistics``, which one fused kernel
/// computes for every such score of an image at once (``LogitScoring``).
public protocol SoftmaxStatisticsScore: AnomalyScore {
    /// The score from the statistics of `[N, K, H, W]` logits over the class axis
    /// (`classes` = K), or nil when it needs more than they hold.
    func score(statistics: SoftmaxStatistics, classes: Int) -> Tensor?
}
