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

    /// Shape: whatever the layers make of it.
    public func callAsFunction(_ x: Tensor) -> Tensor { layers.reduce(x) { $1.layer($0) } }
}

/// Max pooling. PyTorch: `torch.nn.MaxPool2d(kernel, stride, padding)`.
public final class MaxPool2d: Module, UnaryLayer {
    /// Window, stride and padding (rows, columns).
    public let kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int)

    /// Creates the layer; the stride defaults to the window.
    public init(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) {
        (self.kernel, self.stride, self.padding) = (kernel, stride ?? kernel, padding)
    }

    public override var extraDescription: String { "kernel_size=\(kernel), stride=\(stride), padding=\(padding)" }

    /// Shape: `[N, C, H, W]` → `[N, C, H', W']`.
    public func callAsFunction(_ x: Tensor) -> Tensor { x.maxPool2d(kernel: kernel, stride: stride, padding: padding) }
}

/// Channel dropout: zeroes whole channels with probability `p` in training mode (rescaling
/// the rest), the identity in evaluation mode. PyTorch: `torch.nn.Dropout2d`.
public final class Dropout2d: Module, UnaryLayer {
    /// Drop probability per channel.
    public let p: Float
    private var generator: SeededGenerator

    /// Creates the layer with masks drawn from a generator seeded with `seed`.
    public init(p: Float = 0.5, seed: UInt64) {
        require(p >= 0 && p <= 1, "Dropout2d: probability \(p) outside [0, 1]")
        self.p = p
        generator = SeededGenerator(seed: seed)
    }

    public override var extraDescription: String { "p=\(p)" }

    /// Shape: `[N, C, H, W]` → same.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard isTraining, p > 0 else { return x }
        let mask = Tensor.ones([x.shape[0], x.shape[1], 1, 1]).dropout(p: p, training: true, using: &generator)
        return x * mask
    }
}

/// Average pooling. PyTorch: `torch.nn.AvgPool2d(kernel, stride, padding, count_include_pad=…)`.
public final class AvgPool2d: Module, UnaryLayer {
    /// Window, stride and padding (rows, columns).
    public let kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int)
    /// Whether zero padding counts in the divisor.
    public let countIncludePad: Bool

    /// Creates the layer; the stride defaults to the window.
    public init(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0), countIncludePad: Bool = true) {
        (self.kernel, self.stride, self.padding, self.countIncludePad) = (kernel, stride ?? kernel, padding, countIncludePad)
    }

    public override var extraDescription: String { "kernel_size=\(kernel), stride=\(stride), padding=\(padding)" }

    /// Shape: `[N, C, H, W]` → `[N, C, H', W']`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.avgPool2d(kernel: kernel, stride: stride, padding: padding, countIncludePad: countIncludePad)
    }
}
