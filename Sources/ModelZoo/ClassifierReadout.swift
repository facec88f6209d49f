import TensorCore

/// The last layer of a segmenter's classifier: the 1x1 convolution that turns the feature
/// each pixel ends with into its class logits. Heads that re-classify modified decoder
/// features through the frozen classifier (RPL) can only move the logits as far as this
/// matrix lets them; `ClassifierMargin` in OoDKit measures how far.
public struct ClassifierReadout: Sendable {
    /// The state-dict key of the weight, under the segmenter (`final.6.weight`).
    public var key: String
    /// `[C, D]`: one row per class (PEBAL's abstention row left out).
    public var weight: Tensor
    /// The layer's bias, `[C]`, if it has one.
    public var bias: Tensor?
    /// Whether the layer's input comes out of a ReLU, so every feature it reads is ≥ 0.
    public var readsNonNegativeFeatures: Bool

    /// Describes a classifier's last layer; `weight` of shape `[C, D]` or `[C, D, 1, 1]`.
    public init(key: String, weight: Tensor, bias: Tensor? = nil, readsNonNegativeFeatures: Bool) {
        self.key = key
        self.weight = weight.reshaped([weight.shape[0], weight.count / max(1, weight.shape[0])])
        (self.bias, self.readsNonNegativeFeatures) = (bias, readsNonNegativeFeatures)
    }
}
