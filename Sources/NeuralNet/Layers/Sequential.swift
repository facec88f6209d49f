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

    /// Shape: whatever the layers make of it. A convolution followed by a batch norm in
    /// evaluation mode, a ReLU or ReLU6, or both (only folded batch norms between them) runs as
    /// one fused op.
    public func callAsFunction(_ x: Tensor) -> Tensor { runFusing(layers, x) }

    /// `self(x) + residual`, the residual added in the last convolution's pass when it ends the
    /// layers (folded batch norms after it).
    public func callAsFunction(_ x: Tensor, adding residual: Tensor) -> Tensor { runFusing(layers, x, adding: residual) }
}
