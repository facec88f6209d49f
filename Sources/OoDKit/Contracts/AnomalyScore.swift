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
