import NeuralNet
import TensorCore

/// DeepLabV3+ in the layout of VainF's widely used DeepLabV3Plus-Pytorch port
/// (`DeepLabHeadV3Plus`): the low-level map projected to 48 channels (1x1 conv, BN, ReLU),
/// VainF's ASPP with its 1280→256 projection (BN, ReLU, dropout 0.1) upsampled
/// (`align_corners = false`) to the low-level map, concatenated low-level first into the
/// 304-channel `dec0`, then the classifier: 3x3 304→256, BN, ReLU, 1x1 →classes with a
/// bias; logits upsampled to the input with `align_corners = false`. Its decoder differs from
/// the RPL layout's (``DeepLabV3Plus``: unnormalised projections, two 3x3 convs, no bias), so
/// it is its own segmenter.
///
/// Keys: `backbone.*` (torchvision's ResNet names; MobileNetV2's `features.N` after
/// `--source vainf` renames the port's `low_level_features` / `high_level_features`),
/// `classifier.project.*`, `classifier.aspp.*`, `classifier.classifier.{0,1,3}.*`.
/// PyTorch: `network.modeling.deeplabv3plus_resnet50` / `deeplabv3plus_mobilenet`.
public final class VainFDeepLabV3Plus: Module, Segmenter {
    /// The feature extractor.
    public let backbone: any Backbone
    let project: Sequential
    let aspp: VainFASPP
    let classifier: Sequential
    public let numClasses: Int
    public let featureInfo: [FeatureInfo]

    /// Creates the segmenter over `backbone` (ASPP rates from its output stride); `asppChannels`
    /// (256) and `lowLevelChannels` (48) may be narrowed for tests.
    /// - Throws: ``SegmenterError/missingFeatures(consumer:missing:available:)`` when the
    ///   backbone lacks `"low"` or `"out"`.
    public init(backbone: any Backbone, numClasses: Int, asppChannels: Int = 256, lowLevelChannels: Int = 48,
                using rng: inout SeededGenerator) throws {
        self.backbone = backbone
        let out = try backbone.info("out", for: "deeplabv3plus_vainf"), low = try backbone.info("low", for: "deeplabv3plus_vainf")
        project = convBNReLU(low.channels, lowLevelChannels, kernel: 1, using: &rng)
        aspp = VainFASPP(input: out.channels, channels: asppChannels, outputStride: out.stride <= 8 ? .eight : .sixteen, using: &rng)
        let decoder = asppChannels + lowLevelChannels
        classifier = Sequential([
            Conv2d(inputChannels: decoder, outputChannels: asppChannels, kernelSize: (3, 3), padding: (1, 1), bias: false, using: &rng),
            BatchNorm2d(features: asppChannels), ReLU(),
            Conv2d(inputChannels: asppChannels, outputChannels: numClasses, kernelSize: (1, 1), bias: true, using: &rng),
        ])
        self.numClasses = numClasses
        featureInfo = backbone.featureInfo + [
            FeatureInfo(name: "context", channels: asppChannels, stride: out.stride),
            FeatureInfo(name: "low_projected", channels: lowLevelChannels, stride: low.stride),
            FeatureInfo(name: "decoder", channels: decoder, stride: low.stride),
        ]
    }

    public var encodedFeatureNames: [String] { backbone.featureInfo.map(\.name) }

    public override var children: [(name: String, module: Module)] {
        [("backbone", backbone), ("classifier.project", project), ("classifier.aspp", aspp), ("classifier.classifier", classifier)]
    }

    public func encode(_ image: Tensor) -> [String: Tensor] { backbone.features(image) }

    public func decode(_ encoded: [String: Tensor], outputSize: (height: Int, width: Int)) throws -> SegmenterOutput {
        let maps = try encoded.required(["out", "low"], by: "deeplabv3plus_vainf decode")
        let fine = project(maps[1])
        let context = aspp(maps[0])
        let dec0 = Tensor.concat([fine, context.resizeBilinear(to: (fine.shape[2], fine.shape[3]), alignCorners: false)], axis: 1)
        var features = encoded
        features["context"] = context
        features["low_projected"] = fine
        return SegmenterOutput(logits: classify(dec0, outputSize: outputSize), decoderFeatures: dec0, features: features)
    }

    public func classify(_ decoderFeatures: Tensor, outputSize: (height: Int, width: Int)) -> Tensor {
        classifier(decoderFeatures).resizeBilinear(to: outputSize, alignCorners: false)
    }

    /// `classifier.classifier.3`, a 1x1 conv with a bias after the ReLU.
    public var classifierReadout: ClassifierReadout? {
        let parameters = classifier.namedParameters()
        guard let weight = parameters.first(where: { $0.key == "3.weight" })?.parameter.value else { return nil }
        return ClassifierReadout(key: "classifier.classifier.3.weight", weight: weight,
                                 bias: parameters.first(where: { $0.key == "3.bias" })?.parameter.value, readsNonNegativeFeatures: true)
    }
}
