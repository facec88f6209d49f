import TensorCore

/// 2-D convolution layer. Weight `[out, in/groups, kh, kw]`, optional bias `[out]`;
/// keys `weight`, `bias`. Default init is PyTorch's (Kaiming-uniform, a = √5; bias uniform
/// in ±1/√fan_in), drawn from the caller's generator.
///
/// PyTorch: `torch.nn.Conv2d`.
public final class Conv2d: Module, UnaryLayer {
    /// The filters.
    public let weight: Parameter
    /// The per-channel bias, if any.
    public let bias: Parameter?
    /// Stride (rows, columns).
    public let stride: (Int, Int)
    /// Zero padding (rows, columns).
    public let padding: (Int, Int)
    /// Dilation (rows, columns).
    public let dilation: (Int, Int)
    /// Channel groups (`in` for depthwise).
    public let groups: Int

    /// Creates a convolution with PyTorch's default initialisation.
    public init(inputChannels: Int, outputChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1, bias: Bool = true,
                using rng: inout SeededGenerator) {
        require(inputChannels % groups == 0 && outputChannels % groups == 0,
                "Conv2d: channels \(inputChannels)→\(outputChannels) not divisible by groups \(groups)")
        let shape = [outputChannels, inputChannels / groups, kernelSize.0, kernelSize.1]
        let w = Tensor.kaimingUniform(shape, using: &rng)
        let fanIn = Float(shape[1] * shape[2] * shape[3])
        let b = bias ? Tensor.uniform([outputChannels], low: -1 / fanIn.squareRoot(), high: 1 / fanIn.squareRoot(), using: &rng) : nil
        self.weight = Parameter(w)
        self.bias = b.map { Parameter($0) }
        (self.stride, self.padding, self.dilation, self.groups) = (stride, padding, dilation, groups)
    }

    /// Wraps given weights (e.g. a folded convolution).
    public init(weight: Tensor, bias: Tensor?, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                dilation: (Int, Int) = (1, 1), groups: Int = 1) {
        self.weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
        (self.stride, self.padding, self.dilation, self.groups) = (stride, padding, dilation, groups)
    }

    public override var parameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public override var extraDescription: String {
        let s = weight.value.shape
        return "\(s[1] * groups), \(s[0]), kernel_size=(\(s[2]), \(s[3])), stride=\(stride), padding=\(padding)"
            + (dilation == (1, 1) ? "" : ", dilation=\(dilation)") + (groups == 1 ? "" : ", groups=\(groups)")
            + (bias == nil ? ", bias=False" : "")
    }

    /// Shape: `[N, in, H, W]` → `[N, out, H', W']`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.conv2d(weight: weight.value, bias: bias?.value, stride: stride, padding: padding,
                 dilation: dilation, groups: groups)
    }

    /// `activation(self(x) + residual)` (each part optional) as one op: bias, residual and
    /// activation in one pass over the output when no gradient is recorded
    /// (``Tensor/conv2d(weight:bias:stride:padding:dilation:groups:normalizing:adding:activation:)``).
    public func callAsFunction(_ x: Tensor, adding residual: Tensor? = nil, activation: ConvActivation) -> Tensor {
        x.conv2d(weight: weight.value, bias: bias?.value, stride: stride, padding: padding,
                 dilation: dilation, groups: groups, adding: residual, activation: activation)
    }

    /// `activation(norm(self(x)) + residual)` (residual and activation optional): the fused op
    /// when `norm` was folded into this convolution (an ``Identity``) or is a batch norm in
    /// evaluation mode (applied in the convolution's epilogue); a batch norm in training takes
    /// the residual and activation into its own op; other layers run separately.
    public func callAsFunction(_ x: Tensor, then norm: any UnaryLayer, adding residual: Tensor? = nil,
                               activation: ConvActivation) -> Tensor {
        if norm is Identity { return self(x, adding: residual, activation: activation) }
        if let frozen = (norm as? BatchNorm2d)?.evaluationMap {
            return x.conv2d(weight: weight.value, bias: bias?.value, stride: stride, padding: padding, dilation: dilation,
                            groups: groups, normalizing: frozen, adding: residual, activation: activation)
        }
        if let batchNorm = norm as? BatchNorm2d { return batchNorm(self(x), adding: residual, activation: activation) }
        var y = norm(self(x))
        if let residual { y = y + residual }
        return activation.applied(to: y)
    }
}
