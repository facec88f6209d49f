import PixelOoDKit

/// `{type: outlier_probe, feature: decoder}`: which segmenter map the probe reads.
public struct OutlierProbeConfig: RecipeConfig {
    /// A ``Segmenter/featureInfo`` name: `decoder` (DeepLabV3+'s dec0), `out`, `low`, …
    public var feature: String

    enum CodingKeys: String, CodingKey { case feature }

    public init(from decoder: any Decoder) throws {
        feature = try decoder.container(keyedBy: CodingKeys.self).value(.feature, default: "decoder")
    }
}

/// An outlier probe on a frozen segmenter: a 1x1 conv from one feature map to one logit per
/// pixel, "is this a pasted outlier?", upsampled to the segmenter's logits. Its anomaly
/// score is that logit. Keys (under `head.`): `conv.weight`, `conv.bias`.
public final class OutlierProbeHead: Module, OoDHead {
    /// The map it reads.
    public let feature: String
    let conv: Conv2d
    public var requiredFeatures: [String] { [feature] }

    /// Builds the probe for the recipe's segmenter.
    /// - Throws: when the segmenter has no map called `config.feature` (the error names the maps it has).
    public init(_ config: OutlierProbeConfig, _ context: BuildContext) throws {
        feature = config.feature
        let segmenter = try context.segmenter(for: "head 'outlier_probe'", features: [feature])
        let channels = try segmenter.featureInfo.info(feature, for: "head 'outlier_probe'").channels
        conv = Conv2d(inputChannels: channels, outputChannels: 1, kernelSize: (1, 1), using: &context.rng)
    }

    override public var children: [(name: String, module: Module)] { [("conv", conv)] }

    public func callAsFunction(_ seg: SegmenterOutput, segmenter: any Segmenter) -> HeadOutput {
        guard let map = seg.map(named: feature) else { return HeadOutput() }  // build checked it exists
        let logit = conv(map).resizeBilinear(to: (seg.logits.shape[2], seg.logits.shape[3]), alignCorners: true)
        return HeadOutput(extra: [Self.logitKey: logit])
    }

    public func anomalyScore(_ out: HeadOutput, _ seg: SegmenterOutput) throws -> Tensor {
        let logit = try out.extra(Self.logitKey, of: "outlier_probe")
        return logit.reshaped([logit.shape[0], logit.shape[2], logit.shape[3]])
    }

    /// Where the probe's `[N, 1, H, W]` logit travels in ``HeadOutput/extra``.
    public static let logitKey = "outlier_probe.logit"
}

/// The probe's loss: binary cross-entropy with the pasted outlier pixels (label 254)
/// positive and inlier pixels negative, each side averaged on its own so the few outlier
/// pixels weigh as much as the many inliers; void is skipped. `softplus` is computed as
/// `relu(z) + log(1 + e^−|z|)`, stable for any logit. A batch without outlier pixels
/// trains the inlier side alone. Registered as `outlier_probe.bce`.
public struct OutlierProbeLoss: LossTerm {
    public var name: String { "outlier_probe.bce" }
    public var splitsOverShards: Bool { true }

    public init() {}

    public func callAsFunction(_ batch: TrainingBatch, _ seg: SegmenterOutput, _ head: HeadOutput) throws -> Tensor {
        guard let logit = head.extra[OutlierProbeHead.logitKey] else {
            throw LossError(term: name, "needs the 'outlier_probe' head's logit")
        }
        let z = logit.reshaped([logit.shape[0], logit.shape[2], logit.shape[3]])
        guard z.shape == batch.labels.shape else {
            throw LossError(term: name, "the probe's map is \(z.shape), the labels \(batch.labels.shape)")
        }
        func softplus(_ x: Tensor) -> Tensor { x.relu() + x.abs().affine(scale: -1, shift: 0).exp().affine(scale: 1, shift: 1).log() }
        let outliers = PixelMask.outliers(batch), inliers = PixelMask.inliers(batch)
        var loss = Tensor.zeros([])
        if outliers.count > 0 { loss = loss + (softplus(z.affine(scale: -1, shift: 0)) * outliers.mask).sum() * (1 / Float(outliers.normalizer)) }
        if inliers.count > 0 { loss = loss + (softplus(z) * inliers.mask).sum() * (1 / Float(inliers.normalizer)) }
        return loss
    }
}

/// Registers `outlier_probe` (head) and `outlier_probe.bce` (loss term).
public enum OutlierProbePlugin: Plugin {
    public static func register(into registry: inout Registry) throws {
        try registry.heads.register("outlier_probe", summary: "a 1x1 conv probe: is this pixel a pasted outlier? (Examples/CustomHead)",
                                    config: OutlierProbeConfig.self) { try OutlierProbeHead($0, $1) }
        try registry.losses.register("outlier_probe.bce", summary: "balanced BCE of the outlier probe: pasted outliers positive",
                                     config: EmptyConfig.self) { _, _ in OutlierProbeLoss() }
    }
}
