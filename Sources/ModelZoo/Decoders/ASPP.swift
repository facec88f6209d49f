import NeuralNet
import TensorCore

/// Atrous spatial pyramid pooling: a 1x1 branch and three dilated 3x3 branches (rates
/// 6/12/18 at output stride 16, doubled at 8) plus an image-pooling branch, each
/// conv-BN-ReLU to `channels`, concatenated image-pooling first (5·`channels` out).
/// Keys `features.{0-3}.{0,1}.*`, `img_conv.{0,1}.*`; the 1280→256 reduction (`bot_aspp`)
/// belongs to the decoder. Shared by DeepLabV3+ and RPL's residual block.
/// PyTorch: `_AtrousSpatialPyramidPoolingModule` of the RPL code.
public final class ASPP: Module, UnaryLayer {
    let branches: [Sequential]
    let imageConv: Sequential
    /// Dilation rates of the three 3x3 branches.
    public let rates: [Int]

    /// Creates the module for `input` channels at `outputStride`.
    public init(input: Int, channels: Int = 256, outputStride: OutputStride, using rng: inout SeededGenerator) {
        rates = [6, 12, 18].map { outputStride == .eight ? 2 * $0 : $0 }
        var branches = [convBNReLU(input, channels, kernel: 1, using: &rng)]
        for rate in rates { branches.append(convBNReLU(input, channels, kernel: 3, dilation: rate, using: &rng)) }
        self.branches = branches
        imageConv = convBNReLU(input, channels, kernel: 1, using: &rng)
    }

    /// Output channels (5 × branch width).
    public var outputChannels: Int { 5 * imageConv.namedParameters()[0].parameter.value.shape[0] }

    public override var children: [(name: String, module: Module)] {
        branches.enumerated().map { ("features.\($0.offset)", $0.element) } + [("img_conv", imageConv)]
    }

    /// Shape: `[N, input, H, W]` → `[N, 5·channels, H, W]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let size = (x.shape[2], x.shape[3])
        let pooled = imageConv(x.globalAvgPool2d()).resizeBilinear(to: size, alignCorners: true)
        return Tensor.concat([pooled] + branches.map { $0(x) }, axis: 1)
    }
}
