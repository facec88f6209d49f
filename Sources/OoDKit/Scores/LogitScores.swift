import Foundation
import TensorCore

/// `1 − max_c softmax(l)_c`. Hendrycks & Gimpel's maximum softmax probability (MSP),
/// turned so that higher is more anomalous. Registered as `max_softmax`.
public struct MaxSoftmaxScore: AnomalyScore {
    /// An optional blur of the score map.
    public var smoothing: GaussianSmoothing?
    /// Creates the score.
    public init(smoothing: GaussianSmoothing? = nil) { self.smoothing = smoothing }
    public func score(logits: Tensor) -> Tensor {
        smoothed(1 - logits.softmax(axis: 1).max(axis: 1), smoothing)
    }
}

/// `−max_c l_c`, Hendrycks et al.'s max logit. Registered as `max_logit`.
public struct MaxLogitScore: AnomalyScore {
    /// An optional blur of the score map.
    public var smoothing: GaussianSmoothing?
    /// Creates the score.
    public init(smoothing: GaussianSmoothing? = nil) { self.smoothing = smoothing }
    public func score(logits: Tensor) -> Tensor { smoothed(-logits.max(axis: 1), smoothing) }
}

/// The softmax entropy `−Σ_c p_c log p_c` (computed from log-softmax, so a zero
/// probability contributes 0, never NaN), optionally divided by `log K` (Meta-OoD's and
/// RPL's normalised entropy, in [0, 1]). Registered as `entropy`.
public struct EntropyScore: AnomalyScore {
    /// Whether to divide by `log K`.
    public var normalized: Bool
    /// An optional blur of the score map.
    public var smoothing: GaussianSmoothing?
    /// Creates the score.
    public init(normalized: Bool = false, smoothing: GaussianSmoothing? = nil) {
        (self.normalized, self.smoothing) = (normalized, smoothing)
    }
    public func score(logits: Tensor) -> Tensor {
        let logP = logits.logSoftmax(axis: 1)
        let entropy = -(logP.exp() * logP).sum(axis: 1)
        let classes = logits.shape[1]
        return smoothed(normalized && classes > 1 ? entropy / Float(Foundation.log(Double(classes))) : entropy, smoothing)
    }
}

/// The free energy `E = −T · logsumexp_c(l_c / T)` (Liu et al.), RPL's and PEBAL's score;
/// with RPL's blur it is `smoothing: {kernel: 7, sigma: 1}`. Registered as `energy`.
public struct EnergyScore: AnomalyScore {
    /// The temperature T.
    public var temperature: Float
    /// An optional blur of the score map.
    public var smoothing: GaussianSmoothing?
    /// Creates the score.
    public init(temperature: Float = 1, smoothing: GaussianSmoothing? = nil) {
        (self.temperature, self.smoothing) = (temperature, smoothing)
    }
    public func score(logits: Tensor) -> Tensor {
        let scaled = temperature == 1 ? logits : logits / temperature
        return smoothed(-temperature * scaled.logsumexp(axis: 1), smoothing)
    }
}

/// `map`, blurred when `smoothing` is set.
func smoothed(_ map: Tensor, _ smoothing: GaussianSmoothing?) -> Tensor { smoothing.map { $0(map) } ?? map }
