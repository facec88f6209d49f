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

/// A module that can fold the convolution → batch-norm pairs among its *own* children.
/// ``Module/foldBatchNorms()`` calls it on every module of a tree.
public protocol BatchNormFoldable: Module {
    /// Folds this module's direct conv→BN pairs; returns how many.
    func foldOwnBatchNorms() -> Int
}

extension Module {
    /// Replaces every `Conv2d` immediately followed by a `BatchNorm2d` anywhere in the tree
    /// by the folded convolution (the batch norm becomes an ``Identity``), for frozen
    /// inference: one convolution instead of a convolution and a normalisation pass.
    /// Requires evaluation mode; the folded parameters are frozen and state-dict keys
    /// change (`N.bias` appears, the BN's keys disappear), so save checkpoints before folding.
    /// Pre-activation blocks (BN → ReLU → conv, as in WiderResNet and DenseNet) have nothing
    /// to fold. Returns the number of pairs folded.
    ///
    /// Only the foldable containers are held while folding, so each replaced convolution and
    /// batch norm is released as soon as it is replaced: the unfolded and folded weights are
    /// never all alive at once (peak memory one layer above the weights, not twice them).
    @discardableResult
    public func foldBatchNorms() -> Int {
        let containers = namedModules().compactMap { $0.module as? any BatchNormFoldable }
        return containers.reduce(0) { $0 + $1.foldOwnBatchNorms() }
    }
}

/// Folds `norm` into `conv` when it is a batch norm (not yet folded): `conv` becomes the
/// frozen folded convolution and `norm` an ``Identity``. Returns whether it folded.
/// For modules that keep a conv and its batch norm as separate properties.
public func foldBatchNorm(_ norm: inout any UnaryLayer, into conv: inout Conv2d) -> Bool {
    guard let bn = norm as? BatchNorm2d else { return false }
    require(!bn.isTraining, "BatchNorm folding needs the batch norm in eval mode (call eval() first)")
    conv = conv.folding(bn).freeze().eval()
    norm = Identity().eval()
    return true
}

/// Folds every (conv, bn) pair of adjacent layers, writing results back through `replace`.
func foldAdjacentPairs(_ layers: [any UnaryLayer], _ replace: (Int, any UnaryLayer) -> Void) -> Int {
    var folded = 0
    for index in layers.indices.dropLast() {
        guard var conv = layers[index] as? Conv2d else { continue }
        var norm = layers[index + 1]
        if foldBatchNorm(&norm, into: &conv) {
            replace(index, conv)
            replace(index + 1, norm)
            folded += 1
        }
    }
    return folded
}

extension Sequential: BatchNormFoldable {
    public func foldOwnBatchNorms() -> Int {
        foldAdjacentPairs(layers) { layers[$0] = $1 }
    }
}

extension NamedSequential: BatchNormFoldable {
    public func foldOwnBatchNorms() -> Int {
        foldAdjacentPairs(layers.map(\.layer)) { layers[$0].layer = $1 }
    }
}
