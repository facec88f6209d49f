import Foundation
import NeuralNet
import TensorCore

/// The spatial pyramid pooling of LDN: a 1x1 bottleneck, levels average-pooled to grids of
/// 8/4/2/1 rows (columns scaled by the aspect ratio, rounded half-to-even as Python's
/// `round`), each 1x1-convolved and upsampled back (align-corners false), fused by a 1x1.
/// Keys `spp.spp_bn.*`, `spp.spp0…3.*`, `spp.spp_fuse.*`.
final class LadderSPP: Module {
    let bottleneck: NamedSequential, levels: [NamedSequential], fuse: NamedSequential
    let grids = [8, 4, 2, 1]

    init(input: Int, size: Int, using rng: inout SeededGenerator) {
        let level = size / 4
        bottleneck = bnReLUConv(input, size, kernel: 1, using: &rng)
        levels = (0..<4).map { _ in bnReLUConv(size, level, kernel: 1, using: &rng) }
        fuse = bnReLUConv(size + 4 * level, size, kernel: 1, using: &rng)
    }

    override var children: [(name: String, module: Module)] {
        [("spp.spp_bn", bottleneck)] + levels.enumerated().map { ("spp.spp\($0.offset)", $0.element) } + [("spp.spp_fuse", fuse)]
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let size = (x.shape[2], x.shape[3])
        let aspect = Double(size.1) / Double(size.0)
        let base = bottleneck(x)
        let pooled = zip(levels, grids).map { level, grid in
            let columns = max(1, Int((aspect * Double(grid)).rounded(.toNearestOrEven)))
            return level(base.adaptiveAvgPool2d((grid, columns))).resizeBilinear(to: size, alignCorners: false)
        }
        return fuse(Tensor.concat([base] + pooled, axis: 1))
    }
}

/// One ladder step: project the skip (`bottleneck`), upsample the coarse map to it,
/// add, and blend with a 3x3 (`blend_conv`). `logits_aux` (a 1-class auxiliary head the
/// released models carry) is kept for checkpoint compatibility but not used.
final class LadderUpsample: Module {
    let bottleneck: NamedSequential, blend: NamedSequential, auxiliary: NamedSequential

    init(input: Int, skip: Int, output: Int, using rng: inout SeededGenerator) {
        bottleneck = bnReLUConv(skip, input, kernel: 1, using: &rng)
        blend = bnReLUConv(input, output, kernel: 3, using: &rng)
        auxiliary = bnReLUConv(input, 1, kernel: 1, bias: true, using: &rng)
    }

    override var children: [(name: String, module: Module)] {
        [("bottleneck", bottleneck), ("blend_conv", blend), ("logits_aux", auxiliary)]
    }

    /// One expression, so the upsampled map and the projected skip are released once added,
    /// not held through `blend` (the 1x1 projection keeps the skip's size).
    func callAsFunction(_ x: Tensor, skip: Tensor) -> Tensor {
        blend(x.resizeBilinear(to: (skip.shape[2], skip.shape[3]), alignCorners: false) + bottleneck(skip))
    }
}

/// LDN-121 (ladder-style DenseNet-121, DenseHybrid's `LadderDenseNet`): DenseNet-121,
/// SPP on its stride-32 output, three ladder upsampling steps through the dense-block
/// skips to stride 4, a BN-ReLU-1x1 `logits` head, bilinear upsampling (align-corners
/// false) to the input. The decoder features an OoD head re-classifies are the 128-channel
/// stride-4 map. Keys `backbone.features.…`, `spp.spp.spp.…`, `upsample.upsample_layers.upsample_N.…`, `logits.…`.
/// PyTorch: `LadderDenseNet` of DenseHybrid's `models/ladder_densenet.py`.
public final class LadderDenseNet: Module, Segmenter {
    /// The DenseNet-121 backbone.
    public let backbone: DenseNet121
    let spp: LadderSPP
    let upsamples: [LadderUpsample]
    let logits: NamedSequential
    public let numClasses: Int

    public let featureInfo: [FeatureInfo]
    static let skips = ["skip3", "skip2", "skip1"]

    /// Creates LDN-121; `widthDivisor` > 1 narrows every layer (for tests).
    public init(numClasses: Int, widthDivisor: Int = 1, using rng: inout SeededGenerator) throws {
        backbone = DenseNet121(widthDivisor: widthDivisor, using: &rng)
        let sppSize = max(4, 512 / widthDivisor)
        let out = try backbone.info("out", for: "ldn121")
        spp = LadderSPP(input: out.channels, size: sppSize, using: &rng)
        var input = sppSize
        var steps: [LadderUpsample] = []
        for (skip, size) in zip(Self.skips, [256, 256, 128].map { max(1, $0 / widthDivisor) }) {
            steps.append(LadderUpsample(input: input, skip: try backbone.info(skip, for: "ldn121").channels, output: size, using: &rng))
            input = size
        }
        upsamples = steps
        logits = bnReLUConv(input, numClasses, kernel: 1, bias: true, using: &rng)
        self.numClasses = numClasses
        featureInfo = backbone.featureInfo + [
            FeatureInfo(name: "context", channels: sppSize, stride: out.stride),
            FeatureInfo(name: "decoder", channels: input, stride: try backbone.info("skip1", for: "ldn121").stride),
        ]
    }

    public var encodedFeatureNames: [String] { backbone.featureInfo.map(\.name) }

    public override var children: [(name: String, module: Module)] {
        [("backbone", backbone), ("spp.spp", spp)]
            + upsamples.enumerated().map { ("upsample.upsample_layers.upsample_\($0.offset)", $0.element) }
            + [("logits", logits)]
    }

    public func encode(_ image: Tensor) -> [String: Tensor] { backbone.features(image) }

    public func decode(_ encoded: [String: Tensor], outputSize: (height: Int, width: Int)) throws -> SegmenterOutput {
        let maps = try encoded.required(["out"] + Self.skips, by: "ldn121 decode")
        var x = spp(maps[0])
        var features = encoded
        features["context"] = x
        for (step, skip) in zip(upsamples, maps.dropFirst()) { x = step(x, skip: skip) }
        return SegmenterOutput(logits: classify(x, outputSize: outputSize), decoderFeatures: x, features: features)
    }

    public func classify(_ decoderFeatures: Tensor, outputSize: (height: Int, width: Int)) -> Tensor {
        logits(decoderFeatures).resizeBilinear(to: outputSize, alignCorners: false)
    }

    /// `logits.conv`, a 1x1 conv with a bias after `logits.relu`.
    public var classifierReadout: ClassifierReadout? {
        let parameters = logits.namedParameters()
        guard let weight = parameters.first(where: { $0.key == "conv.weight" })?.parameter.value else { return nil }
        return ClassifierReadout(key: "logits.conv.weight", weight: weight,
                                 bias: parameters.first(where: { $0.key == "conv.bias" })?.parameter.value, readsNonNegativeFeatures: true)
    }
}
