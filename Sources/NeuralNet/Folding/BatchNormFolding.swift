import TensorCore

extension Conv2d {
    /// This convolution with an evaluation-mode batch norm that follows it folded in:
    /// `w' = w·γ/√(σ² + ε)` per output channel, `b' = (b − μ)·γ/√(σ² + ε) + β`.
    /// The result computes the same function as `bn(conv(x))` with the running statistics,
    /// in one convolution and no normalisation pass — for frozen inference only.
    public func folding(_ bn: BatchNorm2d) -> Conv2d {
        let out = weight.value.shape[0]
        require(bn.features == out, "BatchNorm folding: conv has \(out) output channels, batch norm \(bn.features)")
        let gamma = bn.weight.value.scalars, beta = bn.bias.value.scalars
        let mean = bn.runningMean.value.scalars, variance = bn.runningVar.value.scalars
        let scale = (0..<out).map { gamma[$0] / (variance[$0] + bn.eps).squareRoot() }
        let oldBias = bias?.value.scalars ?? [Float](repeating: 0, count: out)
        let newBias = (0..<out).map { (oldBias[$0] - mean[$0]) * scale[$0] + beta[$0] }
        let perFilter = weight.value.count / out
        var w = weight.value.scalars
        for o in 0..<out { for i in 0..<perFilter { w[o * perFilter + i] *= scale[o] } }
        return Conv2d(weight: Tensor(shape: weight.value.shape, w), bias: Tensor(shape: [out], newBias),
                      stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}

extension Sequential {
    /// Replaces every `Conv2d` directly followed by a `BatchNorm2d` with the folded
    /// convolution and an ``Identity``, recursing into nested `Sequential`s; returns how many
    /// were folded. Call on a frozen model in evaluation mode: the folded parameters are
    /// not trainable and the state-dict keys change (`N.bias` appears, `N+1.*` disappears).
    @discardableResult
    public func foldBatchNorms() -> Int {
        var folded = 0
        for index in layers.indices {
            if let nested = layers[index] as? Sequential { folded += nested.foldBatchNorms() }
            guard index + 1 < layers.count, let conv = layers[index] as? Conv2d,
                  let bn = layers[index + 1] as? BatchNorm2d else { continue }
            require(!bn.isTraining, "BatchNorm folding needs the batch norm in eval mode (call eval() first)")
            layers[index] = conv.folding(bn).freeze().eval()
            layers[index + 1] = Identity().eval()
            folded += 1
        }
        return folded
    }
}
