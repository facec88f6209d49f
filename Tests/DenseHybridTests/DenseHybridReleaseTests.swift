import Testing
import DenseHybrid
import ModelZoo
import NeuralNet
import OoDKit
import TensorCore
import PixelOoDTestSupport

@Suite("DenseHybrid's released layout and hybrid score")
struct DenseHybridReleaseTests {
    @Test("a LadderDenseNetTH release converted with --source densehybrid loads strictly into ldn121 + densehybrid; the score agrees with PyTorch")
    func releaseRunsAsReleased() throws {
        let registry = try Registry(plugins: [DenseHybridPlugin.self])
        let context = BuildContext(registry: registry, rng: SeededGenerator(seed: 0))
        let segmenter = try registry.segmenters.build(try RecipeNode(yaml: "{type: ldn121, width_divisor: 8}"), context)
        context.attachedSegmenter = segmenter
        let head = try registry.heads.build(try RecipeNode(yaml: "densehybrid"), context)
        let path = Fixture.directory.appendingPathComponent("models/converted_densehybrid_ldn121.h5").path
        try segmenter.load(checkpoint: path, prefix: "segmenter.")
        try head.load(checkpoint: path, prefix: "head.")
        #expect(head.stateDict().keys.count == 7, "the release's 7 logits_ood keys")
        segmenter.eval().freeze()
        head.eval()

        let fixture = try Fixture("densehybrid.h5")
        let input = try fixture.tensor("/input")
        let seg = GradMode.noGrad { segmenter(input) }
        expectClose(seg.logits, try fixture.tensor("/logits"), "LDN-121 logits")
        let out = GradMode.noGrad { head(seg, segmenter: segmenter) }
        expectClose(try #require(out.extra[DenseHybridHead.oodLogitsKey]), try fixture.tensor("/logits_ood"), "logits_ood")
        expectClose(try GradMode.noGrad { try head.anomalyScore(out, seg) }, try fixture.tensor("/score"), "log p(outlier) - logsumexp")
    }
}
