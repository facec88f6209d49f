/// A batch norm in evaluation mode (normalising with its running statistics) that a
/// convolution applies in its epilogue
/// (``Tensor/conv2d(weight:bias:stride:padding:dilation:groups:normalizing:adding:activation:)``):
/// the same per-channel map as ``Tensor/batchNorm(weight:bias:runningMean:runningVar:training:eps:reducer:)``
/// with `training: false`, so a frozen segmenter that still carries its batch norms (while a
/// head trains on it) finishes each convolution in one pass.
public struct FrozenBatchNorm {
    /// γ (nil: 1).
    public var weight: Tensor?
    /// β (nil: 0).
    public var bias: Tensor?
    /// The running mean it normalises with.
    public var runningMean: Tensor
    /// The running variance it normalises with.
    public var runningVar: Tensor
    /// Added to the variance.
    public var eps: Float

    /// The batch norm of these tensors.
    public init(weight: Tensor?, bias: Tensor?, runningMean: Tensor, runningVar: Tensor, eps: Float) {
        (self.weight, self.bias, self.runningMean, self.runningVar, self.eps) = (weight, bias, runningMean, runningVar, eps)
    }

    /// Its separate op on `x`.
    func applied(to x: Tensor) -> Tensor {
        x.batchNorm(weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar, training: false, eps: eps).output
    }

    /// Its per-channel map.
    var affine: BatchNormAffine {
        BatchNormAffine(gamma: weight?.scalars, beta: bias?.scalars, mean: runningMean.scalars, variance: runningVar.scalars, eps: eps)
    }
}

/// A batch norm's per-channel map `y = x · scale + shift` for a mean and variance:
/// `scale = γ / √(var + eps)`, `shift = β − mean · scale`.
struct BatchNormAffine {
    let invStd: [Float], scale: [Float], shift: [Float]

    /// The map of `γ` (nil: 1) and `β` (nil: 0) with `mean` and `variance`.
    init(gamma: [Float]?, beta: [Float]?, mean: [Float], variance: [Float], eps: Float) {
        let channels = mean.count
        let gamma = gamma ?? [Float](repeating: 1, count: channels), beta = beta ?? [Float](repeating: 0, count: channels)
        invStd = variance.map { 1 / ($0 + eps).squareRoot() }
        scale = (0..<channels).map { [invStd] in gamma[$0] * invStd[$0] }
        shift = (0..<channels).map { [scale] in beta[$0] - mean[$0] * scale[$0] }
    }
}
