import TensorCore

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
