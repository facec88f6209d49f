import TensorCore

/// Layers applied in order; children are named `"0"`, `"1"`, … as in PyTorch (no extra
/// `layers.` key segment).
///
/// PyTorch: `torch.nn.Sequential`.
public final class Sequential: Module, UnaryLayer {
    /// The layers, in order. Replacing one (e.g. BN folding) updates the state dict keys.
    public var layers: [any UnaryLayer]

    /// Creates a container of `layers`.
    public init(_ layers: [any UnaryLayer]) { self.layers = layers }

    public override var children: [(name: String, module: Module)] {
        layers.enumerated().map { (String($0.offset), $0.element) }
    }

    /// Shape: whatever the layers make of it. A convolution followed by a ReLU (with only
    /// ``Identity`` layers, folded batch norms, between them) runs as one fused op.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var y = x, index = 0
        while index < layers.count {
            if let conv = layers[index] as? Conv2d {
                var next = index + 1
                while next < layers.count, layers[next] is Identity { next += 1 }
                if next < layers.count, layers[next] is ReLU {
                    y = conv(y, relu: true)
                    index = next + 1
                    continue
                }
            }
            y = layers[index](y)
            index += 1
        }
        return y
    }
}
