import TensorCore

/// `max(x, 0)`. PyTorch: `torch.nn.ReLU`.
public final class ReLU: Module, UnaryLayer {
    public override init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.relu() }
}

/// `min(max(x, 0), 6)`. PyTorch: `torch.nn.ReLU6`.
public final class ReLU6: Module, UnaryLayer {
    public override init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.relu6() }
}

/// `x` for x > 0, `slope·x` otherwise. PyTorch: `torch.nn.LeakyReLU`.
public final class LeakyReLU: Module, UnaryLayer {
    /// The negative slope.
    public let slope: Float
    /// Creates the activation. PyTorch's default slope is 0.01.
    public init(slope: Float = 0.01) { self.slope = slope }
    public override var extraDescription: String { "negative_slope=\(slope)" }
    public func callAsFunction(_ x: Tensor) -> Tensor { x.leakyRelu(slope: slope) }
}

/// Logistic sigmoid. PyTorch: `torch.nn.Sigmoid`.
public final class Sigmoid: Module, UnaryLayer {
    public override init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.sigmoid() }
}

/// Hyperbolic tangent. PyTorch: `torch.nn.Tanh`.
public final class Tanh: Module, UnaryLayer {
    public override init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.tanh() }
}

/// Returns its input (a placeholder where a layer was folded away). PyTorch: `torch.nn.Identity`.
public final class Identity: Module, UnaryLayer {
    public override init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x }
}
