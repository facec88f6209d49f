import NeuralNet
import TensorCore

/// WiderResNet's pre-activation residual block: `convs(bnrelu(x)) + shortcut`, where the
/// shortcut is `proj_conv(bnrelu(x))` when the stride or width changes and `x` otherwise.
/// Two 3x3 convolutions (`channels` of 2) or a 1x1-3x3-1x1 bottleneck (3).
/// Keys: `bn1.0.*`, `convs.conv1.weight`, `convs.bn2.0.*`, `convs.conv2.weight`,
/// [`convs.bn3.0.*`, `convs.conv3.weight`], [`proj_conv.weight`].
/// PyTorch: `IdentityResidualBlock` of mapillary's inplace_abn, as in the RPL code.
final class IdentityResidualBlock: Module, UnaryLayer {
    let bn1: Sequential
    let convs: NamedSequential
    let projConv: Conv2d?

    init(input: Int, channels: [Int], stride: Int, dilation: Int, dropout: Float?, seed: UInt64,
         using rng: inout SeededGenerator) {
        bn1 = Sequential([BatchNorm2d(features: input), ReLU()])
        func conv(_ i: Int, _ o: Int, _ k: Int, stride: Int = 1) -> Conv2d {
            let pad = k == 3 ? dilation : 0
            return Conv2d(inputChannels: i, outputChannels: o, kernelSize: (k, k), stride: (stride, stride),
                          padding: (pad, pad), dilation: k == 3 ? (dilation, dilation) : (1, 1), bias: false, using: &rng)
        }
        var layers: [(String, any UnaryLayer)]
        if channels.count == 2 {
            layers = [("conv1", conv(input, channels[0], 3, stride: stride)),
                      ("bn2", Sequential([BatchNorm2d(features: channels[0]), ReLU()])),
                      ("conv2", conv(channels[0], channels[1], 3))]
            if let dropout { layers.insert(("dropout", Dropout2d(p: dropout, seed: seed)), at: 2) }
        } else {
            layers = [("conv1", conv(input, channels[0], 1, stride: stride)),
                      ("bn2", Sequential([BatchNorm2d(features: channels[0]), ReLU()])),
                      ("conv2", conv(channels[0], channels[1], 3)),
                      ("bn3", Sequential([BatchNorm2d(features: channels[1]), ReLU()])),
                      ("conv3", conv(channels[1], channels[2], 1))]
            if let dropout { layers.insert(("dropout", Dropout2d(p: dropout, seed: seed)), at: 4) }
        }
        convs = NamedSequential(layers)
        projConv = stride != 1 || input != channels.last!
            ? Conv2d(inputChannels: input, outputChannels: channels.last!, kernelSize: (1, 1), stride: (stride, stride),
                     bias: false, using: &rng)
            : nil
    }

    override var children: [(name: String, module: Module)] {
        [("bn1", bn1), ("convs", convs)] + (projConv.map { [("proj_conv", $0)] } ?? [])
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let activated = bn1(x)
        let shortcut = projConv.map { $0(activated) } ?? x
        return convs(activated, adding: shortcut)
    }
}
