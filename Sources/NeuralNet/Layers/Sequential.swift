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

    /// Shape: whatever the layers make of it.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        layers.reduce(x) { $1($0) }
    }
}
