import TensorCore

/// Layers applied in order under explicit names, PyTorch's `nn.Sequential(OrderedDict(...))`:
/// the state-dict keys are `<name>.weight` etc. (e.g. WiderResNet's `convs.conv1.weight`).
public final class NamedSequential: Module, UnaryLayer {
    /// The named layers, in order.
    public var layers: [(name: String, layer: any UnaryLayer)]

    /// Creates a container of named layers.
    public init(_ layers: [(String, any UnaryLayer)]) {
        self.layers = layers.map { (name: $0.0, layer: $0.1) }
    }

    public override var children: [(name: String, module: Module)] { layers.map { ($0.name, $0.layer) } }

    /// Shape: whatever the layers make of it (fused as ``Sequential``'s).
    public func callAsFunction(_ x: Tensor) -> Tensor { runFusing(layers.map(\.layer), x) }

    /// `self(x) + residual`, fused as ``Sequential/callAsFunction(_:adding:)``.
    public func callAsFunction(_ x: Tensor, adding residual: Tensor) -> Tensor {
        runFusing(layers.map(\.layer), x, adding: residual)
    }
}
