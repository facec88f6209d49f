/// Per-position statistics of a softmax over one axis, computed in one fused kernel: what
/// the maximum-softmax, max-logit, entropy and energy scores need. Shapes: the input's with
/// the axis removed.
public struct SoftmaxStatistics: Sendable {
    /// `max_c l_c`.
    public let max: Tensor
    /// `log Σ_c exp(l_c)`.
    public let logSumExp: Tensor
    /// `−Σ_c p_c log p_c` of `p = softmax(l)`.
    public let entropy: Tensor

    /// `max_c softmax(l)_c = exp(max − logsumexp)`.
    public var maxProbability: Tensor { (max - logSumExp).exp() }
}

extension Tensor {
    /// The maximum, logsumexp and softmax entropy along `axis` in two reads of the tensor
    /// (instead of a softmax, a log-softmax and a logsumexp). For inference: the results
    /// carry no gradient (train with `logsumexp`, `logSoftmax`, … instead).
    public func softmaxStatistics(axis: Int) -> SoftmaxStatistics {
        let axis = Shape.axis(axis, rank: rank, op: "softmaxStatistics")
        require(shape[axis] > 0, "softmaxStatistics: empty axis \(axis) of \(shape)")
        require(!(requiresGrad && GradMode.isEnabled), "softmaxStatistics has no gradient: call it under GradMode.noGrad, "
                + "or train with logsumexp/logSoftmax")
        let (outer, size, inner) = Shape.around(shape, axis: axis)
        var reduced = shape
        reduced.remove(at: axis)
        let peak = TensorStorage(uninitializedCount: outer * inner)
        let lse = TensorStorage(uninitializedCount: outer * inner)
        let entropy = TensorStorage(uninitializedCount: outer * inner)
        SoftmaxStatisticsKernel.run(storage.pointer, outer: outer, size: size, inner: inner,
                                    max: peak.pointer, logSumExp: lse.pointer, entropy: entropy.pointer)
        return SoftmaxStatistics(max: Tensor(shape: reduced, storage: peak), logSumExp: Tensor(shape: reduced, storage: lse),
                                 entropy: Tensor(shape: reduced, storage: entropy))
    }
}
