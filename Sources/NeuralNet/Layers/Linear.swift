import TensorCore

/// Fully connected layer `y = x Wᵀ + b`, weight `[out, in]`; keys `weight`, `bias`.
///
/// PyTorch: `torch.nn.Linear` (same default initialisation).
public final class Linear: Module, UnaryLayer {
    /// `[out, in]`.
    public let weight: Parameter
    /// `[out]`, if any.
    public let bias: Parameter?

    /// Creates a linear layer with PyTorch's default initialisation.
    public init(inputFeatures: Int, outputFeatures: Int, bias: Bool = true, using rng: inout SeededGenerator) {
        weight = Parameter(Tensor.kaimingUniform([outputFeatures, inputFeatures], using: &rng))
        let bound = 1 / Float(inputFeatures).squareRoot()
        self.bias = bias ? Parameter(Tensor.uniform([outputFeatures], low: -bound, high: bound, using: &rng)) : nil
    }

    public override var parameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }
    public override var extraDescription: String {
        "in_features=\(weight.value.shape[1]), out_features=\(weight.value.shape[0]), bias=\(bias != nil)"
    }

    /// Shape: `[N, in]` → `[N, out]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let y = x.matmul(weight.value.transposed())
        return bias.map { y + $0.value } ?? y
    }
}
