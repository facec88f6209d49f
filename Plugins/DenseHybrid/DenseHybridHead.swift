import ModelZoo
import NeuralNet
import OoDKit
import TensorCore

/// `{type: densehybrid, align_corners: false}`.
public struct DenseHybridConfig: RecipeConfig {
    /// How the 2-way logits are upsampled to the input (DenseHybrid's code: `false`).
    public var alignCorners: Bool

    enum CodingKeys: String, CodingKey { case alignCorners = "align_corners" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        alignCorners = try c.value(.alignCorners, default: false)
    }
}

/// DenseHybrid's OoD head (Grcić, Bevandić and Šegvić, ECCV 2022; `LadderDenseNetTH`'s
/// `logits_ood`): BN → ReLU → 1x1 conv (with bias) from the decoder features (`dec0`, 128
/// channels in LDN-121) to 2 logits (in-distribution, outlier), upsampled bilinearly to the
/// input. Its hybrid score is `log softmax(logits_ood)[1] − logsumexp_c l_c`: the
/// discriminative outlier posterior against the unnormalised data likelihood the class
/// logits give, no smoothing. Keys under `head.`: `logits_ood.norm.*`, `logits_ood.conv.*`,
/// the release's own (`--source densehybrid` puts them there).
public final class DenseHybridHead: Module, OoDHead {
    /// The 2-way head.
    public let logitsOOD: NamedSequential
    let alignCorners: Bool

    public override var children: [(name: String, module: Module)] { [("logits_ood", logitsOOD)] }
    public override var typeName: String { "DenseHybrid" }
    public var requiredFeatures: [String] { ["decoder"] }

    /// A fresh head on `channels` decoder channels (PyTorch's default initialisation).
    public init(_ config: DenseHybridConfig, channels: Int, using rng: inout SeededGenerator) {
        logitsOOD = bnReLUConv(channels, 2, kernel: 1, bias: true, using: &rng)
        alignCorners = config.alignCorners
        super.init()
    }

    public func callAsFunction(_ seg: SegmenterOutput, segmenter: any Segmenter) -> HeadOutput {
        let size = (seg.logits.shape[2], seg.logits.shape[3])
        return HeadOutput(extra: [Self.oodLogitsKey: logitsOOD(seg.decoderFeatures).resizeBilinear(to: size, alignCorners: alignCorners)])
    }

    /// Where the head passes its `[N, 2, H, W]` inlier/outlier logits in ``HeadOutput/extra``.
    public static let oodLogitsKey = "densehybrid.logits_ood"

    /// `log softmax(logits_ood)[1] − logsumexp(logits)`. Shape: `[N, H, W]`.
    public func anomalyScore(_ out: HeadOutput, _ seg: SegmenterOutput) throws -> Tensor {
        let likelihood = seg.logits.logsumexp(axis: 1)
        let ood = try out.extra(Self.oodLogitsKey, of: "densehybrid")
        let (n, h, w) = (ood.shape[0], ood.shape[2], ood.shape[3])
        return ood.logSoftmax(axis: 1).slice(axis: 1, start: 1, end: 2).reshaped([n, h, w]) - likelihood
    }
}
