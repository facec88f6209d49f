import ModelZoo
import NeuralNet
import OoDKit
import TensorCore

/// RPL's residual block on a frozen segmenter (Liu et al., ICCV 2023; the public code's
/// `ResidualAnomalyBlock`): an ASPP-shaped module on the backbone output `z` (`atten_aspp`),
/// a 1x1 1280→256 conv (`bot_atten_aspp`, no BN), bilinear upsampling (align corners) to the
/// decoder input's size and a 1x1 256→`dec0` channels conv (`atten_aspp_final`, no bias,
/// Kaiming). The frozen final block classifies `dec0 + residual`; the segmenter's own
/// logits stay `final(dec0)`. While training, CoroCL's projector (`proj_head.proj.0`, 1x1
/// 256→`dec0` channels with bias, or `projector_channels`) embeds the upsampled 256-channel map.
///
/// The residual attaches wherever the segmenter's ``Segmenter/classify(_:outputSize:)``
/// reads: `dec0` for DeepLabV3+; for LDN-121 the ladder's last decoder map (its `decoder`
/// feature), from the DenseNet output `out` at stride 32.
///
/// Keys (under `head.`): `atten_aspp.*`, `bot_atten_aspp.weight`, `atten_aspp_final.weight`,
/// `proj_head.proj.0.{weight,bias}` — the official checkpoint's `branch1.residual_block.*`.
public final class RPLHead: Module, OoDHead {
    /// The ASPP-shaped branch on `z`.
    public let attenAspp: ASPP
    let botAttenAspp: Conv2d
    let attenAsppFinal: Conv2d
    let projector: ProjectionHead
    /// The anomaly score of the head's logits.
    public let score: any AnomalyScore
    /// Whether the ASPP and bottleneck started as copies of the segmenter's.
    public private(set) var copiedContext = false

    /// The maps it reads: the backbone output and the decoder input it adds to.
    static let features = ["out", "decoder"]
    public var requiredFeatures: [String] { Self.features }
    /// Its logits are the frozen `final(dec0 + residual)`.
    public var reclassifiesDecoderFeatures: Bool { true }

    /// Builds the block for `segmenter`, copying its ASPP and `bot_aspp` when `config` says so
    /// and the segmenter has them (one without them, LDN-121, starts from Kaiming initialisation).
    /// - Throws: ``SegmenterError/missingFeatures(consumer:missing:available:)`` without `out`;
    ///   ``RPLHeadError/contextDoesNotFit(reason:)`` when `copy_context` meets an ASPP of other shapes.
    public init(_ config: RPLHeadConfig, segmenter: any Segmenter, score: any AnomalyScore, using rng: inout SeededGenerator) throws {
        let consumer = "head 'rpl'"
        try segmenter.requireFeatures(Self.features, for: consumer)
        let out = try segmenter.featureInfo.info("out", for: consumer), decoder = try segmenter.featureInfo.info("decoder", for: consumer)
        let state = segmenter.stateDict()
        let segmenterASPP = state.scoped("aspp"), segmenterBottleneck = state["bot_aspp.weight"]
        let copying = config.copyContext && !segmenterASPP.keys.isEmpty && segmenterBottleneck != nil
        let width = copying ? (segmenterBottleneck?.shape[0] ?? config.channels) : config.channels
        let stride: OutputStride = out.stride <= 8 ? .eight : .sixteen
        attenAspp = ASPP(input: out.channels, channels: width, outputStride: stride, using: &rng)
        botAttenAspp = Conv2d(inputChannels: 5 * width, outputChannels: width, kernelSize: (1, 1), bias: false, using: &rng)
        attenAsppFinal = Conv2d(inputChannels: width, outputChannels: decoder.channels, kernelSize: (1, 1), bias: false, using: &rng)
        projector = ProjectionHead(input: width, output: config.projectorChannels ?? decoder.channels, using: &rng)
        self.score = score
        super.init()
        // The official initialize_weights: Kaiming-normal convs (fan in, gain √2), BN weight 1, bias 0;
        // the projector as the official load_model completes it (kaiming_normal_ weight, zero bias).
        for module in [attenAspp, botAttenAspp, attenAsppFinal, projector] as [Module] { Self.kaimingInitialise(module, using: &rng) }
        if copying, let segmenterBottleneck {
            // A segmenter whose ASPP does not fit the branch is an error, not a silent fresh start.
            var bottleneck = StateDict()
            bottleneck.append("weight", segmenterBottleneck)
            do {
                try attenAspp.load(segmenterASPP, source: "the segmenter's aspp")
                try botAttenAspp.load(bottleneck, source: "the segmenter's bot_aspp")
            } catch {
                throw RPLHeadError.contextDoesNotFit(reason: "\(error)")
            }
            copiedContext = true
        }
    }

    public override var children: [(name: String, module: Module)] {
        [("atten_aspp", attenAspp), ("bot_atten_aspp", botAttenAspp), ("atten_aspp_final", attenAsppFinal), ("proj_head", projector)]
    }

    /// The upsampled 256-channel map and the residual added to the decoder input.
    func residual(_ seg: SegmenterOutput) -> (feature: Tensor, residual: Tensor) {
        guard let z = seg.features["out"] else { contractViolation("rpl: the segmenter output has no 'out' map") }
        let size = (seg.decoderFeatures.shape[2], seg.decoderFeatures.shape[3])
        let feature = botAttenAspp(attenAspp(z)).resizeBilinear(to: size, alignCorners: true)
        return (feature, attenAsppFinal(feature))
    }

    public func callAsFunction(_ seg: SegmenterOutput, segmenter: any Segmenter) -> HeadOutput {
        let (feature, residual) = residual(seg)
        let logits = segmenter.classify(seg.decoderFeatures + residual, outputSize: (seg.logits.shape[2], seg.logits.shape[3]))
        return HeadOutput(logits: logits, embeddings: isTraining ? projector(feature) : nil)
    }

    public func anomalyScore(_ out: HeadOutput, _ seg: SegmenterOutput) throws -> Tensor { score.score(logits: out.logits ?? seg.logits) }

    /// Kaiming-normal conv weights, zero conv biases, BN weight 1 and bias 0 (PyTorch's
    /// `kaiming_normal_` defaults: fan in, gain √2).
    static func kaimingInitialise(_ module: Module, using rng: inout SeededGenerator) {
        for (_, layer) in module.namedModules() {
            if let conv = layer as? Conv2d {
                conv.weight.assign(Tensor.kaimingNormal(conv.weight.value.shape, using: &rng))
                conv.bias?.assign(Tensor.zeros(conv.bias?.value.shape ?? []))
            } else if let norm = layer as? BatchNorm2d {
                norm.weight.assign(Tensor.full(norm.weight.value.shape, 1))
                norm.bias.assign(Tensor.zeros(norm.bias.value.shape))
            }
        }
    }
}

/// CoroCL's projector: one 1x1 conv with bias (`proj.0`), the public code's `ProjectionHead`.
final class ProjectionHead: Module, UnaryLayer {
    let proj: Sequential

    init(input: Int, output: Int, using rng: inout SeededGenerator) {
        proj = Sequential([Conv2d(inputChannels: input, outputChannels: output, kernelSize: (1, 1), using: &rng)])
    }

    override var children: [(name: String, module: Module)] { [("proj", proj)] }

    func callAsFunction(_ x: Tensor) -> Tensor { proj(x) }
}
