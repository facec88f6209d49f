import NeuralNet
import TensorCore

/// The ASPP of VainF's DeepLabV3Plus-Pytorch port: a 1x1 branch, three dilated 3x3 branches
/// (rates 6/12/18 at output stride 16, 12/24/36 at 8) and an image-pooling branch, each
/// conv-BN-ReLU to 256, concatenated in that order (pooling last, upsampled with
/// `align_corners = false`), then `project`: 1x1 conv 1280→256, BN, ReLU, dropout 0.1.
/// Keys `convs.{0-3}.{0,1}.*`, `convs.4.{1,2}.*`, `project.{0,1}.*`.
/// PyTorch: `network._deeplab.ASPP` of VainF/DeepLabV3Plus-Pytorch.
final class VainFASPP: Module, UnaryLayer {
    let branches: [Sequential]
    let poolConv: Conv2d, poolNorm: BatchNorm2d
    let project: Sequential

    init(input: Int, channels: Int, outputStride: OutputStride, using rng: inout SeededGenerator) {
        let rates = outputStride == .eight ? [12, 24, 36] : [6, 12, 18]
        branches = [convBNReLU(input, channels, kernel: 1, using: &rng)]
            + rates.map { convBNReLU(input, channels, kernel: 3, dilation: $0, using: &rng) }
        poolConv = Conv2d(inputChannels: input, outputChannels: channels, kernelSize: (1, 1), bias: false, using: &rng)
        poolNorm = BatchNorm2d(features: channels)
        project = Sequential([
            Conv2d(inputChannels: 5 * channels, outputChannels: channels, kernelSize: (1, 1), bias: false, using: &rng),
            BatchNorm2d(features: channels), ReLU(), Dropout(p: 0.1, seed: rng.next()),
        ])
    }

    override var children: [(name: String, module: Module)] {
        branches.enumerated().map { ("convs.\($0.offset)", $0.element) }
            + [("convs.4.1", poolConv), ("convs.4.2", poolNorm), ("project", project)]
    }

    /// Shape: `[N, input, H, W]` → `[N, channels, H, W]`.
    func callAsFunction(_ x: Tensor) -> Tensor {
        let pooled = poolNorm(poolConv(x.globalAvgPool2d())).relu().resizeBilinear(to: (x.shape[2], x.shape[3]), alignCorners: false)
        return project(Tensor.concat(branches.map { $0(x) } + [pooled], axis: 1))
    }
}
