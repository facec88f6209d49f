import NeuralNet
import TensorCore

/// `NamedSequential(norm, relu, conv)`: the pre-activation unit of the ladder-style
/// DenseNet and of DenseHybrid's heads (`_BNReluConv`; keys `norm.*`, `conv.weight`[, `conv.bias`]).
public func bnReLUConv(_ input: Int, _ output: Int, kernel: Int, bias: Bool = false, momentum: Float = 0.01,
                using rng: inout SeededGenerator) -> NamedSequential {
    NamedSequential([
        ("norm", BatchNorm2d(features: input, momentum: momentum)), ("relu", ReLU()),
        ("conv", Conv2d(inputChannels: input, outputChannels: output, kernelSize: (kernel, kernel),
                        padding: (kernel / 2, kernel / 2), bias: bias, using: &rng)),
    ])
}

/// A dense block: each layer (BN-ReLU-1x1 conv to 4·growth, BN-ReLU-3x3 conv to growth)
/// reads the concatenation of the block input and all earlier layers' outputs; the block
/// returns the concatenation of all. Keys `denselayerN.{norm1,conv1,norm2,conv2}.*`.
final class DenseBlock: Module, UnaryLayer {
    let layers: [NamedSequential]
    /// Channels each layer adds.
    let growth: Int

    init(layers count: Int, input: Int, growth: Int, bottleneck: Int, using rng: inout SeededGenerator) {
        self.growth = growth
        layers = (0..<count).map { i in
            let width = input + i * growth
            return NamedSequential([
                ("norm1", BatchNorm2d(features: width, momentum: 0.01)), ("relu1", ReLU()),
                ("conv1", Conv2d(inputChannels: width, outputChannels: bottleneck * growth, kernelSize: (1, 1), bias: false, using: &rng)),
                ("norm2", BatchNorm2d(features: bottleneck * growth, momentum: 0.01)), ("relu2", ReLU()),
                ("conv2", Conv2d(inputChannels: bottleneck * growth, outputChannels: growth, kernelSize: (3, 3),
                                 padding: (1, 1), bias: false, using: &rng)),
            ])
        }
    }

    override var children: [(name: String, module: Module)] {
        layers.enumerated().map { ("denselayer\($0.offset + 1)", $0.element) }
    }

    /// Without a tape and for one image, the maps grow in one buffer (``ChannelConcatenation``),
    /// each layer reading a view of the channels so far; otherwise each layer concatenates them.
    func callAsFunction(_ x: Tensor) -> Tensor {
        let recorded = GradMode.isEnabled && !trainableParameters().isEmpty
        if !recorded, var grown = ChannelConcatenation(x, capacity: x.shape[1] + layers.count * growth) {
            for layer in layers { grown.append(layer(grown.tensor)) }
            return grown.tensor
        }
        var maps = [x]
        for layer in layers { maps.append(layer(Tensor.concat(maps, axis: 1))) }
        return Tensor.concat(maps, axis: 1)
    }
}

/// DenseNet-121 as the ladder-style backbone of LDN-121 (DenseHybrid): stem (7x7 conv,
/// BN, ReLU, 2x2 max-pool), dense blocks of 6/12/24/16 layers with transitions (BN, ReLU,
/// 1x1 conv halving the width, 3x3 average pool with stride 2) between them, no final BN.
/// Keys `features.conv0.weight`, `features.denseblock1.denselayer1.norm1.weight`,
/// `features.transition1.conv.weight`, … (torchvision's DenseNet names).
/// Features: `"skip1"`…`"skip3"` (the outputs of dense blocks 1-3, strides 4/8/16, which
/// the ladder decoder reads), `"low"` = `"skip1"`, `"out"` = dense block 4 (stride 32).
/// PyTorch: `DenseNet` of DenseHybrid's `models/ladder_densenet.py`.
public final class DenseNet121: Module, Backbone {
    let features: NamedSequential
    let stem: Int
    public let featureInfo: [FeatureInfo]
    public var childrenAtSegmenterRoot: Bool { false }

    /// Creates the network; `widthDivisor` > 1 narrows the growth rate and stem (for tests).
    public init(widthDivisor: Int = 1, using rng: inout SeededGenerator) {
        let growth = max(1, 32 / widthDivisor), initial = max(1, 64 / widthDivisor)
        var layers: [(String, any UnaryLayer)] = [
            ("conv0", Conv2d(inputChannels: 3, outputChannels: initial, kernelSize: (7, 7), stride: (2, 2), padding: (3, 3),
                             bias: false, using: &rng)),
            ("norm0", BatchNorm2d(features: initial, momentum: 0.01)), ("relu0", ReLU()),
            ("pool0", MaxPool2d(kernel: (2, 2), stride: (2, 2))),
        ]
        stem = layers.count
        var width = initial
        var skips: [Int] = []
        for (index, count) in [6, 12, 24, 16].enumerated() {
            layers.append(("denseblock\(index + 1)", DenseBlock(layers: count, input: width, growth: growth, bottleneck: 4, using: &rng)))
            width += count * growth
            if index < 3 {
                skips.append(width)
                layers.append(("transition\(index + 1)", NamedSequential([
                    ("norm", BatchNorm2d(features: width, momentum: 0.01)), ("relu", ReLU()),
                    ("conv", Conv2d(inputChannels: width, outputChannels: width / 2, kernelSize: (1, 1), bias: false, using: &rng)),
                    ("pool", AvgPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1), countIncludePad: false)),
                ])))
                width /= 2
            }
        }
        features = NamedSequential(layers)
        featureInfo = [FeatureInfo(name: "low", channels: skips[0], stride: 4)]
            + skips.enumerated().map { FeatureInfo(name: "skip\($0.offset + 1)", channels: $0.element, stride: 4 << $0.offset) }
            + [FeatureInfo(name: "out", channels: width, stride: 32)]
    }

    public override var children: [(name: String, module: Module)] { [("features", features)] }

    public func features(_ image: Tensor) -> [String: Tensor] {
        var x = features.layers[0..<stem].reduce(image) { $1.layer($0) }
        var result: [String: Tensor] = [:]
        var skip = 0
        for (name, layer) in features.layers[stem...] {
            if name.hasPrefix("transition") { skip += 1; result["skip\(skip)"] = x }
            x = layer(x)
        }
        result["low"] = result["skip1"]
        result["out"] = x
        return result
    }
}
