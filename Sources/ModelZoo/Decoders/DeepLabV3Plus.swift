import NeuralNet
import TensorCore

/// DeepLabV3+ in the layout of the public RPL code: ASPP on the backbone output, `bot_aspp`
/// (1280→256, no BN), upsampling (align-corners) to the low-level map, `bot_fine`
/// (low-level→48, no BN), concatenation to the 304-channel `dec0`, and `final`: 3x3
/// 304→256, 3x3 256→256 (each BN+ReLU), 1x1 →classes (no bias), upsampled to the input.
///
/// Keys: the backbone's (at the root for WiderResNet38, else under `backbone.`), then
/// `aspp.*`, `bot_fine.weight`, `bot_aspp.weight`, `final.{0,1,3,4,6}.*`.
///
/// With `abstention`, `final.6` has one more output row (PEBAL's layout, `[K+1, 256, 1, 1]`):
/// the last channel is the abstention logit, returned apart from the class logits
/// (``SegmenterOutput/abstentionLogits``). Loading a K-class checkpoint into it keeps the
/// abstention row as initialised (Kaiming-normal, from the recipe's seed), as PEBAL's code
/// completes the pretrained `final.6.weight`.
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
    /// Whether the final layer has PEBAL's extra abstention output.
    public let hasAbstention: Bool

    public let featureInfo: [FeatureInfo]

    /// Creates the segmenter over `backbone` (ASPP rates from its output stride).
    /// `asppChannels` (256) and `lowLevelChannels` (48) may be narrowed for tests; `abstention`
    /// adds PEBAL's abstention output.
    /// - Throws: ``SegmenterError/missingFeatures(consumer:missing:available:)`` when the
    ///   backbone lacks `"low"` or `"out"`.
    public init(backbone: any Backbone, numClasses: Int, asppChannels: Int = 256, lowLevelChannels: Int = 48,
                abstention: Bool = false, using rng: inout SeededGenerator) throws {
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
            Self.classifier(inputChannels: asppChannels, classes: numClasses, abstention: abstention, using: &rng),
        ])
        self.numClasses = numClasses
        hasAbstention = abstention
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
        let fine = botFine(low)
        // One expression, so the upsampled context is released once copied into `dec0` rather
        // than held through the final block (256 channels at the low-level map's size).
        let dec0 = Tensor.concat([fine, botAspp(pyramid).resizeBilinear(to: (low.shape[2], low.shape[3]), alignCorners: true)], axis: 1)
        var features = encoded
        features["context"] = pyramid
        features["low_projected"] = fine
        let (logits, abstention) = classifyWithAbstention(dec0, outputSize: outputSize)
        return SegmenterOutput(logits: logits, decoderFeatures: dec0, features: features, abstentionLogits: abstention)
    }

    public func classify(_ decoderFeatures: Tensor, outputSize: (height: Int, width: Int)) -> Tensor {
        classifyWithAbstention(decoderFeatures, outputSize: outputSize).logits
    }

    /// The final block's class logits and, with an abstention output, its logit, both
    /// upsampled to `outputSize`.
    func classifyWithAbstention(_ decoderFeatures: Tensor, outputSize: (height: Int, width: Int)) -> (logits: Tensor, abstention: Tensor?) {
        let all = final(decoderFeatures).resizeBilinear(to: outputSize, alignCorners: true)
        guard hasAbstention else { return (all, nil) }
        return (all.slice(axis: 1, start: 0, end: numClasses), all.slice(axis: 1, start: numClasses, end: numClasses + 1))
    }

    /// `final.6`, a bias-free 1x1 conv after `final.5`'s ReLU; its class rows only.
    public var classifierReadout: ClassifierReadout? {
        guard let weight = final.namedParameters().first(where: { $0.key == "6.weight" })?.parameter.value else { return nil }
        return ClassifierReadout(key: "final.6.weight", weight: weight.slice(axis: 0, start: 0, end: numClasses), readsNonNegativeFeatures: true)
    }

    /// A K-class checkpoint's `final.6.weight` completed with this model's abstention row.
    public override func adaptedForLoading(_ state: StateDict) -> StateDict {
        let key = "final.6.weight"
        guard hasAbstention, let incoming = state[key], let own = final.namedParameters().first(where: { $0.key == "6.weight" }),
              incoming.shape == [numClasses] + own.parameter.value.shape.dropFirst() else { return state }
        var adapted = state
        adapted.replace(key, with: Tensor.concat([incoming, own.parameter.value.slice(axis: 0, start: numClasses)], axis: 0))
        return adapted
    }

    /// A final layer one row longer than this model's is PEBAL's abstention layout; any other
    /// row count names the `num_classes` that loads it.
    public override func loadingHints(for mismatched: [StateDictError.Mismatch]) -> [String] {
        guard let final = mismatched.first(where: { $0.key == "final.6.weight" }), let rows = final.found.first,
              final.found.dropFirst() == final.expected.dropFirst() else { return [] }
        if !hasAbstention && rows == numClasses + 1 {
            return ["final.6.weight has \(rows) rows, \(numClasses) classes + 1: a PEBAL checkpoint with its abstention class; "
                    + "give the segmenter `abstention: true` to load it"]
        }
        if hasAbstention {
            return ["final.6.weight has \(rows) rows; with `abstention: true` it loads as `num_classes: \(rows)` (a class layout, "
                    + "the abstention row initialised) or `num_classes: \(rows - 1)` (a PEBAL layout)"]
        }
        return ["final.6.weight has \(rows) rows: the checkpoint was trained for \(rows) classes; set the segmenter's `num_classes: \(rows)`"]
    }

    /// The last 1x1 convolution: PyTorch's default init, plus a Kaiming-normal abstention
    /// row (std √(2 / fan_in), PEBAL's `kaiming_normal_`) when asked.
    private static func classifier(inputChannels: Int, classes: Int, abstention: Bool, using rng: inout SeededGenerator) -> Conv2d {
        let classRows = Conv2d(inputChannels: inputChannels, outputChannels: classes, kernelSize: (1, 1), bias: false, using: &rng)
        guard abstention else { return classRows }
        let row = Tensor.kaimingNormal([1, inputChannels, 1, 1], using: &rng)
        return Conv2d(weight: Tensor.concat([classRows.weight.value, row], axis: 0), bias: nil)
    }
}
