import NeuralNet
import TensorCore

/// ResNet's bottleneck block (torchvision v1.5: the stride sits on the 3x3 convolution):
/// `relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x)))))))) + downsample(x))`.
/// Keys `conv1`, `bn1`, `conv2`, `bn2`, `conv3`, `bn3`, [`downsample.0`, `downsample.1`].
/// PyTorch: `torchvision.models.resnet.Bottleneck`.
final class Bottleneck: Module, UnaryLayer, BatchNormFoldable {
    var conv1: Conv2d, conv2: Conv2d, conv3: Conv2d
    /// Batch norms; each becomes an `Identity` once folded into its convolution.
    var bn1: any UnaryLayer, bn2: any UnaryLayer, bn3: any UnaryLayer
    let downsample: Sequential?

    init(input: Int, width: Int, output: Int, stride: Int, dilation: Int, downsample: Bool, using rng: inout SeededGenerator) {
        conv1 = Conv2d(inputChannels: input, outputChannels: width, kernelSize: (1, 1), bias: false, using: &rng)
        bn1 = BatchNorm2d(features: width)
        conv2 = Conv2d(inputChannels: width, outputChannels: width, kernelSize: (3, 3), stride: (stride, stride),
                       padding: (dilation, dilation), dilation: (dilation, dilation), bias: false, using: &rng)
        bn2 = BatchNorm2d(features: width)
        conv3 = Conv2d(inputChannels: width, outputChannels: output, kernelSize: (1, 1), bias: false, using: &rng)
        bn3 = BatchNorm2d(features: output)
        self.downsample = downsample
            ? Sequential([Conv2d(inputChannels: input, outputChannels: output, kernelSize: (1, 1), stride: (stride, stride),
                                 bias: false, using: &rng), BatchNorm2d(features: output)])
            : nil
    }

    override var children: [(name: String, module: Module)] {
        [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2), ("conv3", conv3), ("bn3", bn3)]
            + (downsample.map { [("downsample", $0)] } ?? [])
    }

    func foldOwnBatchNorms() -> Int {
        [foldBatchNorm(&bn1, into: &conv1), foldBatchNorm(&bn2, into: &conv2), foldBatchNorm(&bn3, into: &conv3)]
            .filter { $0 }.count
    }

    /// Each convolution with its batch norm and ReLU (and the last with the residual) as one
    /// fused op once the batch norms are folded.
    func callAsFunction(_ x: Tensor) -> Tensor {
        let y = conv2(conv1(x, then: bn1, activation: .relu), then: bn2, activation: .relu)
        return conv3(y, then: bn3, adding: downsample.map { $0(x) } ?? x, activation: .relu)
    }
}
