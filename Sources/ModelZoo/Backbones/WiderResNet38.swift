import NeuralNet
import TensorCore

/// WiderResNet38-A2 ("wider_resnet38_a2"), the backbone of RPL's DeepLabV3+ for
/// Cityscapes: `mod1` (3x3 conv, 64), max-pool, `mod2` (3 blocks, 128), max-pool, `mod3`
/// (3 blocks, 256), `mod4` (6 blocks, 512, first strided), `mod5` (3 blocks, 1024),
/// `mod6` (bottleneck, 2048, dropout 0.3), `mod7` (bottleneck, 4096, dropout 0.5).
///
/// Output stride 8 dilates `mod5` by 2 and `mod6`/`mod7` by 4 (the official model);
/// output stride 16 strides `mod5` instead and dilates `mod6`/`mod7` by 2.
/// Features: `"low"` = `mod2` (128 channels, stride 2 — the official decoder refines at
/// half resolution), `"out"` = `mod7` (4096, stride 8 or 16). Its children sit at the
/// segmenter's root (`mod1.conv1.weight`), so official checkpoints load 1:1.
/// PyTorch: `WiderResNetA2(structure=[3, 3, 6, 3, 1, 1], dilation=True)` of the RPL code.
public final class WiderResNet38: Module, Backbone {
    let mod1: NamedSequential
    let pool2 = MaxPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1))
    let pool3 = MaxPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1))
    let stages: [NamedSequential]
    /// The output stride.
    public let outputStride: OutputStride
    public let featureInfo: [FeatureInfo]
    public var childrenAtSegmenterRoot: Bool { true }

    /// Creates the network; `widthDivisor` > 1 narrows every layer (for tests).
    public init(outputStride: OutputStride = .eight, widthDivisor: Int = 1, using rng: inout SeededGenerator) {
        let w = { (c: Int) in max(1, c / widthDivisor) }
        mod1 = NamedSequential([("conv1", Conv2d(inputChannels: 3, outputChannels: w(64), kernelSize: (3, 3),
                                                 padding: (1, 1), bias: false, using: &rng))])
        let structure = [3, 3, 6, 3, 1, 1]
        let channels = [[128, 128], [256, 256], [512, 512], [512, 1024], [512, 1024, 2048], [1024, 2048, 4096]]
        let dilations = outputStride == .eight ? [1, 1, 1, 2, 4, 4] : [1, 1, 1, 1, 2, 2]
        let firstStride = outputStride == .eight ? [1, 1, 2, 1, 1, 1] : [1, 1, 2, 2, 1, 1]
        var input = w(64)
        var stages: [NamedSequential] = []
        for (index, count) in structure.enumerated() {
            var blocks: [(String, any UnaryLayer)] = []
            for block in 0..<count {
                let dropout: Float? = index == 4 ? 0.3 : (index == 5 ? 0.5 : nil)
                blocks.append(("block\(block + 1)", IdentityResidualBlock(
                    input: input, channels: channels[index].map(w), stride: block == 0 ? firstStride[index] : 1,
                    dilation: dilations[index], dropout: dropout, seed: UInt64(index * 10 + block), using: &rng)))
                input = w(channels[index].last!)
            }
            stages.append(NamedSequential(blocks))
        }
        self.stages = stages
        self.outputStride = outputStride
        featureInfo = [FeatureInfo(name: "low", channels: w(128), stride: 2),
                       FeatureInfo(name: "out", channels: w(4096), stride: outputStride.rawValue)]
    }

    public override var children: [(name: String, module: Module)] {
        [("mod1", mod1)] + stages.enumerated().map { ("mod\($0.offset + 2)", $0.element) }
    }

    public func features(_ image: Tensor) -> [String: Tensor] {
        let low = stages[0](pool2(mod1(image)))
        var x = stages[1](pool3(low))
        for stage in stages[2...] { x = stage(x) }
        return ["low": low, "out": x]
    }
}
