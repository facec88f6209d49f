import Testing
import HDF5Store
import ModelZoo
import NeuralNet
import OoDKit
import RPL
import TensorCore
import PixelOoDTestSupport

/// The narrow segmenter of `scripts/fixtures/rpl.py` (ResNet-50 at 1/16 width, OS8, ASPP 16, low-level 8).
func fixtureSegmenter(using rng: inout SeededGenerator) throws -> DeepLabV3Plus {
    try DeepLabV3Plus(backbone: ResNet(depth: .resnet50, outputStride: .eight, widthDivisor: 16, using: &rng), numClasses: 19,
                      asppChannels: 16, lowLevelChannels: 8, using: &rng)
}

/// The fixture's segmenter and an `rpl` head built through the registry, both loaded from `rpl.h5`.
func fixtureModels(_ fixture: Fixture, head yaml: String = "{type: rpl}") throws -> (DeepLabV3Plus, RPLHead) {
    var rng = SeededGenerator(seed: 1)
    let segmenter = try fixtureSegmenter(using: &rng)
    let state = try fixture.file.readStateDict(group: "/state_dict")
    try segmenter.load(state.scoped("segmenter"), source: "rpl.h5")
    segmenter.eval().freeze()
    let registry = try Registry(plugins: [RPLPlugin.self])
    let context = BuildContext(registry: registry, rng: SeededGenerator(seed: 2), segmenter: segmenter)
    let head = try #require(try registry.heads.build(try RecipeNode(yaml: yaml), context) as? RPLHead)
    try head.load(state.scoped("head"), source: "rpl.h5")
    return (segmenter, head)
}

