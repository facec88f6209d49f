import NeuralNet
import TensorCore

/// DeepLabV3+ in the layout of the public RPL code: ASPP on the backbone output, `bot_aspp`
/// (1280→256, no BN), upsampling (align-corners) to the low-level map, `bot_fine`
/// (low-level→48, no BN), concatenation to the 304-channel `dec0`, and `final`: 3x3
/// 304→256, 3x3 256→256 (each BN+ReLU), 1x1 →classes (no bias), upsampled to the input.
///
/// Keys: the backbone's (at the root for WiderResNet38, else under `backbone.`), then
/// `aspp.*`, `bot_fine.weight`, `bot_aspp.weight`, `final.{0,1,3,4,6}.*`.
/// PyTorch: `DeepWV3Plus` of the RPL code (without its residual block, which is RPL's head).
public final class DeepLabV3Plus: Module, Segmenter {
    /// The feature extractor.
    public let backbone: any Backbone
    /// The pyramid pooling module.
    public let aspp: ASPP
    let botFine: Conv2d
    let botAspp: Conv2d
    /// The final block: `final(dec0)` gives the logits before upsampling.
    public let final: Sequential
    public let numClasses: Int

    public let featureInfo: [FeatureInfo]

    /// Creates the segmenter over `backbone` (ASPP rates from its output stride).
    /// `asppChannels` (256) and `lowLevelChannels` (48) may be narrowed for tests.
    /// - Throws: ``SegmenterError/missingFeatures(consumer:missing:available:)`` when the
    ///   backbone lacks `"low"` or `"out"`.
    public init(backbone: any Backbone, numClasses: Int, asppChannels: Int = 256, lowLevelChannels: Int = 48,
                using rng: inout SeededGenerator) throws {
        self.backbone = backbone
        let out = try backbone.info("out", for: "deeplabv3plus"), low = try backbone.info("low", for: "deeplabv3plus")
        aspp = ASPP(input: out.channels, channels: asppChannels,
                    outputStride: out.stride <= 8 ? .eight : .sixteen, using: &rng)
        botFine = Conv2d(inputChannels: low.channels, outputChannels: lowLevelChannels, kernelSize: (1, 1), bias: false, using: &rng)
        botAspp = Conv2d(inputChannels: 5 * asppChannels, outputChannels: asppChannels, kernelSize: (1, 1), bias: false, using: &rng)
        let decoder = asppChannels + lowLevelChannels
        final = Sequential([
            Conv2d(inputChannels: decoder, outputChannels: asppChannels, kernelSize: (3, 3), padding: (1, 1), bias: false, using: &rng),
            BatchNorm2d(features: asppChannels), ReLU(),
            Conv2d(inputChannels: asppChannels, outputChannels: asppChannels, kernelSize: (3, 3), padding: (1, 1), bias: false, using: &rng),
            BatchNorm2d(features: asppChannels), ReLU(),
            Conv2d(inputChannels: asppChannels, outputChannels: numClasses, kernelSize: (1, 1), bias: false, using: &rng),
        ])
        self.numClasses = numClasses
        featureInfo = backbone.featureInfo + [
            FeatureInfo(name: "context", channels: 5 * asppChannels, stride: out.stride),
            FeatureInfo(name: "low_projected", channels: lowLevelChannels, stride: low.stride),
            FeatureInfo(name: "decoder", channels: asppChannels + lowLevelChannels, stride: low.stride),
        ]
    }

    public var encodedFeatureNames: [String] { backbone.featureInfo.map(\.name) }

    /// Channels of the decoder input `dec0` (304 at full width).
    public var decoderChannels: Int { botAspp.weight.value.shape[0] + botFine.weight.value.shape[0] }

    public override var children: [(name: String, module: Module)] {
        (backbone.childrenAtSegmenterRoot ? backbone.children : [("backbone", backbone)])
            + [("aspp", aspp), ("bot_fine", botFine), ("bot_aspp", botAspp), ("final", final)]
    }

    public func encode(_ image: Tensor) -> [String: Tensor] { backbone.features(image) }

    public func decode(_ encoded: [String: Tensor], outputSize: (height: Int, width: Int)) throws -> SegmenterOutput {
        let maps = try encoded.required(["out", "low"], by: "deeplabv3plus decode")
        let (z, low) = (maps[0], maps[1])
        let pyramid = aspp(z)
        let up = botAspp(pyramid).resizeBilinear(to: (low.shape[2], low.shape[3]), alignCorners: true)
        let fine = botFine(low)
        let dec0 = Tensor.concat([fine, up], axis: 1)
        var features = encoded
        features["context"] = pyramid
        features["low_projected"] = fine
        return SegmenterOutput(logits: classify(dec0, outputSize: outputSize), decoderFeatures: dec0, features: features)
    }

    public func classify(_ decoderFeatures: Tensor, outputSize: (height: Int, width: Int)) -> Tensor {
        final(decoderFeatures).resizeBilinear(to: outputSize, alignCorners: true)
    }
}
