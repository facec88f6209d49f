import TensorCore

/// Runs `layers` in order, fusing what the model allows: a ``Conv2d`` followed by a batch norm,
/// a ``ReLU`` or ``ReLU6``, or both (only ``Identity`` layers, folded batch norms, between them)
/// runs through ``Conv2d/callAsFunction(_:then:adding:activation:)`` (one op when no gradient is
/// recorded; in training the batch norm and activation as one op), and with `residual` the last
/// ``Conv2d`` (only ``Identity`` layers after it) adds the residual in the same pass. A batch norm
/// not after a convolution and followed by a ``ReLU`` or ``ReLU6`` (pre-activation blocks:
/// WiderResNet, DenseNet) runs as one op too (``BatchNorm2d/callAsFunction(_:adding:activation:)``),
/// in training and evaluation. The values are those of the layers one by one, plus `residual`.
func runFusing(_ layers: [any UnaryLayer], _ x: Tensor, adding residual: Tensor? = nil) -> Tensor {
    var end = layers.count  // layers before `end` run in the loop; a convolution at `end` takes the residual
    if residual != nil {
        var last = layers.count - 1
        while last >= 0, layers[last] is Identity { last -= 1 }
        if last >= 0, layers[last] is Conv2d { end = last }
    }
    let loopEnd = end
    /// The first layer after `index` that is not an ``Identity`` (or the loop's end).
    func skippingIdentities(after index: Int) -> Int {
        var next = index + 1
        while next < loopEnd, layers[next] is Identity { next += 1 }
        return next
    }
    /// The fusable activation at `index`, if that is one inside the loop.
    func activation(at index: Int) -> ConvActivation? { index < loopEnd ? fusableActivation(layers[index]) : nil }
    var y = x, index = 0
    while index < end {
        if let conv = layers[index] as? Conv2d {
            var next = skippingIdentities(after: index)
            var norm: any UnaryLayer = Identity()
            if next < end, let batchNorm = layers[next] as? BatchNorm2d {
                norm = batchNorm
                next = skippingIdentities(after: next)
            }
            if let activation = activation(at: next) {
                y = conv(y, then: norm, activation: activation)
                index = next + 1
                continue
            }
            if !(norm is Identity) {
                y = conv(y, then: norm, activation: .none)
                index = next
                continue
            }
        }
        if let norm = layers[index] as? BatchNorm2d {
            let next = skippingIdentities(after: index)
            if let activation = activation(at: next) {
                y = norm(y, adding: nil, activation: activation)
                index = next + 1
                continue
            }
        }
        y = layers[index](y)
        index += 1
    }
    guard let residual else { return y }
    if end < layers.count, let conv = layers[end] as? Conv2d { return conv(y, adding: residual, activation: .none) }
    return y + residual
}

/// The activation a convolution's epilogue can apply in place of `layer`, if any.
private func fusableActivation(_ layer: any UnaryLayer) -> ConvActivation? {
    if layer is ReLU { return .relu }
    if layer is ReLU6 { return .relu6 }
    return nil
}