@Suite("RPL's residual block against PyTorch")
struct RPLHeadTests {
    @Test("eval mode: final(dec0 + residual) agrees with scripts/fixtures/rpl.py to 1e-4; the segmenter's own logits are final(dec0)")
    func evalForward() throws {
        let fixture = try Fixture("rpl.h5")
        let (segmenter, head) = try fixtureModels(fixture)
        head.eval()
        let input = try fixture.tensor("/input")
        let seg = GradMode.noGrad { segmenter(input) }
        let out = GradMode.noGrad { head(seg, segmenter: segmenter) }
        expectClose(seg.logits, try fixture.tensor("/vanilla_logits"), tolerance: 1e-4, "vanilla logits")
        expectClose(try #require(out.logits), try fixture.tensor("/eval/logits"), tolerance: 1e-4, "rpl logits")
        #expect(out.embeddings == nil, "the projector runs only while training")
        #expect(try head.anomalyScore(out, seg).shape == [4, 24, 32])
    }

    @Test("train mode: logits, embeddings, every head gradient and the BN running means agree with PyTorch")
    func trainForward() throws {
        let fixture = try Fixture("rpl.h5")
        let (segmenter, head) = try fixtureModels(fixture)
        head.train()
        let seg = GradMode.noGrad { segmenter(try! fixture.tensor("/input")) }
        let out = head(seg, segmenter: segmenter)
        let logits = try #require(out.logits), embeddings = try #require(out.embeddings)
        expectClose(logits, try fixture.tensor("/train/logits"), tolerance: 1e-4, "train logits")
        expectClose(embeddings, try fixture.tensor("/train/embeddings"), tolerance: 1e-4, "embeddings")
        ((logits * (try fixture.tensor("/train/weight"))).sum() + (embeddings * (try fixture.tensor("/train/embedding_weight"))).sum()).backward()
        for (key, parameter) in head.namedParameters() {
            expectClose(try #require(parameter.grad, "no gradient for \(key)"), try fixture.tensor("/train/grad/" + key),
                        tolerance: 1e-3, "d/d \(key)")
        }
        for key in try fixture.file.children(of: "/train/running_mean") {
            expectClose(try #require(head.stateDict()[key]), try fixture.tensor("/train/running_mean/" + key), tolerance: 1e-5, key)
        }
        #expect(segmenter.namedParameters().allSatisfy { $0.parameter.grad == nil }, "the frozen segmenter gets no gradient")
    }

    @Test("a new head copies the segmenter's ASPP and bot_aspp; the 256→dec0 conv is fresh; keys follow the official layout")
    func initialisation() throws {
        let fixture = try Fixture("rpl.h5")
        var rng = SeededGenerator(seed: 1)
        let segmenter = try fixtureSegmenter(using: &rng)
        try segmenter.load(try fixture.file.readStateDict(group: "/state_dict").scoped("segmenter"))
        let registry = try Registry(plugins: [RPLPlugin.self])
        let context = BuildContext(registry: registry, rng: SeededGenerator(seed: 2), segmenter: segmenter)
        let head = try #require(try registry.heads.build(try RecipeNode(yaml: "{type: rpl}"), context) as? RPLHead)
        #expect(head.copiedContext)
        let segmenterState = segmenter.stateDict(), headState = head.stateDict()
        for key in segmenterState.scoped("aspp").keys {
            #expect(headState["atten_aspp." + key]?.scalars == segmenterState["aspp." + key]?.scalars, "atten_aspp.\(key)")
        }
        #expect(headState["bot_atten_aspp.weight"]?.scalars == segmenterState["bot_aspp.weight"]?.scalars)
        #expect(headState["atten_aspp_final.weight"]?.shape == [24, 16, 1, 1])
        let expectedKeys = try fixture.file.readStateDict(group: "/state_dict").scoped("head").keys
        #expect(headState.keys == expectedKeys)

        let fresh = try #require(try registry.heads.build(try RecipeNode(yaml: "{type: rpl, copy_context: false, channels: 8}"), context) as? RPLHead)
        #expect(!fresh.copiedContext && fresh.stateDict()["bot_atten_aspp.weight"]?.shape == [8, 40, 1, 1])

        // The projector starts as the official load_model makes it: Kaiming-normal weight, zero bias.
        let projectorBias = try #require(headState["proj_head.proj.0.bias"]), projectorWeight = try #require(headState["proj_head.proj.0.weight"])
        #expect(projectorBias.scalars.allSatisfy { $0 == 0 })
        let variance = projectorWeight.scalars.reduce(0) { $0 + $1 * $1 } / Float(projectorWeight.count)
        #expect(abs(variance - 2 / 16) < 0.05, "Kaiming-normal variance 2/fan_in = 0.125, measured \(variance)")
        // projector_channels sets CoroCL's embedding width (default: dec0's, 24 here).
        #expect(headState["proj_head.proj.0.weight"]?.shape == [24, 16, 1, 1])
        let narrow = try registry.heads.build(try RecipeNode(yaml: "{type: rpl, projector_channels: 64}"), context)
        #expect(narrow.stateDict()["proj_head.proj.0.weight"]?.shape == [64, 16, 1, 1] && narrow.stateDict()["proj_head.proj.0.bias"]?.shape == [64])
        narrow.train()
        let seg = GradMode.noGrad { segmenter(try! fixture.tensor("/input")) }
        #expect(narrow(seg, segmenter: segmenter).embeddings?.shape.prefix(2) == [4, 64])
        #expect(throws: (any Error).self) { try registry.heads.build(try RecipeNode(yaml: "{type: rpl, projector_channels: 0}"), context) }
    }

    @Test("copy_context on a segmenter whose aspp does not fit the branch is an error naming the mismatched key and copy_context: false")
    func contextThatDoesNotFit() throws {
        var rng = SeededGenerator(seed: 1)
        let segmenter = MisfitASPPSegmenter(try fixtureSegmenter(using: &rng), using: &rng)
        let registry = try Registry(plugins: [RPLPlugin.self])
        let context = BuildContext(registry: registry, rng: SeededGenerator(seed: 2), segmenter: segmenter)
        // The registry locates RPLHeadError.contextDoesNotFit at the head's node in the recipe.
        do {
            _ = try registry.heads.build(try RecipeNode(yaml: "{type: rpl}"), context)
            Issue.record("a misfit aspp was copied")
        } catch let error as RecipeError {
            let message = "\(error)"
            #expect(error.location.line == 1 && message.contains("the segmenter's aspp and bot_aspp do not fit the head's branch"), "\(message)")
            #expect(message.contains("features.0.0.weight: checkpoint has [16, 256, 1, 1], model expects [16, 128, 1, 1]"), "\(message)")
            #expect(message.contains("set copy_context: false"), "\(message)")
        }
        let fresh = try #require(try registry.heads.build(try RecipeNode(yaml: "{type: rpl, copy_context: false}"), context) as? RPLHead)
        #expect(!fresh.copiedContext)
    }

    @Test("the head builds on every registered segmenter and its logits have the segmenter's shape",
          arguments: ["{type: deeplabv3plus, width_divisor: 16, backbone: {type: resnet50, width_divisor: 16}}",
                      "{type: deeplabv3plus, width_divisor: 16, backbone: {type: wide_resnet38, width_divisor: 32}}",
                      "{type: deeplabv3plus, width_divisor: 16, backbone: {type: mobilenet_v2, width_divisor: 4, output_stride: 16}}",
                      "{type: ldn121, width_divisor: 8}"])
    func everySegmenter(_ yaml: String) throws {
        let registry = try Registry(plugins: [RPLPlugin.self])
        let context = BuildContext(registry: registry, rng: SeededGenerator(seed: 4))
        let segmenter = try registry.segmenters.build(try RecipeNode(yaml: yaml), context)
        segmenter.eval().freeze()
        context.attachedSegmenter = segmenter
        let head = try registry.heads.build(try RecipeNode(yaml: "{type: rpl, channels: 16}"), context)
        var rng = SeededGenerator(seed: 5)
        let seg = GradMode.noGrad { segmenter(Tensor.normal([1, 3, 64, 64], using: &rng)) }
        let out = GradMode.noGrad { head.eval()(seg, segmenter: segmenter) }
        #expect(out.logits?.shape == seg.logits.shape)
        #expect(try head.anomalyScore(out, seg).shape == [1, 64, 64])
    }

    @Test("checking an rpl head checks its nested score: a typo inside score: is an error at that key, before anything is built")
    func nestedScoreChecked() throws {
        let registry = try Registry(plugins: [RPLPlugin.self])
        try registry.heads.check(try RecipeNode(yaml: "{type: rpl, score: {type: energy, smoothing: {kernel: 7, sigma: 1.0}}}"), registry: registry)
        try registry.heads.check(try RecipeNode(yaml: "{type: rpl}"), registry: registry)
        for (yaml, keyPath) in [("{type: rpl, score: {type: enrgy}}", "score.type"), ("{type: rpl, score: {type: energy, smothing: 3}}", "score.smothing")] {
            do {
                try registry.heads.check(try RecipeNode(yaml: yaml), registry: registry)
                Issue.record("\(yaml) passed the check")
            } catch let error as RecipeError {
                #expect(error.keyPath == keyPath && error.location.line == 1, "\(yaml): \(error)")
            }
        }
    }
}

/// A plugin-style segmenter whose `aspp` reads twice the channels its `out` map has (the
/// fixture segmenter's forward, another model's ASPP weights): what `copy_context` cannot copy.
final class MisfitASPPSegmenter: Module, Segmenter {
    let inner: DeepLabV3Plus
    let aspp: ASPP
    let botAspp: Conv2d

    init(_ inner: DeepLabV3Plus, using rng: inout SeededGenerator) {
        self.inner = inner
        let out = inner.featureInfo.first { $0.name == "out" }?.channels ?? 1
        aspp = ASPP(input: 2 * out, channels: 16, outputStride: .eight, using: &rng)
        botAspp = Conv2d(inputChannels: 80, outputChannels: 16, kernelSize: (1, 1), bias: false, using: &rng)
    }

    override var children: [(name: String, module: Module)] { [("inner", inner), ("aspp", aspp), ("bot_aspp", botAspp)] }
    var numClasses: Int { inner.numClasses }
    var featureInfo: [FeatureInfo] { inner.featureInfo }
    var encodedFeatureNames: [String] { inner.encodedFeatureNames }
    func encode(_ image: Tensor) -> [String: Tensor] { inner.encode(image) }
    func decode(_ encoded: [String: Tensor], outputSize: (height: Int, width: Int)) throws -> SegmenterOutput {
        try inner.decode(encoded, outputSize: outputSize)
    }
    func classify(_ decoderFeatures: Tensor, outputSize: (height: Int, width: Int)) -> Tensor {
        inner.classify(decoderFeatures, outputSize: outputSize)
    }
}
