import NeuralNet
import TensorCore

/// ResNet-50/101 as a dilated segmentation backbone, with torchvision's keys (`conv1`,
/// `bn1`, `layer1.0.conv1.weight`, …; no `fc`). Output stride 8 replaces the strides of
/// `layer3` and `layer4` with dilation 2 and 4, output stride 16 only `layer4`'s
/// (torchvision's `replace_stride_with_dilation`).
/// Features: `"low"` = `layer1` (256 channels, stride 4), `"out"` = `layer4` (2048).
/// PyTorch: `torchvision.models.resnet50/101(replace_stride_with_dilation=…)`.
public final class ResNet: Module, Backbone, BatchNormFoldable {
    /// Blocks per stage: ResNet-50 `[3, 4, 6, 3]`, ResNet-101 `[3, 4, 23, 3]`.
    public enum Depth: Int, Sendable, Codable {
        case resnet50 = 50, resnet101 = 101
        var blocks: [Int] { self == .resnet50 ? [3, 4, 6, 3] : [3, 4, 23, 3] }
    }

    var conv1: Conv2d
    /// The stem's batch norm; an `Identity` once folded.
    var bn1: any UnaryLayer
    let maxpool = MaxPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1))
    let layers: [Sequential]
    public let featureInfo: [FeatureInfo]
    public var childrenAtSegmenterRoot: Bool { false }

    /// Creates the network; `widthDivisor` > 1 narrows every layer (for tests).
    public init(depth: Depth, outputStride: OutputStride = .eight, widthDivisor: Int = 1, using rng: inout SeededGenerator) {
        let base = max(1, 64 / widthDivisor)
        conv1 = Conv2d(inputChannels: 3, outputChannels: base, kernelSize: (7, 7), stride: (2, 2), padding: (3, 3),
                       bias: false, using: &rng)
        bn1 = BatchNorm2d(features: base)
        let dilate = outputStride == .eight ? [false, false, true, true] : [false, false, false, true]
        var input = base, dilation = 1
        var layers: [Sequential] = []
        for (index, count) in depth.blocks.enumerated() {
            let width = base << index, output = width * 4
            var stride = index == 0 ? 1 : 2
            let previousDilation = dilation
            if dilate[index] { dilation *= stride; stride = 1 }
            var blocks: [any UnaryLayer] = []
            for block in 0..<count {
                blocks.append(Bottleneck(input: input, width: width, output: output, stride: block == 0 ? stride : 1,
                                         dilation: block == 0 ? previousDilation : dilation,
                                         downsample: block == 0 && (stride != 1 || input != output), using: &rng))
                input = output
            }
            layers.append(Sequential(blocks))
        }
        self.layers = layers
        featureInfo = [FeatureInfo(name: "low", channels: base * 4, stride: 4),
                       FeatureInfo(name: "out", channels: base * 32, stride: outputStride.rawValue)]
    }

    public override var children: [(name: String, module: Module)] {
        [("conv1", conv1), ("bn1", bn1)] + layers.enumerated().map { ("layer\($0.offset + 1)", $0.element) }
    }

    public func foldOwnBatchNorms() -> Int { foldBatchNorm(&bn1, into: &conv1) ? 1 : 0 }

    public func features(_ image: Tensor) -> [String: Tensor] {
        let low = layers[0](maxpool(conv1(image, then: bn1, activation: .relu)))
        return ["low": low, "out": layers[3](layers[2](layers[1](low)))]
    }
}
