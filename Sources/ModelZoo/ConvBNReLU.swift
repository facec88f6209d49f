import NeuralNet
import TensorCore

/// `Sequential(Conv2d(bias: false), BatchNorm2d, ReLU)`, keys `0.weight`, `1.*`: the
/// unit of ASPP branches and segmentation heads.
func convBNReLU(_ input: Int, _ output: Int, kernel: Int, dilation: Int = 1, using rng: inout SeededGenerator) -> Sequential {
    let padding = kernel == 1 ? 0 : dilation * (kernel / 2)
    return Sequential([
        Conv2d(inputChannels: input, outputChannels: output, kernelSize: (kernel, kernel), padding: (padding, padding),
               dilation: (dilation, dilation), bias: false, using: &rng),
        BatchNorm2d(features: output), ReLU(),
    ])
}
