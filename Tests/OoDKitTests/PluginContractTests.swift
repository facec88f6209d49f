import Testing
import ModelZoo
import NeuralNet
import OoDKit
import TensorCore

/// `{feature: out}`: the probe head's config.
struct ProbeHeadConfig: RecipeConfig {
    var feature: String
    enum CodingKeys: String, CodingKey { case feature }
    init(from decoder: any Decoder) throws {
        feature = try decoder.container(keyedBy: CodingKeys.self).value(.feature, default: "out")
    }
}

/// A minimal head as a plugin would write it: a 1x1 conv on one segmenter feature, its
/// anomaly score the energy of its own logits.
final class ProbeHead: Module, OoDHead {
    let feature: String
    let conv: Conv2d
    var requiredFeatures: [String] { [feature] }

    init(_ config: ProbeHeadConfig, _ context: BuildContext) throws {
        feature = config.feature
        let segmenter = try context.segmenter(for: "head 'probe'", features: [config.feature])
        let channels = try segmenter.featureInfo.info(config.feature, for: "head 'probe'").channels
        conv = Conv2d(inputChannels: channels, outputChannels: segmenter.numClasses, kernelSize: (1, 1), using: &context.rng)
    }

    override var children: [(name: String, module: Module)] { [("conv", conv)] }

    func callAsFunction(_ seg: SegmenterOutput, segmenter: any Segmenter) -> HeadOutput {
        guard let map = seg.features[feature] else { return HeadOutput() }
        return HeadOutput(logits: conv(map).resizeBilinear(to: (seg.logits.shape[2], seg.logits.shape[3]), alignCorners: true))
    }

    func anomalyScore(_ out: HeadOutput, _ seg: SegmenterOutput) -> Tensor {
        EnergyScore().score(logits: out.logits ?? seg.logits)
    }
}

enum ProbePlugin: Plugin {
    static func register(into registry: inout Registry) throws {
        try registry.heads.register("probe", summary: "a 1x1 conv on one feature", config: ProbeHeadConfig.self) { try ProbeHead($0, $1) }
    }
}

@Suite("Plugin contracts")
struct PluginContractTests {
    static let registry: Registry = {
        do { return try Registry(plugins: [ProbePlugin.self]) } catch { fatalError("\(error)") }
    }()

    func context() throws -> BuildContext {
        let context = BuildContext(registry: Self.registry, rng: SeededGenerator(seed: 5))
        context.attachedSegmenter = try Self.registry.segmenters.build(try RecipeNode(
            yaml: "{type: deeplabv3plus, num_classes: 4, width_divisor: 16, backbone: {type: mobilenet_v2, width_divisor: 8}}"), context)
        return context
    }

    @Test("a plugin's head registers with one call, builds from a recipe node, and scores [N, H, W]")
    func headFromPlugin() throws {
        #expect(Self.registry.heads.names == ["probe"])
        let context = try context()
        let head = try Self.registry.heads.build(try RecipeNode(yaml: "{type: probe, feature: context}"), context)
        let segmenter = try #require(context.attachedSegmenter)
        segmenter.eval()
        var rng = SeededGenerator(seed: 1)
        let seg = GradMode.noGrad { segmenter(Tensor.normal([2, 3, 32, 48], using: &rng)) }
        let out = head(seg, segmenter: segmenter)
        #expect(out.logits?.shape == [2, 4, 32, 48])
        #expect(try head.anomalyScore(out, seg).shape == [2, 32, 48])
        #expect(head.stateDict(prefix: "head.").keys == ["head.conv.weight", "head.conv.bias"])
    }

    @Test("a head asking for a feature the segmenter lacks fails when built, naming it and what exists")
    func missingFeature() throws {
        do {
            _ = try Self.registry.heads.build(try RecipeNode(yaml: "{type: probe, feature: z}", file: "h.yaml"), try context())
            Issue.record("a head on a missing feature built")
        } catch let error as RecipeError {
            #expect(error.location.file == "h.yaml")
            #expect(error.message.contains("head 'probe' needs feature 'z'") && error.message.contains("low_projected"), "\(error)")
        }
        #expect(throws: RecipeError.self) {
            _ = try Self.registry.heads.build(try RecipeNode(yaml: "{type: probe, feture: out}"), try context())
        }
    }
}
