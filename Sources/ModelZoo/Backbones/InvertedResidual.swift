import NeuralNet
import TensorCore

/// MobileNetV2's inverted residual: 1x1 expansion (skipped when the ratio is 1), 3x3
/// depthwise, 1x1 linear projection, each conv followed by BN (ReLU6 except the last);
/// the input is added back when shape allows. Keys as torchvision's `conv.{0,1,2,3}.*`.
/// PyTorch: `torchvision.models.mobilenetv2.InvertedResidual` (with dilation, as the
/// DeepLabV3+ ports use). With `padsInput` (VainF's port) the block input is zero-padded by
/// the dilation before the expansion and no conv pads: the 1x1 expansion, BN and ReLU6 then
/// run on the padded border too, so border pixels differ from torchvision's.
final class InvertedResidual: Module, UnaryLayer {
    let conv: Sequential
    let useResidual: Bool
    let inputPadding: Int

    init(input: Int, output: Int, stride: Int, dilation: Int, expandRatio: Int, padsInput: Bool = false, using rng: inout SeededGenerator) {
        let hidden = input * expandRatio
        var layers: [any UnaryLayer] = []
        if expandRatio != 1 { layers.append(convBNReLU6(input, hidden, kernel: 1, using: &rng)) }
        layers.append(convBNReLU6(hidden, hidden, kernel: 3, stride: stride, dilation: dilation, groups: hidden,
                                  padding: padsInput ? 0 : nil, using: &rng))
        layers.append(Conv2d(inputChannels: hidden, outputChannels: output, kernelSize: (1, 1), bias: false, using: &rng))
        layers.append(BatchNorm2d(features: output))
        conv = Sequential(layers)
        useResidual = stride == 1 && input == output
        inputPadding = padsInput ? dilation : 0
    }

    override var children: [(name: String, module: Module)] { [("conv", conv)] }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let padded = inputPadding == 0 ? x : x.padded([(0, 0), (0, 0), (inputPadding, inputPadding), (inputPadding, inputPadding)])
        return useResidual ? conv(padded, adding: x) : conv(padded)
    }
}

/// `Sequential(Conv2d, BatchNorm2d, ReLU6)`: torchvision's `Conv2dNormActivation`
/// (`padding` defaults to "same", `(kernel − 1) / 2 · dilation`).
func convBNReLU6(_ input: Int, _ output: Int, kernel: Int, stride: Int = 1, dilation: Int = 1, groups: Int = 1,
                 padding: Int? = nil, using rng: inout SeededGenerator) -> Sequential {
    let padding = padding ?? (kernel - 1) / 2 * dilation
    return Sequential([
        Conv2d(inputChannels: input, outputChannels: output, kernelSize: (kernel, kernel), stride: (stride, stride),
               padding: (padding, padding), dilation: (dilation, dilation), groups: groups, bias: false, using: &rng),
        BatchNorm2d(features: output), ReLU6(),
    ])
}
